// Plain HTTP and the opening handshake, as a hostile client would use them: no path takes a
// request body (413 at once, nothing buffered), connections not yet upgraded are capped
// (max_http_connections, then 503), HEAD gets headers only, a malformed Sec-WebSocket-Key or an
// unsupported Sec-WebSocket-Version is refused, and no response names the libraries inside.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ROUTES, httpGet, startServer } from './lib/server.js';
import { withDeadline } from './lib/wait.js';

const MAX_HTTP = 8;

/** A raw TCP connection that collects everything the server sends. */
function rawConnect(port) {
  const socket = net.connect(port, '127.0.0.1');
  socket.received = '';
  socket.on('data', (chunk) => (socket.received += chunk.toString('latin1')));
  socket.ended = new Promise((resolve) => socket.on('close', resolve));
  socket.on('error', () => {});
  const connected = new Promise((resolve) => socket.once('connect', resolve));
  return withDeadline(connected, 3000, 'a TCP connection').then(() => socket);
}

/** Waits until `socket.received` satisfies `predicate`. */
async function receivedWhen(socket, predicate, what) {
  const deadline = Date.now() + 5000;
  while (!predicate(socket.received)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(socket.received)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return socket.received;
}

const statusOf = (text) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

function upgradeRequest({ key = 'dGhlIHNhbXBsZSBub25jZQ==', version = '13' } = {}) {
  return (
    'GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n' +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\n\r\n`
  );
}

let server;
before(async () => {
  server = await startServer({ config: `[limits]\nmax_http_connections = ${MAX_HTTP}\n${DEFAULT_ROUTES}` });
});
after(() => server.stop());

describe('request bodies', () => {
  test('a request announcing a 1 MB body gets 413 before the body is sent, and the connection ends', async () => {
    const socket = await rawConnect(server.port);
    socket.write('POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n' + 'x'.repeat(1000));
    const text = await receivedWhen(socket, (t) => t.includes('\r\n\r\n'), 'the 413 response');
    assert.equal(statusOf(text), 413);
    await withDeadline(socket.ended, 3000, 'the connection to end');
  });

  test('a chunked request body is refused the same way', async () => {
    const socket = await rawConnect(server.port);
    socket.write('POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    assert.equal(statusOf(await receivedWhen(socket, (t) => t.includes('\r\n\r\n'), 'the response')), 413);
  });

  test('POST without a body on /healthz is 405, GET still works', async () => {
    const socket = await rawConnect(server.port);
    socket.write('POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    assert.equal(statusOf(await receivedWhen(socket, (t) => t.includes('\r\n\r\n'), 'the response')), 405);
    assert.equal((await httpGet(server.httpUrl('/healthz'))).status, 200);
  });
});

describe('max_http_connections', () => {
  test(`with ${MAX_HTTP} idle connections open a new one gets 503; once they close, requests work again`, async () => {
    const idle = [];
    for (let i = 0; i < MAX_HTTP; i++) idle.push(await rawConnect(server.port));
    // The server admits each connection when it accepts it: a request on the last one proves
    // all of them were accepted before the refused one arrives.
    idle[MAX_HTTP - 1].write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await receivedWhen(idle[MAX_HTTP - 1], (t) => t.includes('ok\n'), 'the health check on the last slot');
    const refused = await rawConnect(server.port);
    const text = await receivedWhen(refused, (t) => t.includes('\r\n\r\n'), 'the 503 refusal');
    assert.equal(statusOf(text), 503);
    await withDeadline(refused.ended, 3000, 'the refused connection to end');
    for (const s of idle) s.destroy();
    await Promise.all(idle.map((s) => s.ended));
    const deadline = Date.now() + 5000;
    for (;;) {
      if ((await httpGet(server.httpUrl('/healthz')).catch(() => null))?.status === 200) break;
      assert.ok(Date.now() < deadline, 'the slots were never given back');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});

describe('HEAD', () => {
  test('HEAD gets the headers without a body, and the next request on the connection is answered intact', async () => {
    const socket = await rawConnect(server.port);
    socket.write('HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await receivedWhen(socket, (t) => (t.match(/HTTP\/1\.1/g) ?? []).length === 2 && t.endsWith('ok\n'), 'two responses');
    const [head, get] = text.split(/(?=HTTP\/1\.1 )/);
    assert.equal(statusOf(head), 200);
    assert.match(head, /Content-Length: 3\r\n/i);
    assert.ok(head.endsWith('\r\n\r\n'), `the HEAD response carried a body: ${JSON.stringify(head)}`);
    assert.equal(statusOf(get), 200);
    assert.ok(get.endsWith('\r\n\r\nok\n'));
    socket.destroy();
  });
});

describe('the opening handshake', () => {
  for (const [name, key] of [
    ['empty', ''],
    ['not Base64', '!!!!!!!!!!!!!!!!!!!!!!=='],
    ['15 bytes', Buffer.alloc(15, 1).toString('base64')],
    ['17 bytes', Buffer.alloc(17, 1).toString('base64')],
  ]) {
    test(`a Sec-WebSocket-Key that is ${name} is refused with 400`, async () => {
      const socket = await rawConnect(server.port);
      socket.write(upgradeRequest({ key }));
      assert.equal(statusOf(await receivedWhen(socket, (t) => t.includes('\r\n\r\n'), 'the response')), 400);
    });
  }

  test('Sec-WebSocket-Version 8 gets 426 naming version 13', async () => {
    const socket = await rawConnect(server.port);
    socket.write(upgradeRequest({ version: '8' }));
    const text = await receivedWhen(socket, (t) => t.includes('\r\n\r\n'), 'the response');
    assert.equal(statusOf(text), 426);
    assert.match(text, /Sec-WebSocket-Version: 13\r\n/i);
  });

  test('no response, the 101 included, names a library or its version', async () => {
    const responses = [];
    for (const request of [upgradeRequest(), 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n', upgradeRequest({ key: '' })]) {
      const socket = await rawConnect(server.port);
      socket.write(request);
      responses.push(await receivedWhen(socket, (t) => t.includes('\r\n\r\n'), 'a response'));
      socket.destroy();
    }
    assert.equal(statusOf(responses[0]), 101);
    for (const text of responses) {
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      assert.doesNotMatch(head, /beast|boost/i);
      assert.match(head, /\r\nServer: switchboard(\r\n|$)/i);
    }
  });
});
