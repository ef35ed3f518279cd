// Slow consumers: a room of 200 fast readers and 5 readers that never read. The fast readers get
// every message in order and barely notice the slow ones; each slow reader's outbound queue is
// bounded by max_outbound_bytes and its route's on_overflow policy decides what happens.
//
// The slow readers are a Python child process: it sets a small SO_RCVBUF before connecting,
// which Node cannot do. Without it the kernel would buffer tens of megabytes per paused socket
// on loopback (tcp_rmem autotuning) before the server's queue even starts to fill.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { RSS, metric, readMetrics } from './lib/metrics.js';
import { startServer } from './lib/server.js';
import { withDeadline } from './lib/wait.js';

const FAST_READERS = 200;
const SLOW_READERS = 5;
const MAX_OUTBOUND_BYTES = 256 * 1024;
const PAD = 'x'.repeat(16 * 1024);
/** Broadcasts in flight (published, not yet received by every fast reader). */
const WINDOW = 4;
/** Publishes before the slow readers join, to measure the fast readers' latency without them. */
const WARMUP_MESSAGES = 40;
/** Publishes that must overflow every slow reader's kernel buffers and queue, or the test fails. */
const MAX_MESSAGES = 3000;
/**
 * Publishes after the slow readers overflowed: memory must stay bounded while they go on. 2.5 MiB
 * per slow reader, so unbounded queues would grow by 12.5 MiB, past the bound below.
 */
const MESSAGES_AFTER_OVERFLOW = 160;
/**
 * Resident memory the server may gain during the slow phase on top of the slow readers' bounded
 * queues (SLOW_READERS × MAX_OUTBOUND_BYTES); measured growth is well under 1 MiB.
 */
const MEMORY_SLACK_BYTES = 6 * 1024 * 1024;
const PYTHON = '/usr/bin/python3';

const CONFIG = `
[limits]
max_outbound_bytes = ${MAX_OUTBOUND_BYTES}
messages_per_second = 1000000.0
burst = 1000000.0
# Longer than a test: a never-reading client must be closed by its overflow policy, not dropped
# by the write timeout, until the test drains it.
write_timeout_ms = 60000

[[routes]]
pattern = "close:*"
behaviour = "broadcast"
on_overflow = "close"

[[routes]]
pattern = "newest:*"
behaviour = "broadcast"
on_overflow = "drop_newest"

[[routes]]
pattern = "oldest:*"
behaviour = "broadcast"
on_overflow = "drop_oldest"
`;

// Connects `count` WebSockets with SO_RCVBUF = 4096, joins `topic` on each, prints "joined",
// then never reads until told "drain" on stdin. Draining reads each socket up to the reply to a
// heartbeat (still open) or a close frame, and prints one JSON line: per socket the broadcast
// seqs received, the close code (or null) and whether the heartbeat was answered.
const SLOW_READER_PY = String.raw`
import base64, json, os, re, socket, struct, sys

port, topic, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
SEQ = re.compile(rb'"seq":(\d+)')

def text_frame(text):
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0x80 | 126]) + struct.pack('!H', n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))

class Conn:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(('127.0.0.1', port))
        self.buf = bytearray()

    def fill(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def handshake(self):
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(('GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                           'Upgrade: websocket\r\nConnection: Upgrade\r\n'
                           'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n' % key).encode())
        while b'\r\n\r\n' not in self.buf:
            self.fill()
        end = self.buf.index(b'\r\n\r\n')
        status = bytes(self.buf[:end]).split(b'\r\n')[0]
        del self.buf[:end + 4]
        if b' 101 ' not in status:
            raise RuntimeError('handshake refused: %r' % status)

    def frame(self):
        while True:
            if len(self.buf) >= 2:
                n, pos = self.buf[1] & 0x7f, 2
                if n == 126 and len(self.buf) >= 4:
                    n, pos = struct.unpack('!H', self.buf[2:4])[0], 4
                elif n == 127 and len(self.buf) >= 10:
                    n, pos = struct.unpack('!Q', self.buf[2:10])[0], 10
                if n < 126 or pos > 2:
                    if len(self.buf) >= pos + n:
                        opcode, payload = self.buf[0] & 0x0f, bytes(self.buf[pos:pos + n])
                        del self.buf[:pos + n]
                        return opcode, payload
            self.fill()

    def send(self, value):
        self.sock.sendall(text_frame(json.dumps(value)))

conns = []
for i in range(count):
    c = Conn()
    c.handshake()
    c.send(['1', '1', topic, 'phx_join', {}])
    opcode, payload = c.frame()
    reply = json.loads(payload)
    if reply[1] != '1' or reply[4]['status'] != 'ok':
        raise RuntimeError('join refused: %r' % reply)
    conns.append(c)
print('joined', flush=True)

for line in sys.stdin:
    if line.strip() != 'drain':
        continue
    results = []
    for c in conns:
        c.sock.settimeout(10)
        result = {'seqs': [], 'close': None, 'answered': False}
        try:
            c.send([None, 'drain', 'phoenix', 'heartbeat', {}])
            while True:
                opcode, payload = c.frame()
                if opcode == 8:
                    result['close'] = struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else 1005
                    break
                if payload.startswith(b'[null,null,'):
                    result['seqs'].append(int(SEQ.search(payload[:200]).group(1)))
                elif b'"drain"' in payload[:40]:
                    result['answered'] = True
                    break
        except (EOFError, OSError) as e:
            result['error'] = str(e)
        results.append(result)
    print(json.dumps(results), flush=True)
`;

