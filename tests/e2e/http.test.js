// The HTTP side: serializer negotiation by vsn, the health check, unknown paths.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from './lib/fixture.js';
import { httpGet } from './lib/server.js';
import { RawClient, handshakeStatus, okReply } from './lib/raw.js';

const ctx = useServer();

describe('serializer negotiation', () => {
  for (const vsn of ['3.0.0', '2.1.0', '1.1.0', '2', 'banana', '']) {
    test(`a handshake with vsn=${JSON.stringify(vsn)} is refused with HTTP 403`, async () => {
      assert.equal(await handshakeStatus(ctx.server.wsUrl(`vsn=${vsn}`)), 403);
    });
  }

  for (const vsn of ['2.0.0', '2.0.9']) {
    test(`a handshake with vsn=${vsn} is accepted and speaks V2 arrays`, async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(`vsn=${vsn}`));
      client.send([null, '1', 'phoenix', 'heartbeat', {}]);
      assert.deepEqual(await client.next(), okReply(null, '1', 'phoenix'));
    });
  }

  test('other query parameters before vsn do not disturb negotiation', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl('token=abc&nested%5Ba%5D=1&vsn=2.0.0'));
    client.send([null, '1', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await client.next(), okReply(null, '1', 'phoenix'));
  });
});

describe('plain HTTP', () => {
  test('GET /healthz answers 200', async () => {
    const { status } = await httpGet(ctx.server.httpUrl('/healthz'));
    assert.equal(status, 200);
  });

  for (const path of ['/nope', '/socket', '/socket/websocketx', '/healthz/extra']) {
    test(`GET ${path} answers 404`, async () => {
      const { status } = await httpGet(ctx.server.httpUrl(path));
      assert.equal(status, 404);
    });
  }

  test('a WebSocket upgrade on an unknown path is refused with 404', async () => {
    assert.equal(await handshakeStatus(`ws://127.0.0.1:${ctx.server.port}/nope/websocket?vsn=2.0.0`), 404);
  });

  test('the health check keeps answering while WebSocket clients are connected', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    assert.equal((await httpGet(ctx.server.httpUrl('/healthz'))).status, 200);
    client.send([null, '1', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await client.next(), okReply(null, '1', 'phoenix'));
  });
});
