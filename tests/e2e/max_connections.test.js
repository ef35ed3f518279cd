// [limits] max_connections: upgrades beyond it are refused with HTTP 503 until a slot frees.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from './lib/fixture.js';
import { RawClient, handshakeStatus, okReply } from './lib/raw.js';
import { DEFAULT_ROUTES, httpGet } from './lib/server.js';
import { withDeadline } from './lib/wait.js';

const ctx = useServer({ config: `[limits]\nmax_connections = 3\n${DEFAULT_ROUTES}` });

/**
 * Connects, retrying while the server answers 503: a slot is released only once the server
 * has processed the close of an earlier connection (e.g. one closed by the previous test).
 */
function connectWhenSlotFree(label) {
  const attempt = async () => {
    for (;;) {
      try {
        return await RawClient.connect(ctx.server.wsUrl(), { label });
      } catch (err) {
        if (!/HTTP 503/.test(err.message)) throw err;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  return withDeadline(attempt(), 3000, `a free connection slot for ${label}`);
}

async function heartbeatWorks(client) {
  client.send([null, 'hb', 'phoenix', 'heartbeat', {}]);
  assert.deepEqual(await client.next(), okReply(null, 'hb', 'phoenix'), `${client.label} stopped working`);
}

describe('max_connections', () => {
  test('the upgrade beyond max_connections gets HTTP 503 and a freed slot is usable again', async () => {
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await connectWhenSlotFree(`client ${i}`));
    assert.equal(await handshakeStatus(ctx.server.wsUrl()), 503);
    for (const client of clients) await heartbeatWorks(client);

    await clients[0].close();
    await heartbeatWorks(await connectWhenSlotFree('replacement'));
  });

  test('plain HTTP requests are still answered while every connection slot is taken', async () => {
    for (let i = 0; i < 3; i++) await connectWhenSlotFree(`client ${i}`);
    assert.equal(await handshakeStatus(ctx.server.wsUrl()), 503);
    assert.equal((await httpGet(ctx.server.httpUrl('/healthz'))).status, 200);
  });
});