const CLOSED_1013 = 'switchboard_connections_closed_total{code="1013"}';

/**
 * The fast readers and the publisher: raw `ws` connections that record, per reader, whether the
 * broadcasts arrived complete and in order, and every broadcast's latency (the payload carries
 * the publish time; publisher and readers share this process's clock).
 */
class Room {
  constructor(server, topic) {
    this.server = server;
    this.topic = topic;
    this.sockets = [];
    this.nextSeq = []; // per reader: the seq it expects next
    this.outOfOrder = []; // per reader: the first unexpected seq, if any
    this.receivedBy = []; // per seq: how many fast readers received it
    this.latencies = []; // ms, of the phase being measured
    this.waiters = new Map(); // seq → resolve, once every fast reader received it
    this.replies = new Map(); // ref → status
    this.closes = [];
  }

  async connect() {
    const joins = [];
    for (let i = 0; i < FAST_READERS; i++) joins.push(this.connectOne(i));
    await withDeadline(Promise.all(joins), 20000, `${FAST_READERS} fast readers to join`);
  }

  connectOne(index) {
    const ws = new WebSocket(this.server.wsUrl(), { perMessageDeflate: false });
    this.sockets.push(ws);
    this.nextSeq[index] = 0;
    ws.on('error', () => {});
    ws.on('close', (code) => this.closes.push({ index, code }));
    return new Promise((resolve, reject) => {
      ws.on('message', (data) => {
        if (data[0] === 0x5b && data[1] === 0x6e) return this.onBroadcast(index, data); // [null,null,...
        const frame = JSON.parse(data.toString());
        if (frame[1] === 'join') return frame[4].status === 'ok' ? resolve() : reject(new Error('join refused'));
        this.replies.set(frame[1], frame[4].status);
      });
      ws.on('open', () => ws.send(JSON.stringify(['join', 'join', this.topic, 'phx_join', {}])));
      ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    });
  }

  onBroadcast(index, data) {
    const now = performance.now();
    const head = data.subarray(0, 120).toString();
    const match = /"seq":(\d+),"us":(\d+)/.exec(head);
    const seq = Number(match[1]);
    this.latencies.push(now - Number(match[2]) / 1000);
    if (seq !== this.nextSeq[index] && this.outOfOrder[index] === undefined) {
      this.outOfOrder[index] = { expected: this.nextSeq[index], got: seq };
    }
    this.nextSeq[index] = seq + 1;
    this.receivedBy[seq] = (this.receivedBy[seq] ?? 0) + 1;
    if (this.receivedBy[seq] === FAST_READERS) {
      this.waiters.get(seq)?.();
      this.waiters.delete(seq);
    }
  }

