// Heartbeats on the reserved "phoenix" topic keep a connection alive.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();

const isHeartbeatReply = (msg) => msg.topic === 'phoenix' && msg.event === 'phx_reply';

describe('heartbeat', () => {
  test('phoenix.js with a 200 ms heartbeat keeps one connection for two seconds, every heartbeat answered', async () => {
    const socket = await connectSocket(ctx.server, { heartbeatIntervalMs: 200 });
    const { channel } = await joinChannel(socket, uniqueTopic('echo'));
    // The client sends a heartbeat 200 ms after the previous reply and gives up (closing and
    // reconnecting) if a reply takes longer than 200 ms: eight answered heartbeats span ~1.6 s+.
    const replies = await socket.messages.waitCount(8, isHeartbeatReply, {
      timeout: 6000,
      what: 'eight heartbeat replies',
    });
    for (const reply of replies) {
      assert.deepEqual(reply.payload, { status: 'ok', response: {} });
      assert.equal(reply.join_ref, null);
    }
    assert.equal(socket.opens, 1, 'the socket reconnected');
    assert.equal(socket.closes.length, 0, 'the socket was closed');
    assert.equal(socket.errors.length, 0, 'the socket saw transport errors');
    assert.equal(channel.state, 'joined');
    assert.deepEqual(await pushAndWait(channel, 'still', { here: true }), {
      status: 'ok',
      response: { here: true },
    });
  });

  test('a heartbeat is answered with [null, ref, "phoenix", "phx_reply", ok {}] before any join', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    client.send([null, '1', 'phoenix', 'heartbeat', {}]);
    const reply = await client.next();
    assert.deepEqual(reply, okReply(null, '1', 'phoenix'));
    // Key order of the payload is free, but the exact key set is fixed.
    assert.deepEqual(Object.keys(reply[4]).sort(), ['response', 'status']);
  });

  test('the heartbeat reply has a null join_ref even when the heartbeat carries one', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    client.send(['42', 'hb', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await client.next(), okReply(null, 'hb', 'phoenix'));
  });

  test('heartbeats are answered in order, one reply per heartbeat, while channels are joined', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('room');
    client.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('1', '1', topic));
    for (let i = 0; i < 20; i++) client.send([null, `h${i}`, 'phoenix', 'heartbeat', {}]);
    for (let i = 0; i < 20; i++) assert.deepEqual(await client.next(), okReply(null, `h${i}`, 'phoenix'));
    assert.deepEqual(await client.sync(), []);
  });
});
