// Reserved events: a client may not send events with the protocol's `phx_` prefix (besides the
// join and leave the connection handles). Relayed to other members they would read as the
// server's word about their channel: phoenix.js closes or errors a channel on a `phx_close` or
// `phx_error` whose join_ref is null. Each is answered {"reason":"reserved event"} and relayed to
// nobody, in every stock behaviour.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, pushAndWait } from './lib/phoenix.js';
import { RawClient, errorReply, okReply } from './lib/raw.js';

const ctx = useServer();
const RESERVED = ['phx_close', 'phx_error', 'phx_reply', 'phx_custom'];

describe('reserved phx_ events from clients', () => {
  for (const prefix of ['room', 'presence', 'echo']) {
    test(`are refused on ${prefix}:* and never reach the other members`, async () => {
      const topic = uniqueTopic(prefix);
      const params = { user_id: 'bystander' };
      const socket = await connectSocket(ctx.server);
      const { channel, reply } = await joinChannel(socket, topic, { params, events: ['after'] });
      assert.equal(reply.status, 'ok');
      const errors = [];
      const closes = [];
      channel.onError((p) => errors.push(p));
      channel.onClose(() => closes.push('closed'));

      const attacker = await RawClient.connect(ctx.server.wsUrl());
      attacker.send(['1', '1', topic, 'phx_join', { user_id: 'attacker' }]);
      assert.deepEqual(await attacker.waitFor((f) => f[1] === '1'), okReply('1', '1', topic));
      RESERVED.forEach((event, i) => attacker.send(['1', `r${i}`, topic, event, { status: 'ok' }]));
      for (const [i] of RESERVED.entries()) {
        assert.deepEqual(
          await attacker.waitFor((f) => f[1] === `r${i}`),
          errorReply('1', `r${i}`, topic, { reason: 'reserved event' }),
        );
      }
      // A V1-style frame without join_ref is refused the same way.
      attacker.send([null, 'r-null', topic, 'phx_close', {}]);
      assert.deepEqual(
        await attacker.waitFor((f) => f[1] === 'r-null'),
        errorReply(null, 'r-null', topic, { reason: 'reserved event' }),
      );

      if (prefix !== 'echo') {
        // The bystander's channel is still joined and receives the next ordinary broadcast.
        attacker.send(['1', 'after', topic, 'after', { n: 1 }]);
        const received = await channel.inbox.next({ what: 'the broadcast after the attack' });
        assert.deepEqual(received, { event: 'after', payload: { n: 1 } });
      }
      assert.equal(channel.state, 'joined');
      assert.deepEqual(errors, []);
      assert.deepEqual(closes, []);
      const seen = socket.messages.items.filter((m) => m.topic === topic && m.event.startsWith('phx_'));
      assert.deepEqual(
        seen.map((m) => m.event),
        ['phx_reply'],
        'the bystander saw only its own join reply among phx_ events',
      );
      assert.deepEqual(await pushAndWait(channel, 'still', {}), { status: 'ok', response: {} });
    });
  }
});
