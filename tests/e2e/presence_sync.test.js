// Presence as phoenix.js's own Presence class syncs it (docs/protocol.md §4, docs/presence.md):
// several tabs of one user, leaves, closed connections, rejoins, presence_meta, the refusal of
// joins without a key, and presence_state_limit.
//
// A room crash cannot be provoked here: no stock behaviour crashes on request. The crash path
// (a fresh room, rejoined members tracked anew, clients reconciling the new state) is covered by
// tests/actors/presence_test.cpp; a dropped connection below exercises the same client-side
// rejoin and resync.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Presence } from 'phoenix';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, outcome } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';
import { DEFAULT_ROUTES } from './lib/server.js';
import { Mailbox } from './lib/wait.js';

const ctx = useServer({
  config: `${DEFAULT_ROUTES}
[[routes]]
pattern = "team:*"
behaviour = "broadcast"
presence = true
presence_key = "user_id"
presence_meta = ["name", "device"]

[[routes]]
pattern = "crowd:*"
behaviour = "broadcast"
presence = true
presence_state_limit = 1
`,
});

/** Counts of metas per key, in the client's order: [["alice", 2], ["bob", 1]]. */
const counts = (presence) => presence.list((key, p) => [key, p.metas.length]);

/** A phoenix.js socket + channel + Presence (registered before the join) for `params`. */
async function tab(topic, params, label = params.user_id) {
  const socket = await connectSocket(ctx.server);
  const channel = socket.channel(topic, params);
  const presence = new Presence(channel);
  const syncs = new Mailbox(`presence syncs of ${label}`);
  const leaves = [];
  presence.onSync(() => syncs.push(counts(presence)));
  presence.onLeave((key, current, left) =>
    leaves.push({ key, remaining: current?.metas?.length ?? 0, refs: left.metas.map((m) => m.phx_ref) }),
  );
  const reply = await outcome(channel.join(), { what: `the join of ${label}` });
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
  return { socket, channel, presence, syncs, leaves };
}

/** Waits until the latest onSync of `member` shows exactly `expected` (keys and meta counts). */
function synced(member, expected) {
  const want = JSON.stringify(expected);
  return member.syncs.until(
    () => {
      const latest = member.syncs.items.at(-1);
      return JSON.stringify(latest) === want ? latest : undefined;
    },
    { what: `presence ${want}` },
  );
}

const refsOf = (member, key) =>
  member.presence.list((k, p) => (k === key ? p.metas.map((m) => m.phx_ref) : [])).flat();

describe('presence through phoenix.js Presence', () => {
  test('two users, one with two tabs: every Presence lists both keys with the right meta counts', async () => {
    const topic = uniqueTopic('presence');
    const alice1 = await tab(topic, { user_id: 'alice' });
    const bob = await tab(topic, { user_id: 'bob' });
    const alice2 = await tab(topic, { user_id: 'alice' });
    const expected = [['alice', 2], ['bob', 1]];
    for (const member of [alice1, bob, alice2]) await synced(member, expected);
    const refs = refsOf(bob, 'alice');
    assert.equal(new Set(refs).size, 2);
    assert.deepEqual(refsOf(alice1, 'alice'), refs, 'every client sees the same metas in the same order');
    assert.deepEqual(refsOf(alice2, 'alice'), refs);
  });

  test('a tab that leaves and a tab whose connection closes produce leaves of their own metas', async () => {
    const topic = uniqueTopic('presence');
    const alice1 = await tab(topic, { user_id: 'alice' });
    const alice2 = await tab(topic, { user_id: 'alice' });
    const bob = await tab(topic, { user_id: 'bob' });
    await synced(bob, [['alice', 2], ['bob', 1]]);
    const [ref1, ref2] = refsOf(bob, 'alice');

    assert.equal((await outcome(alice1.channel.leave(), { what: 'the leave reply' })).status, 'ok');
    await synced(bob, [['alice', 1], ['bob', 1]]);
    await synced(alice2, [['alice', 1], ['bob', 1]]);
    assert.deepEqual(bob.leaves, [{ key: 'alice', remaining: 1, refs: [ref1] }]);

    await new Promise((resolve) => alice2.socket.disconnect(resolve));
    await synced(bob, [['bob', 1]]);
    assert.deepEqual(bob.leaves.at(-1), { key: 'alice', remaining: 0, refs: [ref2] });
  });

  test('a dropped connection rejoins with a new join_ref and its Presence resyncs from a new state', async () => {
    const topic = uniqueTopic('presence');
    const alice = await tab(topic, { user_id: 'alice' });
    const bob = await tab(topic, { user_id: 'bob' });
    await synced(alice, [['alice', 1], ['bob', 1]]);
    const [oldBobRef] = refsOf(alice, 'bob');
    const oldJoinRef = bob.channel.joinRef();
    const states = new Mailbox('presence_state frames of bob');
    bob.channel.on('presence_state', (state) => states.push(state));

    bob.socket.conn.terminate(); // no close frame: phoenix.js reconnects and rejoins
    const state = await states.next({ what: 'the presence_state after the rejoin' });
    assert.notEqual(bob.channel.joinRef(), oldJoinRef);
    assert.deepEqual(Object.keys(state).sort(), ['alice', 'bob']);
    await synced(bob, [['alice', 1], ['bob', 1]]);
    assert.notDeepEqual(refsOf(bob, 'bob'), [oldBobRef], 'bob is tracked anew');

    // Alice saw the old meta leave and the new one join, and ends with exactly one.
    await alice.syncs.until(() => {
      const refs = refsOf(alice, 'bob');
      return refs.length === 1 && refs[0] !== oldBobRef ? true : undefined;
    }, { what: 'bob’s new meta replacing the old one' });
    assert.ok(alice.leaves.some((l) => l.key === 'bob' && l.refs.includes(oldBobRef)));
    assert.deepEqual(counts(alice.presence), [['alice', 1], ['bob', 1]]);
  });

  test('presence_meta fields of the join payload and online_at are in the meta', async () => {
    const topic = uniqueTopic('team');
    const before = Date.now();
    const carol = await tab(topic, { user_id: 42, name: 'Carol', device: 'phone', secret: 'x' }, 'carol');
    await synced(carol, [['42', 1]]);
    const [meta] = carol.presence.list((_k, p) => p.metas)[0];
    assert.equal(meta.name, 'Carol');
    assert.equal(meta.device, 'phone');
    assert.equal(meta.secret, undefined, 'only the listed fields are copied');
    assert.equal(typeof meta.phx_ref, 'string');
    assert.equal(meta.phx_ref.length, 16);
    assert.ok(meta.online_at >= before - 1000 && meta.online_at <= Date.now() + 1000, `${meta.online_at}`);
  });
});

