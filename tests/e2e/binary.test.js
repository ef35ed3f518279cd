// Binary payloads (docs/protocol.md §3): client pushes of kind 0, broadcasts of kind 2, replies of kind 1.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import {
  RawClient,
  binaryBroadcastBytes,
  binaryReplyBytes,
  encodeBinaryPush,
  okReply,
} from './lib/raw.js';

const ctx = useServer();

const arrayBufferOf = (bytes) => new Uint8Array(bytes).buffer;
const bytesOf = (arrayBuffer) => [...new Uint8Array(arrayBuffer)];

async function joinedRaw(topic, joinRef = '1') {
  const client = await RawClient.connect(ctx.server.wsUrl());
  client.send([joinRef, joinRef, topic, 'phx_join', {}]);
  assert.deepEqual(await client.next(), okReply(joinRef, joinRef, topic));
  return client;
}

describe('binary with phoenix.js', () => {
  test('a binary push on a room reaches every member as an ArrayBuffer', async () => {
    const topic = uniqueTopic('room');
    const members = [];
    for (let i = 0; i < 3; i++) {
      const socket = await connectSocket(ctx.server);
      members.push((await joinChannel(socket, topic, { events: ['bin'] })).channel);
    }
    const bytes = [0, 1, 2, 127, 128, 254, 255];
    assert.deepEqual(await pushAndWait(members[0], 'bin', arrayBufferOf(bytes)), {
      status: 'ok',
      response: {},
    });
    for (const [i, member] of members.entries()) {
      const [got] = await member.inbox.waitCount(1, () => true, { what: `the binary broadcast at member ${i}` });
      assert.ok(got.payload instanceof ArrayBuffer, `member ${i} got ${typeof got.payload}`);
      assert.deepEqual(bytesOf(got.payload), bytes);
    }
  });

  test('a binary push on an echo topic is answered with a binary reply of the same bytes', async () => {
    const socket = await connectSocket(ctx.server);
    const { channel } = await joinChannel(socket, uniqueTopic('echo'));
    const bytes = Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
    const reply = await pushAndWait(channel, 'blob', arrayBufferOf(bytes));
    assert.equal(reply.status, 'ok');
    assert.ok(reply.response instanceof ArrayBuffer, 'the reply was not binary');
    assert.deepEqual(bytesOf(reply.response), bytes);
  });

  test('a 60 000-byte binary payload is echoed intact', async () => {
    const socket = await connectSocket(ctx.server);
    const { channel } = await joinChannel(socket, uniqueTopic('echo'));
    const bytes = Array.from({ length: 60000 }, (_, i) => (i * 31 + 7) % 256);
    const reply = await pushAndWait(channel, 'big', arrayBufferOf(bytes));
    assert.equal(reply.status, 'ok');
    assert.deepEqual(bytesOf(reply.response), bytes);
  });

  test('text and binary pushes on one channel are broadcast in the order sent', async () => {
    const topic = uniqueTopic('room');
    const sender = (await joinChannel(await connectSocket(ctx.server), topic)).channel;
    const receiver = (await joinChannel(await connectSocket(ctx.server), topic, { events: ['t', 'b'] }))
      .channel;
    const pushes = [];
    for (let i = 0; i < 10; i++) {
      pushes.push(pushAndWait(sender, 't', { i }));
      pushes.push(pushAndWait(sender, 'b', arrayBufferOf([i])));
    }
    await Promise.all(pushes);
    const got = await receiver.inbox.waitCount(20);
    const flat = got.map(({ event, payload }) => (event === 't' ? `t${payload.i}` : `b${bytesOf(payload)[0]}`));
    assert.deepEqual(flat, Array.from({ length: 20 }, (_, k) => (k % 2 ? `b${k >> 1}` : `t${k >> 1}`)));
  });
});

describe('binary frames on the wire', () => {
  test('a binary broadcast is kind 2: topic_len, event_len, topic, event, payload', async () => {
    const topic = uniqueTopic('room');
    const sender = await joinedRaw(topic);
    const other = await joinedRaw(topic, '4');
    const payload = [0x0a, 0x0b, 0x00, 0xff];
    sender.sendBinary(encodeBinaryPush({ joinRef: '1', ref: '2', topic, event: 'bin', payload }));
    const expected = binaryBroadcastBytes({ topic, event: 'bin', payload });
    assert.deepEqual(await other.next(), expected);
    assert.deepEqual(await sender.next(), expected);
    assert.deepEqual(await sender.next(), okReply('1', '2', topic));
    assert.deepEqual(await other.sync(), []);
  });

  test('the binary header measures topic and event in UTF-8 bytes', async () => {
    const topic = `${uniqueTopic('room')}-ü€`;
    const sender = await joinedRaw(topic);
    const event = 'bïn😀';
    sender.sendBinary(encodeBinaryPush({ joinRef: '1', ref: '2', topic, event, payload: [1, 2, 3] }));
    const frame = await sender.next();
    assert.deepEqual(frame, binaryBroadcastBytes({ topic, event, payload: [1, 2, 3] }));
    assert.equal(frame[1], Buffer.byteLength(topic));
    assert.equal(frame[2], Buffer.byteLength(event));
  });

  test('a binary push with an empty payload is broadcast as a header-only frame', async () => {
    const topic = uniqueTopic('room');
    const sender = await joinedRaw(topic);
    sender.sendBinary(encodeBinaryPush({ joinRef: '1', ref: '2', topic, event: 'empty', payload: [] }));
    assert.deepEqual(await sender.next(), binaryBroadcastBytes({ topic, event: 'empty', payload: [] }));
    assert.deepEqual(await sender.next(), okReply('1', '2', topic));
  });

  test('a binary echo reply is kind 1: join_ref, ref, topic, status, payload', async () => {
    const topic = uniqueTopic('echo');
    const client = await joinedRaw(topic, '12');
    const payload = [0x0a, 0x0b, 0xff];
    client.sendBinary(encodeBinaryPush({ joinRef: '12', ref: '345', topic, event: 'bin', payload }));
    assert.deepEqual(
      await client.next(),
      binaryReplyBytes({ joinRef: '12', ref: '345', topic, status: 'ok', payload }),
    );
  });

  test('a binary push to a topic that is not joined gets the unmatched topic text reply', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const topic = uniqueTopic('room');
    client.sendBinary(encodeBinaryPush({ joinRef: '1', ref: '2', topic, event: 'bin', payload: [1] }));
    assert.deepEqual(await client.next(), [
      null,
      '2',
      topic,
      'phx_reply',
      { status: 'error', response: { reason: 'unmatched topic' } },
    ]);
  });
});
