// presence:* topics (default route: presence keyed by the join param "user_id"), seen through
// phoenix.js's own Presence class and on the wire (docs/protocol.md §4).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Presence } from 'phoenix';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, outcome } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';
import { Mailbox } from './lib/wait.js';

const ctx = useServer();

/** Joins `topic` as `user` with a Presence registered before the join, as phoenix.js requires. */
async function presenceMember(topic, user) {
  const socket = await connectSocket(ctx.server);
  const channel = socket.channel(topic, { user_id: user });
  const presence = new Presence(channel);
  presence.syncs = new Mailbox(`presence of ${user}`);
  presence.leaves = [];
  presence.onSync(() => presence.syncs.push(presence.list((key) => key).sort()));
  presence.onLeave((key, current) => presence.leaves.push({ key, remaining: current?.metas?.length ?? 0 }));
  const reply = await outcome(channel.join(), { what: `the join of ${user}` });
  assert.equal(reply.status, 'ok');
  return { socket, channel, presence };
}

/** Waits until the member's latest synced presence list is exactly `users`. */
const listed = (member, users) =>
  member.presence.syncs.until(
    () => {
      const latest = member.presence.syncs.items.at(-1);
      return JSON.stringify(latest) === JSON.stringify(users) ? latest : undefined;
    },
    { what: `presence list ${JSON.stringify(users)}` },
  );

describe('presence with phoenix.js', () => {
  test('every member’s Presence lists all members after they join', async () => {
    const topic = uniqueTopic('presence');
    const alice = await presenceMember(topic, 'alice');
    await listed(alice, ['alice']);
    const bob = await presenceMember(topic, 'bob');
    await listed(bob, ['alice', 'bob']);
    await listed(alice, ['alice', 'bob']);
  });

  test('a member that leaves disappears from the others’ lists', async () => {
    const topic = uniqueTopic('presence');
    const alice = await presenceMember(topic, 'alice');
    const bob = await presenceMember(topic, 'bob');
    await listed(alice, ['alice', 'bob']);
    assert.equal((await outcome(bob.channel.leave(), { what: 'the leave reply' })).status, 'ok');
    await listed(alice, ['alice']);
    assert.deepEqual(alice.presence.leaves, [{ key: 'bob', remaining: 0 }]);
  });

  test('a member whose connection closes disappears from the others’ lists', async () => {
    const topic = uniqueTopic('presence');
    const alice = await presenceMember(topic, 'alice');
    const carol = await presenceMember(topic, 'carol');
    await listed(alice, ['alice', 'carol']);
    await new Promise((resolve) => carol.socket.disconnect(resolve));
    await listed(alice, ['alice']);
  });

  test('one user on two connections is one key with two metas', async () => {
    const topic = uniqueTopic('presence');
    const first = await presenceMember(topic, 'dave');
    await presenceMember(topic, 'dave');
    await first.presence.syncs.until(
      () => (first.presence.list((_k, p) => p.metas.length)[0] === 2 ? true : undefined),
      { what: 'two metas under "dave"' },
    );
    assert.deepEqual(first.presence.list((key) => key), ['dave']);
    const refs = first.presence.list((_k, p) => p.metas.map((m) => m.phx_ref))[0];
    assert.equal(new Set(refs).size, 2, 'the two metas share a phx_ref');
  });

  test('broadcasts still reach every member of a presence topic', async () => {
    const topic = uniqueTopic('presence');
    const socket = await connectSocket(ctx.server);
    const { channel } = await joinChannel(socket, topic, { params: { user_id: 'erin' }, events: ['msg'] });
    const other = await presenceMember(topic, 'frank');
    other.channel.push('msg', { hi: 1 });
    const [got] = await channel.inbox.waitCount(1);
    assert.deepEqual(got.payload, { hi: 1 });
  });
});

describe('presence on the wire', () => {
  test('presence_state carries the join_ref and a null ref; diffs are broadcasts with joins and leaves', async () => {
    const topic = uniqueTopic('presence');
    const client = await RawClient.connect(ctx.server.wsUrl());
    client.send(['1', '1', topic, 'phx_join', { user_id: 'gus' }]);
    assert.deepEqual(await client.next(), okReply('1', '1', topic));

    const state = await client.waitFor((f) => f[3] === 'presence_state', { what: 'presence_state' });
    assert.deepEqual(state.slice(0, 4), ['1', null, topic, 'presence_state']);
    assert.deepEqual(Object.keys(state[4]), ['gus']);
    const [meta] = state[4].gus.metas;
    assert.equal(typeof meta.phx_ref, 'string');

    const other = await RawClient.connect(ctx.server.wsUrl());
    other.send(['7', '7', topic, 'phx_join', { user_id: 'hal' }]);
    assert.deepEqual(await other.next(), okReply('7', '7', topic));
    const diff = await client.waitFor(
      (f) => f[3] === 'presence_diff' && f[4].joins && 'hal' in f[4].joins,
      { what: 'the presence_diff joining hal' },
    );
    assert.deepEqual(diff.slice(0, 4), [null, null, topic, 'presence_diff']);
    assert.deepEqual(Object.keys(diff[4]).sort(), ['joins', 'leaves']);
    assert.equal(typeof diff[4].joins.hal.metas[0].phx_ref, 'string');

    await other.close();
    const leave = await client.waitFor(
      (f) => f[3] === 'presence_diff' && f[4].leaves && 'hal' in f[4].leaves,
      { what: 'the presence_diff leaving hal' },
    );
    assert.deepEqual(leave[4].leaves.hal.metas[0].phx_ref, diff[4].joins.hal.metas[0].phx_ref);
    assert.deepEqual(leave[4].joins, {});
  });
});
