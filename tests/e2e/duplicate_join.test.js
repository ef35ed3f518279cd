// A second phx_join for a joined topic replaces the channel: new reply first, then the old phx_close.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();

async function joinTwice(topic) {
  const client = await RawClient.connect(ctx.server.wsUrl());
  client.send(['1', '1', topic, 'phx_join', {}]);
  assert.deepEqual(await client.next(), okReply('1', '1', topic));
  client.send(['5', '5', topic, 'phx_join', {}]);
  return client;
}

describe('duplicate join', () => {
  test("the new join's reply comes first, then phx_close for the old join_ref", async () => {
    const topic = uniqueTopic('room');
    const client = await joinTwice(topic);
    assert.deepEqual(await client.next(), okReply('5', '5', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
    assert.deepEqual(await client.sync(), []);
  });

  test('after a duplicate join, each broadcast is delivered once', async () => {
    const topic = uniqueTopic('room');
    const client = await joinTwice(topic);
    assert.deepEqual(await client.next(), okReply('5', '5', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);

    const other = await RawClient.connect(ctx.server.wsUrl());
    other.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await other.next(), okReply('1', '1', topic));
    other.send(['1', '2', topic, 'shout', { once: true }]);
    assert.deepEqual(await other.next(), [null, null, topic, 'shout', { once: true }]);
    assert.deepEqual(await other.next(), okReply('1', '2', topic));
    // The broadcast was fanned out before the sender's reply; one more room message flushes it.
    other.send(['1', '3', topic, 'shout', { second: true }]);
    assert.deepEqual(await other.next(), [null, null, topic, 'shout', { second: true }]);

    assert.deepEqual(await client.next(), [null, null, topic, 'shout', { once: true }]);
    assert.deepEqual(await client.next(), [null, null, topic, 'shout', { second: true }]);
    assert.deepEqual(await client.sync(), [], 'a broadcast was delivered twice');
  });

  test('pushes with the new join_ref are answered with the new join_ref', async () => {
    const topic = uniqueTopic('echo');
    const client = await joinTwice(topic);
    assert.deepEqual(await client.next(), okReply('5', '5', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
    client.send(['5', '6', topic, 'ping', { n: 6 }]);
    assert.deepEqual(await client.next(), okReply('5', '6', topic, { n: 6 }));
  });

  test('a push carrying the replaced join_ref is dropped without a reply', async () => {
    const topic = uniqueTopic('echo');
    const client = await joinTwice(topic);
    assert.deepEqual(await client.next(), okReply('5', '5', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
    client.send(['1', '7', topic, 'ping', { stale: true }]);
    assert.deepEqual(await client.sync(), [], 'a push with an outdated join_ref was answered');
  });

  test('joining the same topic three times closes each replaced join in turn', async () => {
    const topic = uniqueTopic('room');
    const client = await joinTwice(topic);
    assert.deepEqual(await client.next(), okReply('5', '5', topic));
    assert.deepEqual(await client.next(), ['1', '1', topic, 'phx_close', {}]);
    client.send(['8', '8', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('8', '8', topic));
    assert.deepEqual(await client.next(), ['5', '5', topic, 'phx_close', {}]);
  });
});
