// SIGTERM stops the server: open connections are closed with 1001 (going away), then it exits.

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { closeAllRaw, RawClient, okReply } from './lib/raw.js';
import { startServer } from './lib/server.js';

let server = null;
afterEach(async () => {
  await closeAllRaw();
  await server?.stop().catch(() => {});
  server = null;
});

describe('shutdown', () => {
  test('SIGTERM closes every open connection with 1001 and the process exits with status 0', async () => {
    server = await startServer();
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const client = await RawClient.connect(server.wsUrl());
      client.send([`${i}`, `${i}`, `room:shutdown`, 'phx_join', {}]);
      assert.deepEqual(await client.next(), okReply(`${i}`, `${i}`, 'room:shutdown'));
      clients.push(client);
    }
    const idle = await RawClient.connect(server.wsUrl('vsn=1.0.0'));
    const exit = server.stop();
    for (const client of [...clients, idle]) {
      const { code } = await client.waitClosed({ timeout: 5000 });
      assert.equal(code, 1001, `${client.label} was closed with ${code}`);
    }
    assert.deepEqual(await exit, { code: 0, signal: null });
  });

  // The listening line tells a supervisor the server is up; a SIGTERM from then on must take the
  // graceful path, not the default action that kills the process.
  test('SIGTERM sent right after the listening line still exits gracefully with status 0', async () => {
    server = await startServer();
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  });
});