  /** Resolves once every fast reader has received broadcast `seq`. */
  delivered(seq) {
    if (seq < 0 || this.receivedBy[seq] === FAST_READERS) return Promise.resolve();
    const all = new Promise((resolve) => this.waiters.set(seq, resolve));
    return withDeadline(all, 10000, `broadcast ${seq} to reach every fast reader`);
  }

  /** Publishes through reader 0, at most WINDOW broadcasts ahead of the slowest fast reader. */
  async publish(seq) {
    await this.delivered(seq - WINDOW);
    // Integer microseconds: the server may print a double in exponent notation.
    const payload = { seq, us: Math.round(performance.now() * 1000), pad: PAD };
    this.sockets[0].send(JSON.stringify(['join', `p${seq}`, this.topic, 'tick', payload]));
  }

  close() {
    for (const ws of this.sockets) ws.terminate();
  }
}

/** The never-reading clients (a Python child process). */
class SlowReaders {
  static async start(server, topic, count = SLOW_READERS) {
    const child = spawn(PYTHON, ['-c', SLOW_READER_PY, String(server.port), topic, String(count)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const readers = new SlowReaders(child);
    await withDeadline(readers.line(), 10000, 'the slow readers to join').then((line) =>
      assert.equal(line, 'joined', `the slow reader process said ${line}: ${readers.stderr}`),
    );
    return readers;
  }

  constructor(child) {
    this.child = child;
    this.stderr = '';
    child.stderr.on('data', (chunk) => (this.stderr += chunk));
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) => child.on('exit', resolve));
  }

