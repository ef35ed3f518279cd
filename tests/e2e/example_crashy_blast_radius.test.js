// One client must not be able to widen a crash's blast radius. Against switchboard-crashy with a
// single registry partition (so every room shares the attacker's partition and its supervisors),
// a raw client causes 1,000 member-level crashes (`crash` and `fail`, over 40 topics of its own
// and one room it shares with two bystanders) and a burst of 50 room-level crashes
// (`crash_room`, five times what rooms_0's restart intensity of 10 per second would absorb were
// rooms restarted). Forty phoenix.js bystanders, each alone in its own room:* topic, and the two
// sharing a crash:* room with the attacker must notice nothing: no phx_error, no phx_close, no
// reconnect, and every one of them still round-trips a message. Runs against switchboard-crashy
// (ctest: e2e_example_crashy_blast_radius); skipped for other binaries.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { useServer } from './lib/fixture.js';
import { metric, readMetrics } from './lib/metrics.js';
import { connectSocket, pushAndWait } from './lib/phoenix.js';
import { RawClient } from './lib/raw.js';
import { DEFAULT_ROUTES } from './lib/server.js';
import { Mailbox } from './lib/wait.js';

const BINARY = 'switchboard-crashy';
const skip =
  path.basename(process.env.SWITCHBOARD_BIN ?? '') !== BINARY &&
  `needs SWITCHBOARD_BIN=<build>/examples/crashy/${BINARY}`;

const BYSTANDERS = 40;
const ATTACK_TOPICS = 40; // crash:* topics the attacker has to itself; plus the shared one
const MEMBER_CRASHES = 1000;
const ROOM_CRASHES = 50;
const SHARED_TOPIC = 'crash:shared';

const CONFIG = `
[limits]
idle_timeout_ms = 0
# The attacker's ~2,100 frames go through at full speed; the bucket still bounds every client.
messages_per_second = 5000.0
burst = 5000.0

[runtime]
# One partition: the bystanders' rooms share rooms_0, partition_0 and the shard with the attack.
registry_partitions = 1
${DEFAULT_ROUTES}
[[routes]]
pattern = "crash:*"
behaviour = "crashy"
`;

const ctx = skip ? null : useServer({ config: CONFIG });

/** A phoenix.js bystander: one socket, one channel, everything it goes through recorded. */
async function bystander(topic) {
  const socket = await connectSocket(ctx.server);
  const channel = socket.channel(topic, {});
  const seen = { errors: [], closes: [], joins: [], inbox: new Mailbox(`${topic} events`) };
  channel.onError((payload) => seen.errors.push(payload));
  channel.onClose(() => seen.closes.push('closed'));
  channel.on('shout', (payload) => seen.inbox.push(payload));
  const joined = new Mailbox(`${topic} join`);
  channel
    .join()
    .receive('ok', (response) => {
      seen.joins.push({ status: 'ok', response });
      joined.push('ok');
    })
    .receive('error', (response) => seen.joins.push({ status: 'error', response }));
  await joined.next({ what: `the join of ${topic}` });
  return { topic, socket, channel, seen };
}

/**
 * Reads the attacker's frames incrementally: join replies, other replies and phx_errors, each
 * keyed by join_ref, and everything else as unexpected.
 */
class Tally {
  constructor(client) {
    this.client = client;
    this.cursor = 0;
    this.joinOk = new Set();
    this.errors = new Set();
    this.replies = [];
    this.unexpected = [];
  }

  scan() {
    const items = this.client.frames.items;
    for (; this.cursor < items.length; this.cursor += 1) {
      const f = items[this.cursor];
      const [joinRef, ref, , event, payload] = Array.isArray(f) ? f : [];
      if (event === 'phx_reply' && ref === joinRef && payload?.status === 'ok') this.joinOk.add(joinRef);
      else if (event === 'phx_error' && ref === joinRef && payload?.reason === 'channel_crash') this.errors.add(joinRef);
      else if (event === 'phx_reply' && payload?.status === 'ok') this.replies.push(f);
      else this.unexpected.push(f);
    }
  }

  /** Waits until every join_ref in `refs` is in `set` (this.joinOk or this.errors). */
  async waitAll(set, refs, what) {
    await this.client.frames.until(
      () => {
        this.scan();
        return refs.every((r) => set.has(r)) ? true : undefined;
      },
      { timeout: 10000, what },
    );
  }
}

