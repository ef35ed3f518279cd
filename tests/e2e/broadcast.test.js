// Broadcast on room:* topics: every member, sender included, gets every message in order.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();

async function joinedMembers(topic, count, events) {
  const members = [];
  for (let i = 0; i < count; i++) {
    const socket = await connectSocket(ctx.server);
    const { channel, reply } = await joinChannel(socket, topic, { events });
    assert.equal(reply.status, 'ok');
    members.push(channel);
  }
  return members;
}

describe('broadcast', () => {
  test('fifty messages from one member reach all three members, sender included, in order', async () => {
    const topic = uniqueTopic('room');
    const members = await joinedMembers(topic, 3, ['msg']);
    const sender = members[0];
    const replies = [];
    for (let seq = 0; seq < 50; seq++) replies.push(pushAndWait(sender, 'msg', { seq, body: `m${seq}` }));
    for (const reply of await Promise.all(replies)) assert.deepEqual(reply, { status: 'ok', response: {} });

    const expected = Array.from({ length: 50 }, (_, seq) => ({ seq, body: `m${seq}` }));
    for (const [i, member] of members.entries()) {
      const received = await member.inbox.waitCount(50, () => true, { what: `50 messages at member ${i}` });
      assert.deepEqual(
        received.map((m) => m.payload),
        expected,
        `member ${i} got messages out of order or altered`,
      );
    }
  });

  test('messages from several senders keep each sender’s order at every member', async () => {
    const topic = uniqueTopic('room');
    const members = await joinedMembers(topic, 3, ['say']);
    const pushes = [];
    for (let seq = 0; seq < 20; seq++) {
      members.forEach((member, from) => pushes.push(pushAndWait(member, 'say', { from, seq })));
    }
    await Promise.all(pushes);
    for (const [i, member] of members.entries()) {
      const received = await member.inbox.waitCount(60, () => true, { what: `60 messages at member ${i}` });
      assert.equal(received.length, 60, `member ${i} got duplicates`);
      for (let from = 0; from < 3; from++) {
        const seqs = received.filter((m) => m.payload.from === from).map((m) => m.payload.seq);
        assert.deepEqual(seqs, [...Array(20).keys()], `member ${i}: order of sender ${from}`);
      }
    }
  });

  test('a broadcast frame is [null, null, topic, event, payload] and precedes the sender’s reply', async () => {
    const topic = uniqueTopic('room');
    const sender = await RawClient.connect(ctx.server.wsUrl());
    const other = await RawClient.connect(ctx.server.wsUrl());
    sender.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await sender.next(), okReply('1', '1', topic));
    other.send(['5', '5', topic, 'phx_join', {}]);
    assert.deepEqual(await other.next(), okReply('5', '5', topic));

    const payload = { body: 'hi', list: [1, 2], deep: { x: null } };
    sender.send(['1', '2', topic, 'shout', payload]);
    const frame = [null, null, topic, 'shout', payload];
    assert.deepEqual(await sender.next(), frame);
    assert.deepEqual(await sender.next(), okReply('1', '2', topic));
    assert.deepEqual(await other.next(), frame);
    assert.deepEqual(await other.sync(), [], 'the other member got more than the broadcast');
    assert.deepEqual(await sender.sync(), [], 'the sender got more than broadcast and reply');
  });

  test('members of another topic and unjoined connections receive nothing', async () => {
    const topic = uniqueTopic('room');
    const member = await RawClient.connect(ctx.server.wsUrl());
    const elsewhere = await RawClient.connect(ctx.server.wsUrl());
    const unjoined = await RawClient.connect(ctx.server.wsUrl());
    member.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await member.next(), okReply('1', '1', topic));
    const otherTopic = uniqueTopic('room');
    elsewhere.send(['1', '1', otherTopic, 'phx_join', {}]);
    assert.deepEqual(await elsewhere.next(), okReply('1', '1', otherTopic));

    member.send(['1', '2', topic, 'shout', { n: 1 }]);
    assert.deepEqual(await member.next(), [null, null, topic, 'shout', { n: 1 }]);
    assert.deepEqual(await member.next(), okReply('1', '2', topic));
    // Let a second broadcast pass through the same room so that the first has surely been fanned out.
    member.send(['1', '3', topic, 'shout', { n: 2 }]);
    assert.deepEqual(await member.next(), [null, null, topic, 'shout', { n: 2 }]);
    assert.deepEqual(await elsewhere.sync(), []);
    assert.deepEqual(await unjoined.sync(), []);
  });

  test('a member that disconnected no longer affects delivery to the others', async () => {
    const topic = uniqueTopic('room');
    const [a, b] = await joinedMembers(topic, 2, ['msg']);
    const leaver = await RawClient.connect(ctx.server.wsUrl());
    leaver.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await leaver.next(), okReply('1', '1', topic));
    await leaver.close();

    assert.deepEqual(await pushAndWait(a, 'msg', { after: 'close' }), { status: 'ok', response: {} });
    const [got] = await b.inbox.waitCount(1);
    assert.deepEqual(got, { event: 'msg', payload: { after: 'close' } });
  });
});
