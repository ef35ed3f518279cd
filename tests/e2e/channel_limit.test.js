// [limits] max_channels caps the channels one connection may have joined at once.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { RawClient, errorReply, okReply } from './lib/raw.js';
import { DEFAULT_ROUTES } from './lib/server.js';

const ctx = useServer({ config: `[limits]\nmax_channels = 2\n${DEFAULT_ROUTES}` });
const TOO_MANY = { reason: 'too many channels joined' };

async function clientWithTwoChannels() {
  const client = await RawClient.connect(ctx.server.wsUrl());
  const topics = [uniqueTopic('room'), uniqueTopic('echo')];
  for (const [i, topic] of topics.entries()) {
    client.send([`${i + 1}`, `${i + 1}`, topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply(`${i + 1}`, `${i + 1}`, topic));
  }
  return { client, topics };
}

describe('channel limit', () => {
  test('the join beyond max_channels is refused with "too many channels joined" and its join_ref', async () => {
    const { client } = await clientWithTwoChannels();
    const third = uniqueTopic('room');
    client.send(['3', '3', third, 'phx_join', {}]);
    assert.deepEqual(await client.next(), errorReply('3', '3', third, TOO_MANY));
    client.send(['3', '4', third, 'shout', {}]);
    assert.deepEqual(
      await client.next(),
      errorReply(null, '4', third, { reason: 'unmatched topic' }),
      'the refused topic was joined anyway',
    );
  });

  test('the joined channels keep working after a refused join', async () => {
    const { client, topics } = await clientWithTwoChannels();
    client.send(['3', '3', uniqueTopic('echo'), 'phx_join', {}]);
    assert.equal((await client.next())[4].status, 'error');
    client.send(['2', '9', topics[1], 'ping', { ok: 1 }]);
    assert.deepEqual(await client.next(), okReply('2', '9', topics[1], { ok: 1 }));
  });

  test('leaving a channel frees a slot for another join', async () => {
    const { client, topics } = await clientWithTwoChannels();
    client.send(['1', '5', topics[0], 'phx_leave', {}]);
    assert.deepEqual(await client.next(), okReply('1', '5', topics[0]));
    assert.deepEqual(await client.next(), ['1', '1', topics[0], 'phx_close', {}]);
    const third = uniqueTopic('room');
    client.send(['6', '6', third, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('6', '6', third));
  });

  test('the limit counts per connection, not per server', async () => {
    await clientWithTwoChannels();
    const { client } = await clientWithTwoChannels();
    assert.deepEqual(await client.sync(), []);
  });

  test('rejoining an already joined topic at the limit replaces it instead of being refused', async () => {
    const { client, topics } = await clientWithTwoChannels();
    client.send(['7', '7', topics[0], 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('7', '7', topics[0]));
    assert.deepEqual(await client.next(), ['1', '1', topics[0], 'phx_close', {}]);
  });

  test('an unmatched topic at the limit is refused as unmatched, not as too many', async () => {
    const { client } = await clientWithTwoChannels();
    const topic = uniqueTopic('nowhere');
    client.send(['3', '3', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), errorReply(null, '3', topic, { reason: 'unmatched topic' }));
  });
});