describe('presence on the wire', () => {
  test('a join without the presence key is refused and tracks nothing', async () => {
    const topic = uniqueTopic('presence');
    const watcher = await RawClient.connect(ctx.server.wsUrl());
    watcher.send(['1', '1', topic, 'phx_join', { user_id: 'watcher' }]);
    assert.deepEqual(await watcher.next(), okReply('1', '1', topic));

    const client = await RawClient.connect(ctx.server.wsUrl());
    for (const [ref, payload] of [['2', {}], ['3', { user_id: null }], ['4', { user_id: '' }], ['5', { user_id: true }]]) {
      client.send([ref, ref, topic, 'phx_join', payload]);
      assert.deepEqual(await client.next(), [
        ref, ref, topic, 'phx_reply', { status: 'error', response: { reason: 'missing presence key user_id' } },
      ]);
    }
    assert.deepEqual(await client.sync(), [], 'nothing but the refusals');
    const seen = await watcher.sync();
    assert.deepEqual(seen.filter((f) => f[3] === 'presence_diff' && !('watcher' in f[4].joins)), []);
  });

  test('a duplicate join: the joiner gets its new reply first; the others see the old meta leave and the new one join', async () => {
    const topic = uniqueTopic('presence');
    const watcher = await RawClient.connect(ctx.server.wsUrl());
    watcher.send(['1', '1', topic, 'phx_join', { user_id: 'watcher' }]);
    assert.deepEqual(await watcher.next(), okReply('1', '1', topic));
    const client = await RawClient.connect(ctx.server.wsUrl());
    client.send(['1', '1', topic, 'phx_join', { user_id: 'dan' }]);
    assert.deepEqual(await client.next(), okReply('1', '1', topic));
    const first = await client.waitFor((f) => f[3] === 'presence_state', { what: 'the first state' });
    const oldRef = first[4].dan.metas[0].phx_ref;
    await client.sync();
    client.frames.takeUnread();

    client.send(['5', '5', topic, 'phx_join', { user_id: 'dan' }]);
    // Presence frames come at the end of the batch window (docs/presence.md, Batching).
    await client.waitFor((f) => f[3] === 'presence_state' && f[0] === '5', { what: 'the new state' });
    const after = await client.sync();
    assert.deepEqual(after[0], okReply('5', '5', topic), 'the new join reply comes first');
    assert.deepEqual(after[1], ['1', '1', topic, 'phx_close', {}]);
    const state = after.find((f) => f[3] === 'presence_state');
    assert.equal(state[0], '5', 'the new state carries the new join_ref');
    const newRef = state[4].dan.metas[0].phx_ref;
    assert.notEqual(newRef, oldRef);
    assert.deepEqual(state[4].dan.metas.length, 1);

    const diffs = (await watcher.sync()).filter((f) => f[3] === 'presence_diff').map((f) => f[4]);
    const leaves = diffs.filter((d) => d.leaves.dan).map((d) => d.leaves.dan.metas[0].phx_ref);
    const joins = diffs.filter((d) => d.joins.dan).map((d) => d.joins.dan.metas[0].phx_ref);
    assert.deepEqual(leaves, [oldRef]);
    assert.deepEqual(joins, [oldRef, newRef]);
  });

  test('above presence_state_limit keys a joiner gets no presence_state, but diffs still flow', async () => {
    const topic = uniqueTopic('crowd');
    const first = await RawClient.connect(ctx.server.wsUrl());
    first.send(['1', '1', topic, 'phx_join', { user_id: 'u1' }]);
    assert.deepEqual(await first.next(), okReply('1', '1', topic));
    // One key is within the limit of 1: the state comes at the end of the batch window.
    await first.waitFor((f) => f[3] === 'presence_state', { what: 'the state of u1' });
    await first.sync();

    const second = await RawClient.connect(ctx.server.wsUrl());
    second.send(['1', '1', topic, 'phx_join', { user_id: 'u2' }]);
    assert.deepEqual(await second.next(), okReply('1', '1', topic));
    await second.waitFor((f) => f[3] === 'presence_diff', { what: 'the diff joining u2' });
    const secondFrames = await second.sync();
    assert.deepEqual(secondFrames.map((f) => f[3]), ['presence_diff'], 'two keys exceed the limit');
    assert.ok('u2' in secondFrames[0][4].joins);
    const seen = await first.sync();
    assert.ok(seen.some((f) => f[3] === 'presence_diff' && 'u2' in f[4].joins));
  });
});
