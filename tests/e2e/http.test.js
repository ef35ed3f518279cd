// The HTTP side: serializer negotiation by vsn, the health check, unknown paths.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from './lib/fixture.js';
import { httpGet } from './lib/server.js';
import WebSocket from 'ws';
import { connectSocket, joinChannel } from './lib/phoenix.js';
import { RawClient, handshakeStatus, okReply } from './lib/raw.js';
import { withDeadline } from './lib/wait.js';

const ctx = useServer();

describe('serializer negotiation', () => {
  for (const vsn of ['3.0.0', '2.1.0', '1.1.0', '2', '2.0', '02.0.0', '2.0.0-rc.1', 'banana', '']) {
    test(`a handshake with vsn=${JSON.stringify(vsn)} is refused with HTTP 403`, async () => {
      assert.equal(await handshakeStatus(ctx.server.wsUrl(`vsn=${vsn}`)), 403);
    });
  }

  for (const vsn of ['2.0.0', '2.0.9', '2.0.1-rc.1']) {
    test(`a handshake with vsn=${vsn} is accepted and speaks V2 arrays`, async () => {
      const client = await RawClient.connect(ctx.server.wsUrl(`vsn=${vsn}`));
      client.send([null, '1', 'phoenix', 'heartbeat', {}]);
      assert.deepEqual(await client.next(), okReply(null, '1', 'phoenix'));
    });
  }

  test('vsn=1.0.7+build selects V1 objects', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl('vsn=1.0.7%2Bbuild'));
    client.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' });
    assert.deepEqual(await client.next(), {
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
      ref: '1',
    });
  });

  test('other query parameters before vsn do not disturb negotiation', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl('token=abc&nested%5Ba%5D=1&vsn=2.0.0'));
    client.send([null, '1', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await client.next(), okReply(null, '1', 'phoenix'));
  });
});

describe('subprotocols', () => {
  test('phoenix.js with an authToken connects: the server answers the "phoenix" subprotocol', async () => {
    const socket = await connectSocket(ctx.server, { authToken: 'secret-token' });
    assert.equal(socket.conn.protocol, 'phoenix');
    const { reply } = await joinChannel(socket, 'echo:auth');
    assert.equal(reply.status, 'ok');
  });

  test('a raw client offering phoenix and a bearer token gets "phoenix" back', async () => {
    const token = Buffer.from('abc').toString('base64').replace(/=/g, '');
    const ws = new WebSocket(ctx.server.wsUrl(), ['phoenix', `base64url.bearer.phx.${token}`]);
    const protocol = await withDeadline(
      new Promise((resolve, reject) => {
        ws.once('open', () => resolve(ws.protocol));
        ws.once('error', reject);
      }),
      3000,
      'the subprotocol handshake',
    );
    ws.terminate();
    assert.equal(protocol, 'phoenix');
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
