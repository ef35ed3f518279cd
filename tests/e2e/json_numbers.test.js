// Numbers outside the double range (1e999) cannot be written back as JSON (they would go out as
// `Infinity`, which no JSON parser accepts, and break every member's client). A frame holding one
// is undecodable: the sender is closed with 1007 "number out of range" and nothing reaches the
// other members, whose clients keep working.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import { RawClient, okReply } from './lib/raw.js';

const ctx = useServer();

describe('numbers out of range', () => {
  for (const [name, number] of [['1e999', '1e999'], ['-1e999', '-1e999'], ['1E400 nested', '[0,{"x":1E400}]']]) {
    test(`${name} in a payload closes the sender with 1007 and reaches no one`, async () => {
      const topic = uniqueTopic('room');
      const socket = await connectSocket(ctx.server);
      const { channel } = await joinChannel(socket, topic, { events: ['shout'] });
      const sender = await RawClient.connect(ctx.server.wsUrl());
      sender.send(['1', '1', topic, 'phx_join', {}]);
      assert.deepEqual(await sender.next(), okReply('1', '1', topic));
      sender.sendText(`["1","2","${topic}","shout",{"n":${number}}]`);
      assert.deepEqual(await sender.waitClosed(), { code: 1007, reason: 'number out of range' });
      // The member's next broadcast is the first thing it gets, and it parses.
      assert.deepEqual(await pushAndWait(channel, 'shout', { n: 1.5e308 }), { status: 'ok', response: {} });
      assert.deepEqual(await channel.inbox.next(), { event: 'shout', payload: { n: 1.5e308 } });
      assert.equal(socket.errors.length, 0);
    });
  }

  test('a V1 client is refused the same way', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl('vsn=1.0.0'));
    client.sendText('{"topic":"phoenix","event":"heartbeat","payload":{"n":-1e999},"ref":"1"}');
    assert.deepEqual(await client.waitClosed(), { code: 1007, reason: 'number out of range' });
  });
});
