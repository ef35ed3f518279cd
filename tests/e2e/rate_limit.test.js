// [limits] messages_per_second / burst / rate_limit_close_after: a flooding client gets
// {"reason":"rate_limited"} replies, then a 1008 close; other clients are unaffected.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { RawClient, errorReply, okReply } from './lib/raw.js';
import { DEFAULT_ROUTES } from './lib/server.js';

// One token per 1000 s: no refill while a test runs, however slow the machine.
const ctx = useServer({
  config: `[limits]
messages_per_second = 0.001
burst = 5
rate_limit_close_after = 3
${DEFAULT_ROUTES}`,
});

describe('rate limit', () => {
  test('messages beyond the burst are answered with rate_limited errors carrying join_ref and ref', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('echo');
    client.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('1', '1', topic));
    for (let i = 2; i <= 5; i++) client.send(['1', `${i}`, topic, 'ping', { i }]);
    for (let i = 2; i <= 5; i++) assert.deepEqual(await client.next(), okReply('1', `${i}`, topic, { i }));
    client.send(['1', '6', topic, 'ping', { i: 6 }]);
    assert.deepEqual(await client.next(), errorReply('1', '6', topic, { reason: 'rate_limited' }));
  });

  test('a client that keeps flooding after rate_limited replies is closed with 1008', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('echo');
    client.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('1', '1', topic));
    for (let i = 2; i <= 20; i++) client.send(['1', `${i}`, topic, 'ping', { i }]);
    const { code } = await client.waitClosed();
    assert.equal(code, 1008);
    const limited = client.frames.items.filter((f) => f[4]?.response?.reason === 'rate_limited');
    assert.ok(limited.length >= 3, `only ${limited.length} rate_limited replies before the close`);
  });

  test('the budget is per connection: a fresh connection is not limited by a flooding one', async () => {
    const flooder = await RawClient.connect(ctx.server.wsUrl());
    for (let i = 0; i < 20; i++) flooder.send([null, `h${i}`, 'phoenix', 'heartbeat', {}]);
    await flooder.waitClosed();
    const fresh = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('echo');
    fresh.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await fresh.next(), okReply('1', '1', topic));
  });
});
