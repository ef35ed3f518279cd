// The inbound token bucket: a flooding client gets rate_limited replies, then is closed with
// 1008; the other members of its room are not affected.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { okReply, RawClient } from './lib/raw.js';

const MESSAGES_PER_SECOND = 50;
const BURST = 20;
const CLOSE_AFTER = 30;

const ctx = useServer({
  config: `
[limits]
messages_per_second = ${MESSAGES_PER_SECOND}
burst = ${BURST}
rate_limit_close_after = ${CLOSE_AFTER}

[[routes]]
pattern = "room:*"
behaviour = "broadcast"
`,
});

async function joined(topic, joinRef) {
  const client = await RawClient.connect(ctx.server.wsUrl(), { label: `member ${joinRef}` });
  client.send([joinRef, joinRef, topic, 'phx_join', {}]);
  assert.deepEqual(await client.next(), okReply(joinRef, joinRef, topic));
  return client;
}

const isReply = (f) => Array.isArray(f) && f[3] === 'phx_reply';

describe('rate limit', () => {
  test('a client pushing 200 messages at once gets ok, then rate_limited replies, then close 1008, while another member is unaffected', async () => {
    const topic = uniqueTopic('room');
    const flooder = await joined(topic, '1');
    const other = await joined(topic, '2');

    const started = Date.now();
    for (let seq = 0; seq < 200; seq++) flooder.send(['1', `f${seq}`, topic, 'flood', { seq }]);
    const { code, reason } = await flooder.waitClosed({ timeout: 5000 });
    const elapsedSeconds = (Date.now() - started) / 1000;
    assert.equal(code, 1008, `closed with ${code} "${reason}"`);
    assert.equal(reason, 'rate limit exceeded');

    const replies = flooder.frames.items.filter((f) => isReply(f) && f[1].startsWith('f'));
    const okRefs = replies.filter((f) => f[4].status === 'ok').map((f) => f[1]);
    const limited = replies.filter((f) => f[4].status === 'error');
    for (const f of limited) {
      assert.deepEqual(f, ['1', f[1], topic, 'phx_reply', { status: 'error', response: { reason: 'rate_limited' } }]);
    }
    // The join took one token; refills during the flood may add a few.
    const allowance = BURST + Math.ceil(MESSAGES_PER_SECOND * elapsedSeconds);
    assert.ok(okRefs.length >= 1, 'no push of the flood was accepted');
    assert.ok(okRefs.length <= allowance, `${okRefs.length} pushes accepted, more than ${allowance}`);
    assert.ok(
      limited.length >= CLOSE_AFTER,
      `closed after ${limited.length} rate_limited replies, fewer than rate_limit_close_after = ${CLOSE_AFTER}`,
    );
    assert.ok(limited.length + okRefs.length < 200, 'every push was answered: the connection was not closed early');
    // The bucket admits a prefix of the flood: every accepted push precedes every refused one,
    // except for the odd token refilled during the flood.
    const seqOf = (ref) => Number(ref.slice(1));
    const firstLimited = Math.min(...limited.map((f) => seqOf(f[1])));
    const lateOks = okRefs.filter((ref) => seqOf(ref) > firstLimited);
    assert.ok(
      lateOks.length <= Math.ceil(MESSAGES_PER_SECOND * elapsedSeconds),
      `${lateOks.length} pushes accepted after the first refusal`,
    );

    // The other member received every accepted push, in order, and no refused one. (A push
    // accepted just before the close may reach the room after the close frame was queued: it is
    // broadcast, but its ok reply is discarded with the connection.)
    const acceptedSeqs = okRefs.map(seqOf).sort((x, y) => x - y);
    const refusedSeqs = new Set(limited.map((f) => seqOf(f[1])));
    const broadcasts = await other.frames.waitCount(acceptedSeqs.length, (f) => Array.isArray(f) && f[3] === 'flood', {
      what: 'the accepted flood broadcasts at the other member',
    });
    const checkFlood = (received) => {
      assert.deepEqual(received, [...received].sort((x, y) => x - y), 'flood broadcasts out of order');
      for (const seq of acceptedSeqs) assert.ok(received.includes(seq), `accepted push ${seq} was not broadcast`);
      for (const seq of received) assert.ok(!refusedSeqs.has(seq), `refused push ${seq} was broadcast`);
      assert.ok(received.length <= allowance, `${received.length} flood pushes broadcast, more than ${allowance}`);
    };
    checkFlood(broadcasts.map((f) => f[4].seq));

    // And it is still served: its own pushes get ok replies and reach it as broadcasts.
    for (let i = 0; i < 5; i++) {
      other.send(['2', `o${i}`, topic, 'calm', { i }]);
      const reply = await other.waitFor((f) => isReply(f) && f[1] === `o${i}`);
      assert.deepEqual(reply, okReply('2', `o${i}`, topic));
    }
    const seen = await other.sync(); // every frame after the join reply
    assert.deepEqual(
      seen.filter((f) => f[3] === 'calm').map((f) => f[4].i),
      [0, 1, 2, 3, 4],
    );
    const flood = seen.filter((f) => f[3] === 'flood');
    checkFlood(flood.map((f) => f[4].seq));
    assert.equal(seen.length, flood.length + 10, 'the other member received more than expected');
    assert.equal(other.closeResult, undefined);
  });

  test('a client pushing at half of messages_per_second is never refused', async () => {
    const topic = uniqueTopic('room');
    const client = await joined(topic, '1');
    const interval = 2000 / MESSAGES_PER_SECOND;
    for (let seq = 0; seq < 30; seq++) {
      client.send(['1', `p${seq}`, topic, 'calm', { seq }]);
      // The client's own pacing, not a wait for the server.
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
    const replies = await client.frames.waitCount(30, (f) => isReply(f) && f[1].startsWith('p'), {
      what: '30 replies',
    });
    assert.deepEqual(
      replies.map((f) => f[4].status),
      Array(30).fill('ok'),
    );
    assert.equal(client.closeResult, undefined);
  });

  test('an accepted message resets the count of refusals in a row, so a client that backs off is not closed', async () => {
    const topic = uniqueTopic('room');
    const client = await joined(topic, '1');
    // Whatever is left in the bucket, a burst of this size draws at most this many refusals,
    // fewer than rate_limit_close_after.
    const burstSize = CLOSE_AFTER - 5;
    let ref = 0;
    let refused = 0;
    for (let round = 0; round < 3; round++) {
      const first = ref;
      for (let i = 0; i < burstSize; i++) client.send(['1', `r${ref++}`, topic, 'burst', {}]);
      const last = `r${ref - 1}`;
      await client.waitFor((f) => isReply(f) && f[1] === last, { what: `the reply to ${last}` });
      refused += client.frames.items.filter(
        (f) => isReply(f) && f[1].startsWith('r') && Number(f[1].slice(1)) >= first && f[4].status === 'error',
      ).length;
      // Back off for five tokens' worth of time, then send one message, which is accepted.
      await new Promise((resolve) => setTimeout(resolve, 5000 / MESSAGES_PER_SECOND));
      client.send(['1', `r${ref++}`, topic, 'calm', {}]);
      const reply = await client.waitFor((f) => isReply(f) && f[1] === `r${ref - 1}`);
      assert.equal(reply[4].status, 'ok', `round ${round}: the push after backing off was refused`);
    }
    assert.ok(refused > CLOSE_AFTER, `only ${refused} refusals in all: the test proves nothing`);
    assert.equal(client.closeResult, undefined, 'the client was closed although it backed off');
  });
});
