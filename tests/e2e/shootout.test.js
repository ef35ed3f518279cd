// The `shootout` stock behaviour as the websocket-shootout benchmark drives it: V1 object frames
// with `"ref": ""`, a null join payload, and no heartbeats (so the idle timeout is off).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { RawClient } from './lib/raw.js';
import { DEFAULT_ROUTES } from './lib/server.js';

const ctx = useServer({
  config: `
[limits]
idle_timeout_ms = 0

[[routes]]
pattern = "shootout:*"
behaviour = "shootout"
${DEFAULT_ROUTES}`,
});

const v1 = (topic, event, payload, ref = '') => ({ topic, event, payload, ref });
const v1Reply = (topic, response, status = 'ok', ref = '') =>
  v1(topic, 'phx_reply', { status, response }, ref);

/** Connects a V1 client (no vsn, as the benchmark does) and joins `topic` with a null payload. */
async function joined(topic) {
  const client = await RawClient.connect(ctx.server.wsUrl(''));
  client.send(v1(topic, 'phx_join', null));
  assert.deepEqual(await client.next(), v1Reply(topic, {}));
  return client;
}

describe('shootout', () => {
  test('a join with a null payload and ref "" is accepted with {}', async () => {
    await joined(uniqueTopic('shootout'));
  });

  test('echo replies with the body tagged "echo"', async () => {
    const topic = uniqueTopic('shootout');
    const client = await joined(topic);
    const body = { time: 1712345678901, payload: 'x'.repeat(64) };
    client.send(v1(topic, 'echo', { body }));
    assert.deepEqual(await client.next(), v1Reply(topic, { body, type: 'echo' }));
    assert.deepEqual(await client.sync({ v1: true }), []);
  });

  test('broadcast reaches every member, the sender included, then the sender gets broadcastResult', async () => {
    const topic = uniqueTopic('shootout');
    const sender = await joined(topic);
    const others = [await joined(topic), await joined(topic)];
    const body = { time: 42 };
    sender.send(v1(topic, 'broadcast', { body }));
    const broadcast = v1(topic, 'broadcast', { body, type: 'broadcast' }, null);
    assert.deepEqual(await sender.next(), broadcast);
    assert.deepEqual(await sender.next(), v1Reply(topic, { body, type: 'broadcastResult' }));
    for (const other of others) {
      assert.deepEqual(await other.next(), broadcast);
      assert.deepEqual(await other.sync({ v1: true }), []);
    }
  });

  test('a payload without body gives body null; an unknown event is an error reply', async () => {
    const topic = uniqueTopic('shootout');
    const client = await joined(topic);
    client.send(v1(topic, 'echo', {}));
    assert.deepEqual(await client.next(), v1Reply(topic, { body: null, type: 'echo' }));
    client.send(v1(topic, 'shout', { body: 1 }));
    assert.deepEqual(await client.next(), v1Reply(topic, { reason: 'unknown event' }, 'error'));
  });
});
