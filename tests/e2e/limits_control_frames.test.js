// Control frames and replies are bounded like broadcasts. A client that pings or asks for
// replies quickly while reading nothing cannot make the server hold memory without bound: pings
// go through the inbound rate limit, only the latest unanswered ping is answered (RFC 6455
// §5.5.3), replies, pushes and pongs have their own bound (max_outbound_control_bytes, beyond
// it close 1013), and what a closed connection held goes back to the operating system.
//
// The flooding client is a Python child process with a 4 KiB receive buffer, so that the
// server's queue, not the kernel's buffers, is what a non-reading client fills.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RawClient, okReply } from './lib/raw.js';
import { RSS, SANITIZED, metric, readMetrics } from './lib/metrics.js';
import { useServer } from './lib/fixture.js';
import { DEFAULT_ROUTES } from './lib/server.js';
import { waitUntil, withDeadline } from './lib/wait.js';

const PYTHON = '/usr/bin/python3';
const FLOOD_PY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python', 'flood.py');
const MiB = 1024 * 1024;

/** Runs flood.py; `release()` lets it go on after the flood, `result()` is its last line. */
function startFlood(server, mode, count, size, then = 'read') {
  const child = spawn(PYTHON, [FLOOD_PY, String(server.port), mode, String(count), String(size), '--then', then], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  lines.on('line', (line) => (waiters.length ? waiters.shift()(line) : queue.push(line)));
  const line = (what) =>
    withDeadline(
      new Promise((resolve) => (queue.length ? resolve(queue.shift()) : waiters.push(resolve))),
      60000,
      what,
    ).then(JSON.parse);
  return {
    flooded: () => line(`the ${mode} flood to be sent`),
    release: () => child.stdin.write('go\n'),
    result: () => line(`the flooding client's result`),
  };
}

async function rss(server) {
  return metric(await readMetrics(server), RSS);
}

describe('pings count against the inbound rate limit', () => {
  const ctx = useServer({
    config: `[limits]
messages_per_second = 0.001
burst = 50
rate_limit_close_after = 20
${DEFAULT_ROUTES}`,
  });

  test('a ping flood is answered within the burst, then closed with 1008', async () => {
    const flood = startFlood(ctx.server, 'pings', 5000, 16);
    await flood.flooded();
    flood.release();
    const result = await flood.result();
    assert.equal(result.close_code, 1008);
    assert.ok(result.pongs >= 1 && result.pongs <= 50, `${result.pongs} pongs for a burst of 50`);
    // Everyone else is served as usual.
    const other = await RawClient.connect(ctx.server.wsUrl());
    other.send([null, 'h', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await other.next(), okReply(null, 'h', 'phoenix'));
    other.close();
  });
});

describe('unread pongs and replies are bounded', () => {
  const ctx = useServer({
    config: `[limits]
messages_per_second = 1000000.0
burst = 1000000.0
max_frame_bytes = 131072
max_outbound_control_bytes = 1048576
# Longer than a test: the flooding clients must meet their bound, not the write timeout.
write_timeout_ms = 60000
${DEFAULT_ROUTES}`,
  });

  test('200,000 pings from a client that reads nothing queue one pong, for the latest ping', async () => {
    const before = await rss(ctx.server);
    const flood = startFlood(ctx.server, 'pings', 200000, 125);
    await flood.flooded();
    // Uncoalesced, 200,000 pongs of 127 bytes each would hold well over 25 MiB here.
    const during = await rss(ctx.server);
    flood.release();
    const result = await flood.result();
    assert.equal(result.close_code, null, 'a fast pinger within its rate limit is not closed');
    assert.ok(result.pongs >= 1 && result.pongs < 200000, `${result.pongs} pongs`);
    // The last pong answers the last ping (its payload starts with the ping's index).
    assert.equal(result.last_pong.slice(0, 8), (199999).toString(16).padStart(8, '0'));
    if (!SANITIZED) assert.ok(during - before < 8 * MiB, `RSS grew by ${(during - before) / MiB} MiB`);
  });

  test('replies a client does not read close it with 1013 at max_outbound_control_bytes', async () => {
    const samples = await readMetrics(ctx.server);
    // 300 heartbeats with 60 KB refs: 18 MB of replies if nothing bounded them.
    const flood = startFlood(ctx.server, 'heartbeats', 300, 60000);
    await flood.flooded();
    const during = await readMetrics(ctx.server);
    flood.release();
    const result = await flood.result();
    assert.equal(result.close_code, 1013);
    assert.ok(result.replies >= 1 && result.replies < 300, `${result.replies} replies before the close`);
    const closed = 'switchboard_connections_closed_total{code="1013"}';
    assert.equal(metric(during, closed) - metric(samples, closed), 1);
    assert.equal(
      metric(during, 'switchboard_control_overflows_total') - metric(samples, 'switchboard_control_overflows_total'),
      1,
    );
    if (!SANITIZED) {
      const growth = metric(during, RSS) - metric(samples, RSS);
      assert.ok(growth < 8 * MiB, `RSS grew by ${growth / MiB} MiB`);
    }
  });
});

describe('memory a closed connection held goes back to the operating system', { skip: SANITIZED && 'resident memory is meaningless under ASan' }, () => {
  const ctx = useServer({
    config: `[limits]
messages_per_second = 1000000.0
burst = 1000000.0
max_frame_bytes = 131072
max_outbound_control_bytes = 268435456
write_timeout_ms = 60000
${DEFAULT_ROUTES}`,
  });

  test('RSS falls back within seconds after a client that queued 120 MB is gone', async () => {
    const baseline = await rss(ctx.server);
    const flood = startFlood(ctx.server, 'heartbeats', 2000, 60000, 'abort');
    await flood.flooded();
    // The replies are queued once the connection actor has answered every heartbeat.
    await waitUntil(async () => (await rss(ctx.server)) - baseline > 80 * MiB, {
      timeout: 20000,
      what: 'the queued replies to show in RSS',
    });
    flood.release();
    await flood.result();
    await waitUntil(async () => (await rss(ctx.server)) - baseline < 24 * MiB, {
      timeout: 8000,
      interval: 250,
      what: 'RSS to fall back near its baseline',
    });
  });
});
