// Per-connection limits on the wire: frame size, undecodable frames, the HTTP handshake
// deadline (slowloris), the idle timeout and max_connections.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { closeAllRaw, handshakeStatus, okReply, RawClient } from './lib/raw.js';
import { metric, readMetrics } from './lib/metrics.js';
import { DEFAULT_ROUTES, httpGet, startServer } from './lib/server.js';
import { withDeadline } from './lib/wait.js';


/** Polls /metrics until `check(samples)` holds; resolves with those samples. */
async function metricsUntil(server, check, { timeout = 3000, what = 'a metrics condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const samples = await readMetrics(server);
    if (check(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Starts one server with `limits` (TOML lines) for the enclosing describe block. */
function serverWith(limits) {
  const ctx = { server: null };
  before(async () => {
    ctx.server = await startServer({ config: `[limits]\n${limits}\n${DEFAULT_ROUTES}` });
  });
  afterEach(closeAllRaw);
  after(async () => {
    const crashed = ctx.server && !ctx.server.isRunning();
    await ctx.server?.stop();
    assert.ok(!crashed, `the server exited during the tests:\n${ctx.server.output()}`);
  });
  return ctx;
}

async function joined(server, topic, joinRef = '1') {
  const client = await RawClient.connect(server.wsUrl());
  client.send([joinRef, joinRef, topic, 'phx_join', {}]);
  assert.deepEqual(await client.next(), okReply(joinRef, joinRef, topic));
  return client;
}

describe('inbound frame limits', () => {
  const ctx = serverWith('max_frame_bytes = 1024');

  test('a 2000-byte frame over max_frame_bytes = 1024 closes the connection with 1009', async () => {
    const client = await joined(ctx.server, 'echo:big');
    const before = await readMetrics(ctx.server);
    client.sendText(JSON.stringify(['1', '2', 'echo:big', 'say', { pad: 'x'.repeat(2000) }]));
    const { code, reason } = await client.waitClosed();
    assert.equal(code, 1009, `closed with ${code} "${reason}"`);
    await metricsUntil(
      ctx.server,
      (m) =>
        metric(m, 'switchboard_connections_closed_total{code="1009"}') ===
        metric(before, 'switchboard_connections_closed_total{code="1009"}') + 1,
      { what: 'switchboard_connections_closed_total{code="1009"} to count the close' },
    );
  });

  test('a message fragmented into two 600-byte frames, 1200 bytes in all, closes the connection with 1009', async () => {
    const client = await joined(ctx.server, 'echo:fragments');
    const text = JSON.stringify(['1', '2', 'echo:fragments', 'say', { pad: 'z'.repeat(1200 - 40) }]);
    client.ws.send(text.slice(0, 600), { fin: false });
    client.ws.send(text.slice(600), { fin: true });
    const { code, reason } = await client.waitClosed();
    assert.equal(code, 1009, `closed with ${code} "${reason}"`);
  });

  test('a frame of exactly max_frame_bytes is accepted and answered', async () => {
    const client = await joined(ctx.server, 'echo:edge');
    const frame = ['1', '2', 'echo:edge', 'say', { pad: '' }];
    const pad = 1024 - Buffer.byteLength(JSON.stringify(frame));
    frame[4].pad = 'y'.repeat(pad);
    assert.equal(Buffer.byteLength(JSON.stringify(frame)), 1024);
    client.send(frame);
    const reply = await client.waitFor((f) => Array.isArray(f) && f[3] === 'phx_reply' && f[1] === '2');
    assert.equal(reply[4].status, 'ok');
  });

  test('malformed JSON closes the connection with 1007 and counts in switchboard_malformed_total', async () => {
    const client = await joined(ctx.server, 'room:malformed');
    const before = await readMetrics(ctx.server);
    client.sendText('["1","2","room:malformed","msg",{');
    const { code, reason } = await client.waitClosed();
    assert.equal(code, 1007, `closed with ${code} "${reason}"`);
    const afterClose = await metricsUntil(
      ctx.server,
      (m) => metric(m, 'switchboard_malformed_total') > metric(before, 'switchboard_malformed_total'),
      { what: 'switchboard_malformed_total to increase' },
    );
    assert.equal(
      metric(afterClose, 'switchboard_malformed_total'),
      metric(before, 'switchboard_malformed_total') + 1,
      'one malformed frame counted more than once',
    );
  });
});

describe('handshake timeout', () => {
  const ctx = serverWith('handshake_timeout_ms = 1000');

  test('a client dripping one header byte every 300 ms is dropped about handshake_timeout_ms after connecting', async () => {
    const before = await readMetrics(ctx.server);
    const socket = net.connect(ctx.server.port, '127.0.0.1');
    socket.on('error', () => {}); // a reset is one way of being dropped
    await withDeadline(new Promise((resolve) => socket.once('connect', resolve)), 3000, 'the TCP connect');
    const started = Date.now();
    const dropped = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\n');
    const header = 'X-Slow: ' + 'a'.repeat(1000);
    let sent = 0;
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    const drip = setInterval(() => {
      if (!socket.destroyed && sent < header.length) socket.write(header[sent++]);
    }, 300);
    try {
      await withDeadline(dropped, 6000, 'the server to drop the slow handshake');
    } finally {
      clearInterval(drip);
    }
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900, `dropped after only ${elapsed} ms`);
    assert.ok(elapsed <= 3000, `dropped only after ${elapsed} ms`);
    assert.equal(answer, '', 'the server answered an incomplete request');
    await metricsUntil(
      ctx.server,
      (m) =>
        metric(m, 'switchboard_handshake_timeouts_total') ===
        metric(before, 'switchboard_handshake_timeouts_total') + 1,
      { what: 'switchboard_handshake_timeouts_total to count the drop' },
    );
  });

  test('an upgrade completed within handshake_timeout_ms is not affected by it afterwards', async () => {
    const client = await joined(ctx.server, 'echo:after-handshake');
    // The session outlives the handshake deadline: the connection is still served after it.
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 1500) {
      client.send([null, `hb${++n}`, 'phoenix', 'heartbeat', {}]);
      await client.waitFor((f) => Array.isArray(f) && f[1] === `hb${n}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(client.closeResult, undefined, 'the connection was closed');
  });
});

describe('idle timeout', () => {
  const ctx = serverWith('idle_timeout_ms = 500');

  test('a connection that sends nothing for idle_timeout_ms = 500 is closed with 1001 "idle timeout"', async () => {
    const before = await readMetrics(ctx.server);
    const client = await RawClient.connect(ctx.server.wsUrl());
    const started = Date.now();
    const { code, reason } = await client.waitClosed({ timeout: 4000 });
    const elapsed = Date.now() - started;
    assert.equal(code, 1001, `closed with ${code} "${reason}"`);
    assert.equal(reason, 'idle timeout');
    assert.ok(elapsed >= 450, `closed after only ${elapsed} ms`);
    assert.ok(elapsed <= 2500, `closed only after ${elapsed} ms`);
    await metricsUntil(
      ctx.server,
      (m) => metric(m, 'switchboard_idle_timeouts_total') > metric(before, 'switchboard_idle_timeouts_total'),
      { what: 'switchboard_idle_timeouts_total to increase' },
    );
  });

  test('a connection sending a heartbeat every 150 ms stays open for three idle timeouts', async () => {
    const client = await RawClient.connect(ctx.server.wsUrl());
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 1500) {
      client.send([null, `hb${++n}`, 'phoenix', 'heartbeat', {}]);
      const reply = await client.waitFor((f) => Array.isArray(f) && f[1] === `hb${n}`);
      assert.deepEqual(reply, okReply(null, `hb${n}`, 'phoenix'));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    assert.equal(client.closeResult, undefined, 'the connection was closed while active');
  });
});

describe('max_connections', () => {
  const ctx = serverWith('max_connections = 3');

  test('with max_connections = 3 the fourth upgrade gets HTTP 503 and the first three keep working', async () => {
    const before = await readMetrics(ctx.server);
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await joined(ctx.server, `echo:max${i}`, `${i + 1}`));

    assert.equal(await handshakeStatus(ctx.server.wsUrl()), 503);
    const refused = await readMetrics(ctx.server);
    assert.equal(
      metric(refused, 'switchboard_connections_refused_total'),
      metric(before, 'switchboard_connections_refused_total') + 1,
    );
    assert.equal(metric(refused, 'switchboard_connections'), 3);

    for (const [i, client] of clients.entries()) {
      client.send([`${i + 1}`, 'p', `echo:max${i}`, 'say', { i }]);
      const reply = await client.waitFor((f) => Array.isArray(f) && f[1] === 'p' && f[3] === 'phx_reply');
      assert.equal(reply[4].status, 'ok', `connection ${i} did not get an ok reply`);
    }
    const health = await httpGet(ctx.server.httpUrl('/healthz'));
    assert.equal(health.status, 200, 'plain HTTP is refused at max_connections');
  });

  test('after one of three connections closes, a new upgrade is accepted again', async () => {
    await metricsUntil(ctx.server, (m) => metric(m, 'switchboard_connections') === 0, {
      what: 'the connections of the previous test to be gone',
    });
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await RawClient.connect(ctx.server.wsUrl()));
    assert.equal(await handshakeStatus(ctx.server.wsUrl()), 503);
    await clients[0].close();
    await metricsUntil(ctx.server, (m) => metric(m, 'switchboard_connections') === 2, {
      what: 'switchboard_connections to drop to 2',
    });
    const fourth = await RawClient.connect(ctx.server.wsUrl());
    fourth.send([null, '1', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await fourth.next(), okReply(null, '1', 'phoenix'));
  });

  test('of twenty upgrade requests arriving together with max_connections = 3, exactly three are accepted and seventeen get HTTP 503', async () => {
    await metricsUntil(ctx.server, (m) => metric(m, 'switchboard_connections') === 0, {
      what: 'the connections of the previous test to be gone',
    });
    // Connect first, then send every request in the same tick, so that the server reads them
    // all before it completes any upgrade.
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () => {
        const socket = net.connect(ctx.server.port, '127.0.0.1');
        socket.on('error', () => {});
        return withDeadline(new Promise((resolve) => socket.once('connect', () => resolve(socket))), 3000, 'a TCP connect');
      }),
    );
    try {
      const statuses = sockets.map((socket) => {
        let head = '';
        return withDeadline(
          new Promise((resolve) => {
            socket.on('data', (chunk) => {
              head += chunk.toString('latin1');
              const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
              if (match) resolve(Number(match[1]));
            });
          }),
          5000,
          'the answer to an upgrade request',
        );
      });
      for (const socket of sockets) {
        socket.write(
          'GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n' +
            'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
            'Sec-WebSocket-Version: 13\r\n\r\n',
        );
      }
      const answers = await Promise.all(statuses);
      const accepted = answers.filter((status) => status === 101).length;
      assert.equal(accepted, 3, `${accepted} upgrades accepted with max_connections = 3`);
      assert.equal(answers.filter((status) => status === 503).length, 17);
      const m = await readMetrics(ctx.server);
      assert.equal(metric(m, 'switchboard_connections'), 3);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
