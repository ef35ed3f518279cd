// Joining channels and request/reply pushes, through phoenix.js and on the wire.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();

describe('joining', () => {
  test('phoenix.js joins a room topic and gets an ok reply with an empty response', async () => {
    const socket = await connectSocket(ctx.server);
    const { channel, reply } = await joinChannel(socket, uniqueTopic('room'));
    assert.deepEqual(reply, { status: 'ok', response: {} });
    assert.equal(channel.state, 'joined');
  });

  test('phoenix.js joins with params and the join is still accepted', async () => {
    const socket = await connectSocket(ctx.server);
    const { reply } = await joinChannel(socket, uniqueTopic('echo'), {
      params: { user: 'ada', nested: { list: [1, 2, 3] } },
    });
    assert.deepEqual(reply, { status: 'ok', response: {} });
  });

  test('the join reply echoes the join_ref and ref of the phx_join exactly', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('room');
    client.send(['7', '8', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('7', '8', topic));
  });

  test('one connection can join several topics, each with its own join_ref', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topics = [uniqueTopic('room'), uniqueTopic('echo'), uniqueTopic('presence')];
    // presence:* routes key members by the join param user_id and refuse joins without it.
    topics.forEach((topic, i) => client.send([`j${i}`, `j${i}`, topic, 'phx_join', { user_id: `u${i}` }]));
    const replies = [];
    for (let i = 0; i < topics.length; i++) replies.push(await client.next());
    // Each join is answered by its own channel; only the set of replies is specified.
    for (let i = 0; i < topics.length; i++) {
      const reply = replies.find((frame) => frame[2] === topics[i]);
      assert.ok(reply, `no reply for ${topics[i]} in ${JSON.stringify(replies)}`);
      assert.deepEqual(reply.slice(0, 4), [`j${i}`, `j${i}`, topics[i], 'phx_reply']);
      assert.equal(reply[4].status, 'ok');
    }
  });
});

describe('request/reply on echo topics', () => {
  test('a push on an echo topic is answered with ok and the payload as the response', async () => {
    const socket = await connectSocket(ctx.server);
    const { channel } = await joinChannel(socket, uniqueTopic('echo'));
    const payload = { text: 'héllo ✓ 😀', n: 42, f: 1.5, nested: { list: [true, null, 'x'] } };
    assert.deepEqual(await pushAndWait(channel, 'ping', payload), { status: 'ok', response: payload });
  });

  test('an empty object payload is echoed as an empty object', async () => {
    const socket = await connectSocket(ctx.server);
    const { channel } = await joinChannel(socket, uniqueTopic('echo'));
    assert.deepEqual(await pushAndWait(channel, 'anything', {}), { status: 'ok', response: {} });
  });

  test('concurrent pushes are each answered with their own payload', async () => {
    const socket = await connectSocket(ctx.server);
    const { channel } = await joinChannel(socket, uniqueTopic('echo'));
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => pushAndWait(channel, `e${i}`, { i })),
    );
    replies.forEach((reply, i) => assert.deepEqual(reply, { status: 'ok', response: { i } }));
  });

  test("the reply to a push carries the channel's join_ref and the push's ref", async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('echo');
    client.send(['3', '3', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('3', '3', topic));
    client.send(['3', '9', topic, 'ping', { a: [1, { b: 'c' }] }]);
    assert.deepEqual(await client.next(), okReply('3', '9', topic, { a: [1, { b: 'c' }] }));
  });

  test('a push carrying a null join_ref on a joined topic is accepted', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('echo');
    client.send(['3', '3', topic, 'phx_join', {}]);
    assert.deepEqual(await client.next(), okReply('3', '3', topic));
    client.send([null, '4', topic, 'ping', { z: 1 }]);
    assert.deepEqual(await client.next(), okReply('3', '4', topic, { z: 1 }));
  });

  test('extra elements after the fifth in a V2 frame are ignored', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('echo');
    client.send(['1', '1', topic, 'phx_join', {}, 'extra', 7]);
    assert.deepEqual(await client.next(), okReply('1', '1', topic));
  });
});
