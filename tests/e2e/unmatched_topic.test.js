// Topics without a route, and messages for topics the connection has not joined.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, outcome } from './lib/phoenix.js';
import { RawClient, errorReply, okReply } from './lib/raw.js';

const ctx = useServer();
const UNMATCHED = { reason: 'unmatched topic' };

describe('unmatched topics', () => {
  test('joining a topic without a route gets an error reply with a null join_ref', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('nowhere');
    client.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), errorReply(null, '1', topic, UNMATCHED));
    assert.deepEqual(await client.sync(), []);
  });

  test('a topic that only shares a prefix with a route is unmatched', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    for (const [i, topic] of ['rooms:1', 'room', 'echo', 'Room:1', 'xroom:1'].entries()) {
      client.send([`${i}`, `${i}`, topic, 'phx_join', {}]);
      assert.deepEqual(await client.next(), errorReply(null, `${i}`, topic, UNMATCHED), topic);
    }
  });

  test('a push to a topic that is not joined gets the unmatched topic error with a null join_ref', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('room');
    client.send(['3', '4', topic, 'shout', { x: 1 }]);
    assert.deepEqual(await client.next(), errorReply(null, '4', topic, UNMATCHED));
  });

  test('a push to a routed topic joined only by another connection is unmatched', async () => {
    const topic = uniqueTopic('room');
    const member = await RawClient.connect(ctx.server.wsUrl());
    member.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await member.next(), okReply('1', '1', topic));
    const outsider = await RawClient.connect(ctx.server.wsUrl());
    outsider.send(['1', '2', topic, 'shout', { sneaky: true }]);
    assert.deepEqual(await outsider.next(), errorReply(null, '2', topic, UNMATCHED));
    assert.deepEqual(await member.sync(), [], 'a non-member push was broadcast');
  });

  test('phx_leave for a topic that is not joined gets an ok reply echoing its join_ref', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('room');
    client.send(['7', '8', topic, 'phx_leave', {}]);
    assert.deepEqual(await client.next(), okReply('7', '8', topic));
    assert.deepEqual(await client.sync(), [], 'a phx_close followed the reply');
  });

  test('phx_leave with a null join_ref for a topic without a route is answered ok', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('nowhere');
    client.send([null, '2', topic, 'phx_leave', {}]);
    assert.deepEqual(await client.next(), okReply(null, '2', topic));
  });

  test('an event other than heartbeat on the "phoenix" topic is treated as an unjoined topic', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    client.send([null, '5', 'phoenix', 'ping', {}]);
    assert.deepEqual(await client.next(), errorReply(null, '5', 'phoenix', UNMATCHED));
  });

  test('phoenix.js receives the unmatched topic refusal as a join error', async () => {
    const socket = await connectSocket(ctx.server);
    const channel = socket.channel(uniqueTopic('nowhere'), {});
    const reply = await outcome(channel.join(), { what: 'the join reply' });
    assert.deepEqual(reply, { status: 'error', response: UNMATCHED });
    assert.equal(channel.state, 'errored');
    assert.equal(socket.opens, 1);
  });
});
