// Behaviour that a config file selects: broadcast_from routes, the idle timeout.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';
import { DEFAULT_ROUTES } from './lib/server.js';
import { Mailbox, withDeadline } from './lib/wait.js';

const ctx = useServer({
  config: `
[limits]
idle_timeout_ms = 600

[[routes]]
pattern = "quiet:*"
behaviour = "broadcast"
exclude_sender = true
${DEFAULT_ROUTES}`,
});

async function joinedRaw(topic, joinRef) {
  const client = await RawClient.connect(ctx.server.wsUrl());
  client.send([joinRef, joinRef, topic, 'phx_join', {}]);
  assert.deepEqual(await client.next(), okReply(joinRef, joinRef, topic));
  return client;
}

describe('exclude_sender', () => {
  test('a broadcast on an exclude_sender route reaches the others but not the sender', async () => {
    const topic = uniqueTopic('quiet');
    const sender = await joinedRaw(topic, '1');
    const other = await joinedRaw(topic, '2');
    sender.send(['1', '3', topic, 'shout_from', { n: 1 }]);
    assert.deepEqual(await sender.next(), okReply('1', '3', topic));
    assert.deepEqual(await other.next(), [null, null, topic, 'shout_from', { n: 1 }]);
    // A second message from the other member proves the first fan-out is complete at the sender.
    other.send(['2', '4', topic, 'back', { n: 2 }]);
    assert.deepEqual(await other.next(), okReply('2', '4', topic));
    assert.deepEqual(await sender.next(), [null, null, topic, 'back', { n: 2 }]);
    assert.deepEqual(await sender.sync(), [], 'the sender received its own broadcast');
  });

  test('routes without exclude_sender still echo broadcasts to the sender', async () => {
    const topic = uniqueTopic('room');
    const sender = await joinedRaw(topic, '1');
    sender.send(['1', '2', topic, 'shout', { n: 1 }]);
    assert.deepEqual(await sender.next(), [null, null, topic, 'shout', { n: 1 }]);
    assert.deepEqual(await sender.next(), okReply('1', '2', topic));
  });
});

describe('idle timeout', () => {
  test('a connection that sends nothing for idle_timeout_ms is closed with 1001', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const started = Date.now();
    const { code } = await client.waitClosed({ timeout: 5000 });
    assert.equal(code, 1001);
    assert.ok(Date.now() - started >= 500, `closed after only ${Date.now() - started} ms`);
  });

  test('phoenix.js closed for idleness with 1001 reconnects and rejoins its channel', async () => {
    const socket = await connectSocket(ctx.server, { reconnectAfterMs: () => 50 });
    const topic = uniqueTopic('echo');
    const channel = socket.channel(topic, {});
    const joins = new Mailbox('join replies');
    channel.join().receive('ok', () => joins.push('ok'));
    await joins.waitCount(1);
    // The default 30 s heartbeat is far beyond the 600 ms idle timeout.
    await withDeadline(
      new Promise((resolve) => socket.onOpen(resolve)),
      5000,
      'phoenix.js to reconnect after the idle close',
    );
    assert.equal(socket.closes[0]?.code, 1001);
    await joins.waitCount(2, () => true, { timeout: 5000, what: 'the rejoin reply' });
    assert.deepEqual(await pushAndWait(channel, 'ping', { back: true }), {
      status: 'ok',
      response: { back: true },
    });
  });

  test('phoenix.js heartbeats every 200 ms keep a connection open past the idle timeout', async () => {
    const socket = await connectSocket(ctx.server, { heartbeatIntervalMs: 200 });
    const { channel } = await joinChannel(socket, uniqueTopic('echo'));
    await socket.messages.waitCount(8, (m) => m.topic === 'phoenix' && m.event === 'phx_reply', {
      timeout: 6000,
      what: 'eight heartbeat replies',
    });
    assert.equal(socket.opens, 1, 'the socket was closed and reopened');
    assert.equal(socket.closes.length, 0);
    assert.equal(channel.state, 'joined');
  });
});
