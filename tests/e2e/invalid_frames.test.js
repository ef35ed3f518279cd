// Frames the serializer cannot decode close that connection with 1007; nobody else is affected.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();

// `reason` (optional) is the close reason docs/protocol.md documents for that input.
async function expect1007(send, reason, query) {
  const client = await RawClient.connect(ctx.server.wsUrl(query));
  send(client);
  const closed = await client.waitClosed();
  assert.equal(closed.code, 1007, `closed with ${closed.code} "${closed.reason}"`);
  assert.ok(closed.reason.length > 0, 'the close has no reason');
  assert.ok(Buffer.byteLength(closed.reason) <= 123, 'the close reason is longer than a close frame allows');
  if (typeof reason === 'string') assert.equal(closed.reason, reason);
  else if (reason) assert.match(closed.reason, reason);
  return client;
}

describe('undecodable text frames', () => {
  test('invalid JSON closes the connection with 1007 while room members keep receiving broadcasts', async () => {
    const topic = uniqueTopic('room');
    const sockets = [await connectSocket(ctx.server), await connectSocket(ctx.server)];
    const channels = [];
    for (const socket of sockets) channels.push((await joinChannel(socket, topic, { events: ['msg'] })).channel);

    const broken = await RawClient.connect(ctx.server.wsUrl());
    broken.send(['1', '1', topic, 'phx_join', {}]);
    assert.deepEqual(await broken.next(), okReply('1', '1', topic));
    broken.sendText('["1","2","room:x","msg",{');
    const { code, reason } = await broken.waitClosed();
    assert.equal(code, 1007, `closed with ${code} "${reason}"`);
    assert.match(reason, /^invalid JSON/);
    assert.ok(Buffer.byteLength(reason) <= 123);

    assert.deepEqual(await pushAndWait(channels[0], 'msg', { after: 1 }), { status: 'ok', response: {} });
    assert.deepEqual(await pushAndWait(channels[1], 'msg', { after: 2 }), { status: 'ok', response: {} });
    for (const channel of channels) {
      const got = await channel.inbox.waitCount(2);
      assert.deepEqual(got.map((m) => m.payload), [{ after: 1 }, { after: 2 }]);
    }
    for (const socket of sockets) assert.equal(socket.opens, 1, 'a healthy client was disconnected');
  });

  test('a V2 array of three elements closes the connection with 1007', async () => {
    await expect1007((c) => c.send(['1', 'phoenix', 'heartbeat']), 'V2 message must have at least 5 elements');
  });

  test('a JSON object on a V2 connection closes it with 1007', async () => {
    await expect1007(
      (c) => c.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' }),
      'V2 message must be a JSON array',
    );
  });

  test('a JSON scalar closes the connection with 1007', async () => {
    await expect1007((c) => c.sendText('42'), 'V2 message must be a JSON array');
  });

  test('an empty text frame closes the connection with 1007', async () => {
    await expect1007((c) => c.sendText(''), /^invalid JSON/);
  });

  test('a join_ref that is neither a string nor null closes the connection with 1007', async () => {
    await expect1007((c) => c.send([1, '1', 'phoenix', 'heartbeat', {}]), 'join_ref must be a string or null');
  });

  test('a topic that is not a string closes the connection with 1007', async () => {
    await expect1007((c) => c.send(['1', '1', 7, 'phx_join', {}]), 'topic must be a string');
  });

  test('a binary frame on a V1 connection closes it with 1007', async () => {
    const push = Buffer.from([0, 1, 1, 6, 3, ...Buffer.from('11room:xbin')]);
    await expect1007((c) => c.sendBinary(push), 'binary frames require serializer V2', 'vsn=1.0.0');
  });

  test('frames already answered before the bad frame are still delivered', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    client.send([null, 'h1', 'phoenix', 'heartbeat', {}]);
    client.sendText('not json');
    assert.deepEqual(await client.next(), okReply(null, 'h1', 'phoenix'));
    const { code } = await client.waitClosed();
    assert.equal(code, 1007);
  });
});

describe('undecodable binary frames', () => {
  for (const kind of [1, 2, 3, 255]) {
    test(`a binary frame of kind ${kind} from a client closes the connection with 1007`, async () => {
      const topic = Buffer.from('room:x');
      const event = Buffer.from('bin');
      const frame = Buffer.concat([Buffer.from([kind, 1, 1, topic.length, event.length]), Buffer.from('11'), topic, event]);
      await expect1007((c) => c.sendBinary(frame), `unknown binary kind ${kind}`);
    });
  }

  test('a binary push whose header lengths run past the end of the frame closes it with 1007', async () => {
    await expect1007((c) => c.sendBinary(Buffer.from([0, 1, 1, 200, 3, 0x31, 0x31, 0x72])), 'truncated binary frame');
  });

  test('a binary frame shorter than the push header closes the connection with 1007', async () => {
    await expect1007((c) => c.sendBinary(Buffer.from([0, 1])), 'truncated binary frame header');
  });
});

describe('oversized frames', () => {
  test('a frame above max_frame_bytes (64 KiB by default) closes the connection with 1009', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    client.send([null, '1', 'phoenix', 'heartbeat', { pad: 'x'.repeat(70000) }]);
    const { code } = await client.waitClosed();
    assert.equal(code, 1009);
  });
});

describe('after a bad client', () => {
  test('the server keeps accepting connections and joins', async () => {
    await expect1007((c) => c.sendText('{{{'));
    const socket = await connectSocket(ctx.server);
    const { channel, reply } = await joinChannel(socket, uniqueTopic('echo'));
    assert.equal(reply.status, 'ok');
    assert.deepEqual(await pushAndWait(channel, 'ping', { fine: true }), {
      status: 'ok',
      response: { fine: true },
    });
  });
});
