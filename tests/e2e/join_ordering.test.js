// The join reply precedes every other frame of that channel incarnation (docs/protocol.md §2.5).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, outcome } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();
// Below the default per-connection burst (200 messages) so that no push is rate limited.
const STREAM = 150;
const JOINERS = 5;

describe('join ordering', () => {
  test("a joiner's first frame on a busy room is its join reply, and no broadcast after it is lost", async () => {
    const topic = uniqueTopic('room');
    const talker = await RawClient.connect(ctx.server.wsUrl());
    talker.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await talker.next(), okReply('1', '1', topic));
    const joiners = await Promise.all(
      Array.from({ length: JOINERS }, (_, i) => RawClient.connect(ctx.server.wsUrl(), { label: `joiner ${i}` })),
    );

    for (let seq = 0; seq < STREAM; seq++) talker.send(['1', `s${seq}`, topic, 'msg', { seq }]);
    // Join while the stream is being fanned out.
    await talker.waitFor((f) => Array.isArray(f) && f[3] === 'msg', { what: 'the first broadcast' });
    joiners.forEach((joiner, i) => joiner.send([`j${i}`, `j${i}`, topic, 'phx_join', {}]));
    for (const [i, joiner] of joiners.entries()) {
      assert.deepEqual(
        await joiner.next(),
        okReply(`j${i}`, `j${i}`, topic),
        `joiner ${i} saw another frame before its join reply`,
      );
    }
    talker.send(['1', 'done', topic, 'done', {}]);

    for (const [i, joiner] of joiners.entries()) {
      await joiner.waitFor((f) => f[3] === 'done', { what: `the done marker at joiner ${i}` });
      const frames = joiner.frames.takeUnread();
      assert.deepEqual(frames.pop(), [null, null, topic, 'done', {}]);
      const seqs = frames.map((f) => {
        assert.deepEqual(f.slice(0, 4), [null, null, topic, 'msg']);
        return f[4].seq;
      });
      if (seqs.length > 0) {
        const first = seqs[0];
        assert.deepEqual(
          seqs,
          Array.from({ length: STREAM - first }, (_, k) => first + k),
          `joiner ${i} lost or reordered broadcasts after joining`,
        );
      }
    }
  });

  test('phoenix.js: the first message a joining socket sees on a busy room is the join reply', async () => {
    const topic = uniqueTopic('room');
    const talker = await RawClient.connect(ctx.server.wsUrl());
    talker.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await talker.next(), okReply('1', '1', topic));
    const socket = await connectSocket(ctx.server);

    for (let seq = 0; seq < STREAM; seq++) talker.send(['1', `s${seq}`, topic, 'msg', { seq }]);
    await talker.waitFor((f) => Array.isArray(f) && f[3] === 'msg', { what: 'the first broadcast' });
    const channel = socket.channel(topic, {});
    const reply = await outcome(channel.join(), { what: 'the join reply' });
    assert.equal(reply.status, 'ok');

    const first = socket.messages.items.find((m) => m.topic === topic);
    assert.equal(first.event, 'phx_reply');
    assert.equal(first.ref, channel.joinRef());
  });

  test('the join reply on a presence topic precedes any presence frame', async () => {
    const topic = uniqueTopic('presence');
    const others = [];
    for (let i = 0; i < 3; i++) {
      const other = await RawClient.connect(ctx.server.wsUrl());
      other.send([`o${i}`, `o${i}`, topic, 'phx_join', { user_id: `u${i}` }]);
      others.push(other);
    }
    const joiner = await RawClient.connect(ctx.server.wsUrl());
    joiner.send(['1', '1', topic, 'phx_join', { user_id: 'joiner' }]);
    const first = await joiner.next();
    assert.deepEqual(first.slice(0, 4), ['1', '1', topic, 'phx_reply']);
    assert.equal(first[4].status, 'ok');
    for (const [i, other] of others.entries()) {
      const reply = await other.waitFor((f) => f[3] === 'phx_reply');
      assert.equal(other.frames.items[0], reply, `presence member ${i} saw a frame before its join reply`);
    }
  });
});
