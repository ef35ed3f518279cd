// examples/counter: a shared counter per topic whose value lives in the room.
// Runs against switchboard-counter (ctest: e2e_example_counter); skipped for other binaries.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';

const BINARY = 'switchboard-counter';
const skip =
  path.basename(process.env.SWITCHBOARD_BIN ?? '') !== BINARY &&
  `needs SWITCHBOARD_BIN=<build>/examples/counter/${BINARY}`;
const ctx = skip ? null : useServer();

async function joinCounter(topic) {
  const socket = await connectSocket(ctx.server);
  const { channel, reply } = await joinChannel(socket, topic, { events: ['state'] });
  assert.deepEqual(reply, { status: 'ok', response: {} });
  return channel;
}

describe('counter example', { skip }, () => {
  test('a joiner gets the current value as "state" right after the join', async () => {
    const channel = await joinCounter(uniqueTopic('counter'));
    assert.deepEqual(await channel.inbox.next(), { event: 'state', payload: { value: 0 } });
  });

  test('increment, decrement and reset reach every member and the reply carries the value', async () => {
    const topic = uniqueTopic('counter');
    const a = await joinCounter(topic);
    const b = await joinCounter(topic);
    await a.inbox.next();
    await b.inbox.next();
    const steps = [
      ['increment', {}, 1],
      ['increment', { by: 5 }, 6],
      ['decrement', {}, 5],
      ['decrement', { by: 10 }, -5],
      ['reset', {}, 0],
    ];
    for (const [event, payload, value] of steps) {
      assert.deepEqual(await pushAndWait(a, event, payload), { status: 'ok', response: { value } });
      for (const member of [a, b]) {
        assert.deepEqual(await member.inbox.next(), { event: 'state', payload: { value } });
      }
    }
  });

  test('the value is shared by the room: a later joiner starts from it', async () => {
    const topic = uniqueTopic('counter');
    const first = await joinCounter(topic);
    await pushAndWait(first, 'increment', { by: 41 });
    await pushAndWait(first, 'increment', {});
    const later = await joinCounter(topic);
    assert.deepEqual(await later.inbox.next(), { event: 'state', payload: { value: 42 } });
    const other = await joinCounter(uniqueTopic('counter'));
    assert.deepEqual(await other.inbox.next(), { event: 'state', payload: { value: 0 } });
  });

  test('bad input is an error reply and changes nothing', async () => {
    const channel = await joinCounter(uniqueTopic('counter'));
    await channel.inbox.next();
    assert.deepEqual(await pushAndWait(channel, 'increment', { by: 'two' }), {
      status: 'error',
      response: { reason: 'by must be an integer' },
    });
    assert.deepEqual(await pushAndWait(channel, 'multiply', {}), {
      status: 'error',
      response: { reason: 'unknown event' },
    });
    // 9e18 fits a signed 64-bit integer (and a double, exactly); twice that does not.
    const big = 9e18;
    assert.deepEqual(await pushAndWait(channel, 'increment', { by: big }), { status: 'ok', response: { value: big } });
    assert.deepEqual(await pushAndWait(channel, 'increment', { by: big }), {
      status: 'error',
      response: { reason: 'overflow' },
    });
    assert.deepEqual(await pushAndWait(channel, 'reset', {}), { status: 'ok', response: { value: 0 } });
    assert.deepEqual(
      channel.inbox.takeUnread().map((m) => m.payload.value),
      [big, 0],
      'only the successful changes were broadcast',
    );
  });
});
