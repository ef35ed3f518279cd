// Legacy V1 clients (no vsn, or vsn 1.0.x) speak JSON objects {topic, event, payload, ref}.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();
const V1_KEYS = ['event', 'payload', 'ref', 'topic'];

const v1 = (topic, event, payload, ref) => ({ topic, event, payload, ref });
const v1Reply = (topic, ref, response = {}, status = 'ok') =>
  v1(topic, 'phx_reply', { status, response }, ref);

function assertV1(frame) {
  assert.ok(frame && typeof frame === 'object' && !Array.isArray(frame), `not a V1 object: ${JSON.stringify(frame)}`);
  assert.deepEqual(Object.keys(frame).sort(), V1_KEYS, `V1 frame with other keys: ${JSON.stringify(frame)}`);
  return frame;
}

for (const [label, query] of [
  ['without vsn', ''],
  ['with vsn=1.0.0', 'vsn=1.0.0'],
]) {
  describe(`V1 client ${label}`, () => {
    test('a join is answered with an object reply of exactly topic, event, payload, ref', async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(query));
      const topic = uniqueTopic('room');
      client.send(v1(topic, 'phx_join', {}, '1'));
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '1'));
    });

    test('a push is broadcast with a null ref, then answered with the push ref', async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(query));
      const topic = uniqueTopic('room');
      client.send(v1(topic, 'phx_join', {}, '1'));
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '1'));
      client.send(v1(topic, 'shout', { q: 1 }, '2'));
      assert.deepEqual(assertV1(await client.next()), v1(topic, 'shout', { q: 1 }, null));
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '2'));
    });

    test('an echo push is answered with the payload as the response', async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(query));
      const topic = uniqueTopic('echo');
      client.send(v1(topic, 'phx_join', {}, '1'));
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '1'));
      client.send(v1(topic, 'ping', { deep: { a: [1, 'b'] } }, '2'));
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '2', { deep: { a: [1, 'b'] } }));
    });

    test('a heartbeat is answered with an object reply', async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(query));
      client.send(v1('phoenix', 'heartbeat', {}, '7'));
      assert.deepEqual(assertV1(await client.next()), v1Reply('phoenix', '7'));
    });

    test('a leave is answered ok, then phx_close carries the join ref as its ref', async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(query));
      const topic = uniqueTopic('room');
      client.send(v1(topic, 'phx_join', {}, '1'));
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '1'));
      client.send(v1(topic, 'phx_leave', {}, '2'));
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '2'));
      assert.deepEqual(assertV1(await client.next()), v1(topic, 'phx_close', {}, '1'));
    });

    test('an unmatched topic is refused with an object error reply', async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(query));
      const topic = uniqueTopic('nowhere');
      client.send(v1(topic, 'phx_join', {}, '1'));
      assert.deepEqual(
        assertV1(await client.next()),
        v1Reply(topic, '1', { reason: 'unmatched topic' }, 'error'),
      );
    });

    test('an optional join_ref key is accepted and never sent back', async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(query));
      const topic = uniqueTopic('echo');
      client.send({ ...v1(topic, 'phx_join', {}, '3'), join_ref: '3' });
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '3'));
      client.send({ ...v1(topic, 'ping', { j: 1 }, '4'), join_ref: '3' });
      assert.deepEqual(assertV1(await client.next()), v1Reply(topic, '4', { j: 1 }));
    });
  });
}

describe('V1 and V2 clients together', () => {
  test('V1 and V2 members of one room each get broadcasts in their own format', async () => {
    const topic = uniqueTopic('room');
    const old = await RawClient.connect(ctx.server.wsUrl('vsn=1.0.0'));
    const modern = await RawClient.connect(ctx.server.wsUrl('vsn=2.0.0'));
    old.send(v1(topic, 'phx_join', {}, '1'));
    assert.deepEqual(assertV1(await old.next()), v1Reply(topic, '1'));
    modern.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await modern.next(), okReply('1', '1', topic));

    old.send(v1(topic, 'from_v1', { a: 1 }, '2'));
    assert.deepEqual(await modern.next(), [null, null, topic, 'from_v1', { a: 1 }]);
    modern.send(['1', '2', topic, 'from_v2', { b: 2 }]);
    assert.deepEqual(await modern.next(), [null, null, topic, 'from_v2', { b: 2 }]);
    assert.deepEqual(await modern.next(), okReply('1', '2', topic));

    // The V2 push was sent after its author saw the V1 broadcast, so it comes after that broadcast;
    // the V1 client's own reply may come before or after it.
    const got = [await old.next(), await old.next(), await old.next()].map(assertV1);
    assert.deepEqual(got[0], v1(topic, 'from_v1', { a: 1 }, null));
    assert.deepEqual(
      got.slice(1).sort((x, y) => x.event.localeCompare(y.event)),
      [v1(topic, 'from_v2', { b: 2 }, null), v1Reply(topic, '2')],
    );
  });

  test('vsn=1.0.7 also selects V1', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl('vsn=1.0.7'));
    client.send(v1('phoenix', 'heartbeat', {}, '1'));
    assert.deepEqual(assertV1(await client.next()), v1Reply('phoenix', '1'));
  });
});

describe('malformed V1 input', () => {
  test('an array frame on a V1 connection closes it with 1007', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl('vsn=1.0.0'));
    client.send([null, '1', 'phoenix', 'heartbeat', {}]);
    const { code } = await client.waitClosed();
    assert.equal(code, 1007);
  });

  test('an object without a ref key closes the connection with 1007', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl('vsn=1.0.0'));
    client.send({ topic: 'phoenix', event: 'heartbeat', payload: {} });
    const { code } = await client.waitClosed();
    assert.equal(code, 1007);
  });
});