describe('crashy example: blast radius', { skip }, () => {
  test('1,000 member crashes and 50 room crashes reach no bystander and restart nothing but rooms', async () => {
    const bystanders = await Promise.all([
      ...Array.from({ length: BYSTANDERS }, (_, n) => bystander(`room:bystander-${n}`)),
      bystander(SHARED_TOPIC),
      bystander(SHARED_TOPIC),
    ]);
    const attacker = await RawClient.connect(ctx.server.wsUrl('vsn=2.0.0'), { label: 'attacker' });
    const tally = new Tally(attacker);
    const before = await readMetrics(ctx.server);
    const outputBefore = ctx.server.output().length;

    let nextRef = 0;
    const ref = () => String((nextRef += 1));

    // Member-level crashes: each round joins every attack topic and the shared room and sends one
    // crash or fail to each (the connection handles the crash after the join's outcome), then
    // waits for every phx_error: phoenix.js would rejoin after one too.
    const memberTopics = [...Array.from({ length: ATTACK_TOPICS }, (_, k) => `crash:attack-${k}`), SHARED_TOPIC];
    let memberCrashes = 0;
    const memberRound = async () => {
      const refs = [];
      for (const topic of memberTopics) {
        if (memberCrashes === MEMBER_CRASHES) break;
        const joinRef = ref();
        refs.push(joinRef);
        attacker.send([joinRef, joinRef, topic, 'phx_join', {}]);
        attacker.send([joinRef, ref(), topic, memberCrashes % 2 === 0 ? 'crash' : 'fail', {}]);
        memberCrashes += 1;
      }
      await tally.waitAll(tally.joinOk, refs, 'the join replies of a round');
      await tally.waitAll(tally.errors, refs, 'the phx_errors of a round');
    };

    // Room-level crashes, all at once: 50 rooms of one partition crash within a few milliseconds.
    const roomCrashBurst = async () => {
      const refs = [];
      for (let k = 0; k < ROOM_CRASHES; k += 1) {
        const joinRef = ref();
        refs.push(joinRef);
        attacker.send([joinRef, joinRef, `crash:room-${k}`, 'phx_join', {}]);
      }
      await tally.waitAll(tally.joinOk, refs, 'the joins of the room-crash topics');
      refs.forEach((joinRef, k) => attacker.send([joinRef, ref(), `crash:room-${k}`, 'crash_room', {}]));
      await tally.waitAll(tally.errors, refs, 'the phx_errors of the crashed rooms');
    };

    const started = Date.now();
    while (memberCrashes < MEMBER_CRASHES / 2) await memberRound();
    await roomCrashBurst();
    while (memberCrashes < MEMBER_CRASHES) await memberRound();
    const attackMs = Date.now() - started;

    // The attacker saw exactly its own channels error: one phx_error per crash, every join ok,
    // an ok reply per crash_room, nothing else.
    tally.scan();
    assert.equal(memberCrashes, MEMBER_CRASHES);
    assert.equal(tally.errors.size, MEMBER_CRASHES + ROOM_CRASHES);
    assert.equal(tally.joinOk.size, MEMBER_CRASHES + ROOM_CRASHES);
    assert.equal(tally.replies.length, ROOM_CRASHES);
    assert.deepEqual(tally.unexpected, [], 'the attacker received frames other than its crashes');

    // Every bystander still round-trips a message, on the socket it opened first.
    await Promise.all(
      bystanders.map(async (b, i) => {
        const reply = await pushAndWait(b.channel, 'shout', { n: i });
        assert.equal(reply.status, 'ok', `${b.topic}: ${JSON.stringify(reply)}`);
        await b.seen.inbox.waitFor((p) => p.n === i, { what: `${b.topic} hearing itself` });
      }),
    );
    for (const b of bystanders) {
      assert.deepEqual(b.seen.errors, [], `${b.topic} received phx_error`);
      assert.deepEqual(b.seen.closes, [], `${b.topic} received phx_close`);
      assert.deepEqual(b.seen.joins, [{ status: 'ok', response: {} }], `${b.topic} rejoined`);
      assert.equal(b.channel.state, 'joined');
      assert.equal(b.socket.opens, 1, `${b.topic} reconnected`);
      assert.deepEqual(b.socket.closes, [], `${b.topic}'s socket closed`);
      assert.ok(b.socket.isConnected(), `${b.topic}'s socket is not open`);
    }
    assert.equal(attacker.closeResult, undefined, 'the attacker was disconnected');

    // The server counted each crash where it happened and restarted nothing: no connection was
    // closed or opened, and the only supervisor reports are rooms_0's about its temporary rooms.
    const after = await readMetrics(ctx.server);
    const delta = (name) => metric(after, name) - metric(before, name);
    assert.equal(delta('switchboard_channel_crashes_total'), MEMBER_CRASHES);
    assert.equal(delta('switchboard_room_crashes_total'), ROOM_CRASHES);
    assert.equal(delta('switchboard_connections_total'), 0, 'a client reconnected');
    assert.equal(metric(after, 'switchboard_connections'), BYSTANDERS + 3);
    for (const [name, value] of after) {
      if (name.startsWith('switchboard_connections_closed_total')) {
        assert.equal(value, before.get(name) ?? 0, `${name} rose: the server closed connections`);
      }
    }
    const output = ctx.server.output().slice(outputBefore);
    assert.doesNotMatch(output, /reached_max_restart_intensity/);
    for (const [, supervisor] of output.matchAll(/supervisor=(\S+)/g)) {
      assert.equal(supervisor, 'rooms_0', 'a supervisor other than rooms_0 reported');
    }
    assert.ok(attackMs < 30000, `the attack took ${attackMs} ms`);
  });
});
