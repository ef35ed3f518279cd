// examples/game_loop: a room that broadcasts the world 20 times per second while it has players.
// Runs against switchboard-game-loop (ctest: e2e_example_game_loop); skipped for other binaries.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, outcome, pushAndWait } from './lib/phoenix.js';

const BINARY = 'switchboard-game-loop';
const skip =
  path.basename(process.env.SWITCHBOARD_BIN ?? '') !== BINARY &&
  `needs SWITCHBOARD_BIN=<build>/examples/game_loop/${BINARY}`;
const ctx = skip ? null : useServer();

async function joinGame(topic, name) {
  const socket = await connectSocket(ctx.server);
  const { channel, reply } = await joinChannel(socket, topic, { params: { name }, events: ['tick'] });
  assert.equal(reply.status, 'ok');
  channel.id = reply.response.id;
  return { channel, reply: reply.response };
}

/** The first tick (after those already read) that satisfies `predicate`. */
async function nextTick(channel, predicate = () => true, what = 'a matching tick') {
  for (;;) {
    const { payload } = await channel.inbox.next({ what });
    if (predicate(payload)) return payload;
  }
}

describe('game loop example', { skip }, () => {
  test('a player joins in the middle of the field and ticks arrive at about 20 Hz', async () => {
    const { channel, reply } = await joinGame(uniqueTopic('game'), 'ann');
    assert.deepEqual(reply, { id: channel.id, x: 50, y: 50 });
    const first = await nextTick(channel);
    assert.deepEqual(first.players, [{ id: channel.id, name: 'ann', x: 50, y: 50 }]);
    const started = Date.now();
    const later = await nextTick(channel, (t) => t.tick >= first.tick + 20, 'twenty more ticks');
    const elapsed = Date.now() - started;
    // 20 ticks at 50 ms: about a second; generous bounds for a loaded machine.
    assert.ok(elapsed >= 700 && elapsed <= 3000, `20 ticks took ${elapsed} ms`);
    assert.equal(later.tick, first.tick + 20, 'ticks are numbered without gaps');
  });

  test('input moves the player, clamped per step and to the field, and ticks show it', async () => {
    const topic = uniqueTopic('game');
    const ann = await joinGame(topic, 'ann');
    const bob = await joinGame(topic, 'bob');
    assert.deepEqual(await pushAndWait(ann.channel, 'input', { dx: 3, dy: -2 }), {
      status: 'ok',
      response: { x: 53, y: 48 },
    });
    assert.deepEqual(await pushAndWait(ann.channel, 'input', { dx: 100, dy: 0.5 }), {
      status: 'ok',
      response: { x: 58, y: 48.5 },
    });
    const tick = await nextTick(bob.channel, (t) => t.players.some((p) => p.name === 'ann' && p.x === 58));
    assert.deepEqual(tick.players.sort((a, b) => a.name.localeCompare(b.name)), [
      { id: ann.channel.id, name: 'ann', x: 58, y: 48.5 },
      { id: bob.channel.id, name: 'bob', x: 50, y: 50 },
    ]);
    for (let i = 0; i < 12; i++) ann.channel.push('input', { dx: 5, dy: 0 });
    assert.deepEqual(await pushAndWait(ann.channel, 'input', { dx: 0, dy: 0 }), {
      status: 'ok',
      response: { x: 100, y: 48.5 },
    });
    assert.deepEqual(await pushAndWait(ann.channel, 'input', { dx: 'left' }), {
      status: 'error',
      response: { reason: 'dx and dy must be numbers' },
    });
  });

  test('a player who leaves disappears from the ticks; the room keeps ticking for the others', async () => {
    const topic = uniqueTopic('game');
    const ann = await joinGame(topic, 'ann');
    const bob = await joinGame(topic, 'bob');
    await nextTick(ann.channel, (t) => t.players.length === 2, 'a tick with both players');
    await outcome(bob.channel.leave(), { what: "bob's leave" });
    const tick = await nextTick(ann.channel, (t) => t.players.length === 1, 'a tick without bob');
    assert.deepEqual(tick.players.map((p) => p.name), ['ann']);
    await nextTick(ann.channel, (t) => t.tick > tick.tick, 'the next tick');
  });

  test('a room emptied and joined again ticks once per interval, not twice', async () => {
    const topic = uniqueTopic('game');
    const first = await joinGame(topic, 'ann');
    await nextTick(first.channel);
    await outcome(first.channel.leave(), { what: "ann's leave" });
    const again = await joinGame(topic, 'ann');
    const a = await nextTick(again.channel);
    const started = Date.now();
    await nextTick(again.channel, (t) => t.tick >= a.tick + 10, 'ten more ticks');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 350, `10 ticks took only ${elapsed} ms: more than one timer is running`);
  });
});
