// Leaving a channel: ok reply, then phx_close, then the topic is no longer joined.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, outcome } from './lib/phoenix.js';
import { RawClient, errorReply, okReply } from './lib/raw.js';

const ctx = useServer();

async function joinedRaw(topic, joinRef = '1') {
  const client = await RawClient.connect(ctx.server.wsUrl());
  client.send([joinRef, joinRef, topic, 'phx_join', {}]);
  assert.deepEqual(await client.next(), okReply(joinRef, joinRef, topic));
  return client;
}

describe('leave', () => {
  test('phx_leave is answered with an ok reply and then a phx_close carrying the join_ref', async () => {
    const topic = uniqueTopic('room');
    const client = await joinedRaw(topic);
    client.send(['1', '2', topic, 'phx_leave', {}]);
    assert.deepEqual(await client.next(), okReply('1', '2', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
    assert.deepEqual(await client.sync(), []);
  });

  test('after leaving, a push to the topic gets the unmatched topic error', async () => {
    const topic = uniqueTopic('echo');
    const client = await joinedRaw(topic);
    client.send(['1', '2', topic, 'phx_leave', {}]);
    assert.deepEqual(await client.next(), okReply('1', '2', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
    client.send(['1', '3', topic, 'ping', {}]);
    assert.deepEqual(await client.next(), errorReply(null, '3', topic, { reason: 'unmatched topic' }));
  });

  test('after leaving, broadcasts of the room are no longer delivered', async () => {
    const topic = uniqueTopic('room');
    const leaver = await joinedRaw(topic);
    const stayer = await joinedRaw(topic, '9');
    leaver.send(['1', '2', topic, 'phx_leave', {}]);
    assert.deepEqual(await leaver.next(), okReply('1', '2', topic));
    assert.deepEqual(await leaver.next(), ['1', '1', topic, 'phx_close', {}]);

    stayer.send(['9', '10', topic, 'shout', { n: 1 }]);
    assert.deepEqual(await stayer.next(), [null, null, topic, 'shout', { n: 1 }]);
    assert.deepEqual(await stayer.next(), okReply('9', '10', topic));
    assert.deepEqual(await leaver.sync(), []);
  });

  test('a left topic can be joined again with a new join_ref', async () => {
    const topic = uniqueTopic('echo');
    const client = await joinedRaw(topic);
    client.send(['1', '2', topic, 'phx_leave', {}]);
    assert.deepEqual(await client.next(), okReply('1', '2', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
    client.send(['3', '3', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('3', '3', topic));
    client.send(['3', '4', topic, 'ping', { again: true }]);
    assert.deepEqual(await client.next(), okReply('3', '4', topic, { again: true }));
  });

  test('phx_leave with a null join_ref leaves the current channel', async () => {
    const topic = uniqueTopic('room');
    const client = await joinedRaw(topic);
    client.send([null, '2', topic, 'phx_leave', {}]);
    assert.deepEqual(await client.next(), okReply('1', '2', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
  });

  test('phx_leave with a stale join_ref is ignored and the channel stays joined', async () => {
    const topic = uniqueTopic('echo');
    const client = await joinedRaw(topic, '5');
    client.send(['4', '6', topic, 'phx_leave', {}]);
    assert.deepEqual(await client.sync(), [], 'a leave with a mismatched join_ref produced frames');
    client.send(['5', '7', topic, 'ping', { alive: 1 }]);
    assert.deepEqual(await client.next(), okReply('5', '7', topic, { alive: 1 }));
  });

  test('phoenix.js channel.leave() resolves ok and closes the channel', async () => {
    const socket = await connectSocket(ctx.server);
    const { channel } = await joinChannel(socket, uniqueTopic('room'));
    let closedCount = 0;
    channel.onClose(() => (closedCount += 1));
    assert.deepEqual(await outcome(channel.leave(), { what: 'the leave reply' }), {
      status: 'ok',
      response: {},
    });
    assert.equal(channel.state, 'closed');
    assert.equal(closedCount, 1);
    assert.equal(socket.opens, 1);
    // The phx_close that follows the reply is for the same join_ref; phoenix.js must not error.
    const close = await socket.messages.waitFor((m) => m.event === 'phx_close' && m.topic === channel.topic);
    assert.equal(close.ref, close.join_ref);
    assert.equal(channel.state, 'closed');
  });
});
