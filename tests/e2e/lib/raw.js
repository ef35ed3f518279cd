// A raw WebSocket client (the `ws` package) that records every frame byte for byte, for the
// cases phoenix.js cannot express: exact frames, malformed input, V1 objects, close codes.

import WebSocket from 'ws';
import { DEFAULT_TIMEOUT_MS, Mailbox, withDeadline } from './wait.js';

const open = new Set();
let syncCounter = 0;

/**
 * One connection. `frames` is a Mailbox of received frames in arrival order: text frames are
 * parsed JSON values (unparseable text is kept as { unparsed: string }), binary frames are
 * Buffers. `closed` resolves with { code, reason } when the connection ends.
 */
export class RawClient {
  constructor(ws, label) {
    this.ws = ws;
    this.label = label;
    this.frames = new Mailbox(`raw client ${label}`);
    this.texts = [];
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        open.delete(this);
        const result = { code, reason: reason.toString() };
        this.closeResult = result;
        this.frames.close(`code ${code}`);
        resolve(result);
      });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.frames.push(Buffer.from(data));
        return;
      }
      const text = data.toString();
      this.texts.push(text);
      try {
        this.frames.push(JSON.parse(text));
      } catch {
        this.frames.push({ unparsed: text });
      }
    });
    // Errors after the handshake end in 'close'; keep them from becoming uncaught exceptions.
    ws.on('error', () => {});
  }

  /** Opens a connection to `url` and resolves once the handshake completed. */
  static async connect(url, { label = url, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const ws = new WebSocket(url);
    const client = new RawClient(ws, label);
    open.add(client);
    const opened = new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`handshake refused with HTTP ${res.statusCode}`)),
      );
    });
    await withDeadline(opened, timeout, `the WebSocket handshake with ${url}`);
    return client;
  }

  /** Sends a value as one JSON text frame. */
  send(value) {
    this.ws.send(JSON.stringify(value));
  }

  sendText(text) {
    this.ws.send(text, { binary: false });
  }

  sendBinary(bytes) {
    this.ws.send(Buffer.from(bytes), { binary: true });
  }

  /** The next unread frame. */
  next(opts = {}) {
    return this.frames.next({ what: 'the next frame', ...opts });
  }

  /** The first frame received so far or later that satisfies `predicate`. */
  waitFor(predicate, opts = {}) {
    return this.frames.waitFor(predicate, opts);
  }

  /**
   * Round-trips a heartbeat and returns the unread frames that arrived before its reply.
   * The server writes a connection's frames in order, so after this every frame caused by
   * earlier input (that the server has handled by then) has been seen: this is how tests
   * check that something was *not* sent, without sleeping.
   */
  async sync({ v1 = false, timeout } = {}) {
    const ref = `sync-${++syncCounter}`;
    if (v1) this.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref });
    else this.send([null, ref, 'phoenix', 'heartbeat', {}]);
    const before = [];
    for (;;) {
      const frame = await this.next({ timeout, what: `the reply to heartbeat ${ref}` });
      const isReply = Array.isArray(frame) ? frame[1] === ref : frame?.ref === ref;
      if (isReply) return before;
      before.push(frame);
    }
  }

  /** Resolves with { code, reason } once the server has closed the connection. */
  waitClosed({ timeout = DEFAULT_TIMEOUT_MS } = {}) {
    return withDeadline(this.closed, timeout, `${this.label} to be closed`);
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000);
    }
    return this.closed;
  }
}

/** Closes every raw client that is still open (for afterEach hooks). */
export async function closeAllRaw() {
  const clients = [...open];
  for (const client of clients) client.ws.terminate();
  await Promise.all(clients.map((c) => c.closed));
}

/**
 * Attempts a handshake that is expected to be refused; resolves with the HTTP status code
 * of the refusal, or rejects if the upgrade succeeded.
 */
export function handshakeStatus(url, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
  const attempt = new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error(`the handshake with ${url} was accepted`));
    });
    ws.on('error', (err) => reject(err));
  });
  return withDeadline(attempt, timeout, `the handshake response from ${url}`);
}

/** Encodes a client binary push (kind 0): kind, four lengths, strings, payload. */
export function encodeBinaryPush({ joinRef, ref, topic, event, payload }) {
  const strings = [joinRef, ref, topic, event].map((s) => Buffer.from(s, 'utf8'));
  const header = Buffer.from([0, ...strings.map((s) => s.length)]);
  return Buffer.concat([header, ...strings, Buffer.from(payload)]);
}

/** The bytes of a server binary broadcast (kind 2) as docs/protocol.md §3 lays it out. */
export function binaryBroadcastBytes({ topic, event, payload }) {
  const t = Buffer.from(topic, 'utf8');
  const e = Buffer.from(event, 'utf8');
  return Buffer.concat([Buffer.from([2, t.length, e.length]), t, e, Buffer.from(payload)]);
}

/** The bytes of a server binary reply (kind 1) as docs/protocol.md §3 lays it out. */
export function binaryReplyBytes({ joinRef, ref, topic, status, payload }) {
  const strings = [joinRef, ref, topic, status].map((s) => Buffer.from(s, 'utf8'));
  return Buffer.concat([Buffer.from([1, ...strings.map((s) => s.length)]), ...strings, Buffer.from(payload)]);
}

/** The V2 reply frame the server sends for an accepted message. */
export function okReply(joinRef, ref, topic, response = {}) {
  return [joinRef, ref, topic, 'phx_reply', { status: 'ok', response }];
}

/** The V2 reply frame the server sends for an error outcome. */
export function errorReply(joinRef, ref, topic, response) {
  return [joinRef, ref, topic, 'phx_reply', { status: 'error', response }];
}
