// room_mailbox_limit: a room with more publishes queued than the limit answers the excess with
// {"reason":"overloaded"}; every publish still gets exactly one reply and nothing accepted is lost.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { okReply, RawClient } from './lib/raw.js';
import { httpGet } from './lib/server.js';

const PUBLISHERS = 40;
const PUSHES_EACH = 25;
/** Bursts sent until one is partly refused (how many publishes queue up depends on scheduling). */
const MAX_ROUNDS = 10;

const ctx = useServer({
  config: `
[limits]
room_mailbox_limit = 1
messages_per_second = 100000.0
burst = 100000.0

[[routes]]
pattern = "room:*"
behaviour = "broadcast"
`,
});

const isReply = (f) => Array.isArray(f) && f[3] === 'phx_reply';

async function overloadedTotal() {
  const { body } = await httpGet(ctx.server.httpUrl('/metrics'));
  return Number(/^switchboard_overloaded_total (\d+)$/m.exec(body)[1]);
}

describe('room mailbox limit', () => {
  test('with room_mailbox_limit = 1 and 40 members publishing at once, some publishes are overloaded, each gets one reply and every accepted one is broadcast', async (t) => {
    const topic = uniqueTopic('room');
    const members = [];
    for (let i = 0; i < PUBLISHERS; i++) {
      const client = await RawClient.connect(ctx.server.wsUrl(), { label: `member ${i}` });
      client.send([`j${i}`, `j${i}`, topic, 'phx_join', {}]);
      assert.deepEqual(await client.next(), okReply(`j${i}`, `j${i}`, topic));
      members.push(client);
    }

    const overloadedBefore = await overloadedTotal();
    const accepted = new Set();
    let overloaded = 0;
    let sent = 0;
    for (let round = 0; round < MAX_ROUNDS && overloaded === 0; round++) {
      for (let k = 0; k < PUSHES_EACH; k++) {
        const n = sent + k;
        for (const [i, client] of members.entries()) client.send([`j${i}`, `m${n}`, topic, 'load', { from: i, n }]);
      }
      sent += PUSHES_EACH;
      for (const [i, client] of members.entries()) {
        const replies = await client.frames.waitCount(sent + 1, isReply, {
          timeout: 10000,
          what: `a reply to each of member ${i}'s publishes`,
        });
        assert.equal(replies.length, sent + 1, `member ${i} got more replies than publishes`);
        const refs = replies.slice(1).map((f) => f[1]);
        assert.equal(new Set(refs).size, sent, `member ${i} got two replies to one publish`);
        for (const f of replies.slice(sent + 1 - PUSHES_EACH)) {
          if (f[4].status === 'ok') {
            assert.deepEqual(f, okReply(`j${i}`, f[1], topic));
            accepted.add(`${i}/${f[1].slice(1)}`);
          } else {
            assert.deepEqual(f, [`j${i}`, f[1], topic, 'phx_reply', { status: 'error', response: { reason: 'overloaded' } }]);
            overloaded += 1;
          }
        }
      }
    }
    assert.ok(overloaded > 0, 'no publish was answered "overloaded"');
    assert.ok(accepted.size > 0, 'every publish was refused');
    assert.equal(accepted.size + overloaded, PUBLISHERS * sent);
    assert.equal(await overloadedTotal(), overloadedBefore + overloaded, 'switchboard_overloaded_total');
    t.diagnostic(`${overloaded} of ${PUBLISHERS * sent} publishes overloaded`);

    // Every member received exactly the accepted publishes, each sender's in order.
    for (const [i, client] of members.entries()) {
      const rest = await client.sync();
      const replies = client.frames.items.filter((f) => isReply(f) && f[1][0] !== 's'); // not sync heartbeats
      assert.equal(replies.length, sent + 1, `member ${i}: replies to the join and each publish, once`);
      const seen = rest.filter((f) => !isReply(f));
      const got = seen.map((f) => `${f[4].from}/${f[4].n}`);
      assert.equal(new Set(got).size, got.length, `member ${i} received a broadcast twice`);
      assert.deepEqual([...got].sort(), [...accepted].sort(), `member ${i} did not receive exactly the accepted publishes`);
      for (let from = 0; from < PUBLISHERS; from++) {
        const ns = seen.filter((f) => f[4].from === from).map((f) => f[4].n);
        assert.deepEqual(ns, [...ns].sort((a, b) => a - b), `member ${i}: publishes of ${from} out of order`);
      }
    }
  });
});