  async line() {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`the slow reader process exited: ${this.stderr}`);
    return value;
  }

  /** Reads everything the server queued; resolves with one result per slow reader. */
  async drain() {
    this.child.stdin.write('drain\n');
    return JSON.parse(await withDeadline(this.line(), 20000, 'the slow readers to drain'));
  }

  stop() {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs one room through both phases and returns what the assertions need. `overflowed(delta)`
 * says, from the change of /metrics since the slow readers joined, that every slow reader has
 * hit its bound.
 */
async function runRoom(server, topic, overflowed) {
  const room = new Room(server, topic);
  let slow = null;
  try {
    await room.connect();

    let seq = 0;
    for (; seq < WARMUP_MESSAGES; seq++) await room.publish(seq);
    await room.delivered(seq - 1);
    const p99Without = percentile(room.latencies, 99);
    room.latencies = [];

    slow = await SlowReaders.start(server, topic);
    const baseline = await readMetrics(server);
    let peakRss = metric(baseline, RSS);
    let overflowAt = null;
    const delta = (samples, name) => metric(samples, name) - metric(baseline, name);
    for (; overflowAt === null || seq < overflowAt + MESSAGES_AFTER_OVERFLOW; seq++) {
      assert.ok(seq < MAX_MESSAGES, `the slow readers did not overflow within ${MAX_MESSAGES} messages`);
      await room.publish(seq);
      if (seq % 8 === 0) {
        const samples = await readMetrics(server);
        peakRss = Math.max(peakRss, metric(samples, RSS));
        if (overflowAt === null && overflowed((name) => delta(samples, name))) overflowAt = seq;
      }
    }
    await room.delivered(seq - 1);
    const end = await readMetrics(server);
    peakRss = Math.max(peakRss, metric(end, RSS));
    const p99With = percentile(room.latencies, 99);

    // Replies: every publish was accepted.
    const refused = [...room.replies.values()].filter((status) => status !== 'ok');
    assert.deepEqual(refused, [], 'some publishes were refused');

    return {
      published: seq,
      room,
      fastCloses: [...room.closes],
      p99Without,
      p99With,
      rssGrowth: peakRss - metric(baseline, RSS),
      delta: (name) => delta(end, name),
      slowResults: await slow.drain(),
    };
  } finally {
    room.close();
    await slow?.stop();
  }
}

function assertFastReadersUnaffected(result) {
  const { room, published } = result;
  assert.deepEqual(result.fastCloses, [], 'fast readers were closed');
  for (let i = 0; i < FAST_READERS; i++) {
    assert.equal(room.outOfOrder[i], undefined, `fast reader ${i} received broadcasts out of order`);
    assert.equal(room.nextSeq[i], published, `fast reader ${i} missed broadcasts`);
  }
  // Behaviour, not a benchmark: the slow readers must not hold the fast ones back.
  assert.ok(
    result.p99With < 2 * result.p99Without + 50,
    `fast readers' p99 latency ${result.p99With.toFixed(1)} ms with slow readers, ` +
      `${result.p99Without.toFixed(1)} ms without`,
  );
  // Under AddressSanitizer freed memory sits in a quarantine of up to 256 MiB, so resident memory
  // says nothing about the server's own bounds there; the release pass checks it.
  if (process.env.SWITCHBOARD_SANITIZED === '1') return;
  const bound = SLOW_READERS * MAX_OUTBOUND_BYTES + MEMORY_SLACK_BYTES;
  assert.ok(
    result.rssGrowth <= bound,
    `resident memory grew by ${(result.rssGrowth / 2 ** 20).toFixed(1)} MiB while slow readers were ` +
      `published to, more than ${(bound / 2 ** 20).toFixed(1)} MiB`,
  );
}

/** Asserts that `seqs` increase strictly and returns how many of 0..published-1 are missing. */
function missingFrom(seqs, published) {
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq ${seqs[i]} after ${seqs[i - 1]}`);
  return published - seqs.length;
}

const ctx = { server: null };
before(async () => {
  ctx.server = await startServer({ config: CONFIG });
});
after(async () => {
  const crashed = ctx.server && !ctx.server.isRunning();
  await ctx.server?.stop();
  assert.ok(!crashed, `the server exited during the tests:\n${ctx.server.output()}`);
});

describe('slow consumers', () => {
  test('with on_overflow = "close" the never-reading members are closed with 1013 and 200 fast readers get every broadcast in order', async () => {
    const result = await runRoom(ctx.server, 'close:slow', (delta) => delta(CLOSED_1013) >= SLOW_READERS);
    assertFastReadersUnaffected(result);
    assert.equal(result.delta(CLOSED_1013), SLOW_READERS, 'closed with 1013: only the slow readers');
    for (const [i, slow] of result.slowResults.entries()) {
      assert.equal(slow.close, 1013, `slow reader ${i}: ${JSON.stringify({ ...slow, seqs: slow.seqs.length })}`);
      // Everything queued before the close is delivered, in order, then nothing more.
      assert.deepEqual(slow.seqs, [...slow.seqs.keys()].map((k) => WARMUP_MESSAGES + k), `slow reader ${i}`);
      assert.ok(slow.seqs.length < result.published - WARMUP_MESSAGES, `slow reader ${i} got everything`);
    }
  });

  test('with on_overflow = "drop_newest" the never-reading members stay open and miss broadcasts, counted in switchboard_dropped_total', async () => {
    const dropped = 'switchboard_dropped_total{policy="drop_newest"}';
    const result = await runRoom(ctx.server, 'newest:slow', (delta) => delta(dropped) >= SLOW_READERS);
    assertFastReadersUnaffected(result);
    assert.ok(result.delta(dropped) > 0);
    assert.equal(result.delta(CLOSED_1013), 0, 'a drop_newest member was closed');
    for (const [i, slow] of result.slowResults.entries()) {
      assert.equal(slow.close, null, `slow reader ${i} was closed with ${slow.close}`);
      assert.ok(slow.answered, `slow reader ${i} did not answer after draining: ${slow.error}`);
      assert.equal(slow.seqs[0], WARMUP_MESSAGES, `slow reader ${i} missed the first broadcast`);
      assert.ok(missingFrom(slow.seqs, result.published - WARMUP_MESSAGES) > 0, `slow reader ${i} missed nothing`);
    }
  });

  test('with on_overflow = "drop_oldest" the never-reading members stay open and keep the newest broadcasts', async () => {
    const dropped = 'switchboard_dropped_total{policy="drop_oldest"}';
    const result = await runRoom(ctx.server, 'oldest:slow', (delta) => delta(dropped) >= SLOW_READERS);
    assertFastReadersUnaffected(result);
    assert.ok(result.delta(dropped) > 0);
    assert.equal(result.delta(CLOSED_1013), 0, 'a drop_oldest member was closed');
    for (const [i, slow] of result.slowResults.entries()) {
      assert.equal(slow.close, null, `slow reader ${i} was closed with ${slow.close}`);
      assert.ok(slow.answered, `slow reader ${i} did not answer after draining: ${slow.error}`);
      assert.ok(missingFrom(slow.seqs, result.published - WARMUP_MESSAGES) > 0, `slow reader ${i} missed nothing`);
      assert.equal(slow.seqs.at(-1), result.published - 1, `slow reader ${i} did not get the newest broadcast`);
    }
  });

  for (const policy of ['drop_newest', 'drop_oldest']) {
    test(`with on_overflow = "${policy}" a heartbeat sent while the outbound queue is exactly full is answered, not closed`, async () => {
      // Every broadcast is one 1024-byte WebSocket frame, so the queue fills to exactly
      // max_outbound_bytes (256 × 1024) and the heartbeat reply is the frame that goes over it.
      // Replies are never dropped: under a drop policy they are queued past the bound.
      const topic = `${policy.slice(5)}:exact`;
      const publisher = new WebSocket(ctx.server.wsUrl(), { perMessageDeflate: false });
      publisher.on('error', () => {});
      const received = [];
      let wake = null;
      publisher.on('message', (data) => {
        received.push(data);
        wake?.();
      });
      const until = (check, what) =>
        withDeadline(
          new Promise((resolve) => {
            wake = () => check() && resolve();
            wake();
          }),
          10000,
          what,
        );
      await withDeadline(new Promise((resolve) => publisher.once('open', resolve)), 3000, 'the publisher to connect');
      publisher.send(JSON.stringify(['1', '1', topic, 'phx_join', {}]));
      await until(() => received.length === 1, 'the publisher to join');
      const slow = await SlowReaders.start(ctx.server, topic, 1);
      try {
        const dropped = `switchboard_dropped_total{policy="${policy}"}`;
        const before = await readMetrics(ctx.server);
        const frameBody = (seq) => {
          const frame = [null, null, topic, 'tick', { seq, pad: '' }];
          // 4 bytes of WebSocket header (payload length 126..65535) plus 1020 bytes of JSON.
          frame[4].pad = 'x'.repeat(1020 - Buffer.byteLength(JSON.stringify(frame)));
          return frame[4];
        };
        let seq = 0;
        let overflowAt = null;
        for (; overflowAt === null || seq < overflowAt + 16; seq++) {
          assert.ok(seq < 20000, 'the slow reader did not overflow');
          publisher.send(JSON.stringify(['1', `p${seq}`, topic, 'tick', frameBody(seq)]));
          // The publisher is a member too: at most 16 broadcasts in flight.
          if (seq >= 16) await until(() => received.length >= seq - 16, `broadcast ${seq - 16} at the publisher`);
          if (overflowAt === null && seq % 64 === 0) {
            const now = await readMetrics(ctx.server);
            if (metric(now, dropped) > metric(before, dropped)) overflowAt = seq;
          }
        }
        const end = await readMetrics(ctx.server);
        assert.equal(metric(end, CLOSED_1013), metric(before, CLOSED_1013), 'the slow reader was closed with 1013');
        const [result] = await slow.drain();
        assert.equal(
          result.close,
          null,
          `the heartbeat reply closed the slow reader with ${result.close} instead of being queued past the bound`,
        );
        assert.ok(result.answered, `the heartbeat was not answered: ${result.error}`);
      } finally {
        publisher.terminate();
        await slow.stop();
      }
    });
  }
});
