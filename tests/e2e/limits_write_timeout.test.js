// write_timeout_ms: a peer that accepts no bytes is dropped (no close frame can reach it); a peer
// that keeps accepting bytes, however slowly, is not.
//
// The readers are a Python child process because they need a small SO_RCVBUF (set before
// connecting), which Node cannot set: with loopback autotuning the kernel would otherwise buffer
// tens of megabytes per socket.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { metric, readMetrics } from './lib/metrics.js';
import { startServer } from './lib/server.js';
import { withDeadline } from './lib/wait.js';

const WRITE_TIMEOUT_MS = 500;
const PAD = 'x'.repeat(16 * 1024);
const PYTHON = '/usr/bin/python3';

const CONFIG = `
[limits]
write_timeout_ms = ${WRITE_TIMEOUT_MS}
max_outbound_bytes = 8388608
messages_per_second = 1000000.0
burst = 1000000.0

[[routes]]
pattern = "ticks:*"
behaviour = "broadcast"
on_overflow = "drop_newest"
`;

// One WebSocket with SO_RCVBUF = 4096 joins `topic` and prints "joined". Mode "never": reads
// nothing until a line on stdin, then reads to the end of the stream and prints whether a close
// frame came. Mode "steady": reads at most 4 KiB every 4 ms until it has the broadcast with seq
// `last`, or the stream ends; prints what it got and the longest pause between two reads.
const READER_PY = String.raw`
import base64, json, os, re, socket, struct, sys, time

port, topic, mode, last = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
SEQ = re.compile(rb'"seq":(\d+)')
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
sock.connect(('127.0.0.1', port))
buf = bytearray()
paced = False
gap = {'last': None, 'max': 0.0}

def fill():
    if paced:
        time.sleep(0.004)
    chunk = sock.recv(4096 if paced else 262144)
    if not chunk:
        raise EOFError
    now = time.monotonic()
    if gap['last'] is not None:
        gap['max'] = max(gap['max'], now - gap['last'])
    gap['last'] = now
    buf.extend(chunk)

def frame():
    while True:
        if len(buf) >= 2:
            n, pos = buf[1] & 0x7f, 2
            if n == 126 and len(buf) >= 4:
                n, pos = struct.unpack('!H', buf[2:4])[0], 4
            elif n == 127 and len(buf) >= 10:
                n, pos = struct.unpack('!Q', buf[2:10])[0], 10
            if (n < 126 or pos > 2) and len(buf) >= pos + n:
                opcode, payload = buf[0] & 0x0f, bytes(buf[pos:pos + n])
                del buf[:pos + n]
                return opcode, payload
        fill()

key = base64.b64encode(os.urandom(16)).decode()
sock.sendall(('GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'
              'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n' % key).encode())
while b'\r\n\r\n' not in buf:
    fill()
del buf[:buf.index(b'\r\n\r\n') + 4]
data = json.dumps(['1', '1', topic, 'phx_join', {}]).encode()
mask = os.urandom(4)
sock.sendall(bytes([0x81, 0x80 | len(data)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
frame()
print('joined', flush=True)

if mode == 'never':
    sys.stdin.readline()
paced = mode == 'steady'
result = {'seqs': 0, 'close': None, 'end': None, 'bytes': 0}
started = time.monotonic()
try:
    while True:
        opcode, payload = frame()
        result['bytes'] += len(payload)
        if opcode == 8:
            result['close'] = struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else 1005
            continue
        m = SEQ.search(payload[:200])
        if m:
            result['seqs'] += 1
            if int(m.group(1)) == last:
                result['end'] = 'last broadcast'
                break
except EOFError:
    result['end'] = 'end of stream'
except OSError as e:
    result['end'] = str(e)
result['seconds'] = round(time.monotonic() - started, 2)
result['maxGapMs'] = round(gap['max'] * 1000)
print(json.dumps(result), flush=True)
`;


async function writeTimeouts(server) {
  return metric(await readMetrics(server), 'switchboard_write_timeouts_total');
}

async function startReader(server, topic, mode, last) {
  const child = spawn(PYTHON, ['-c', READER_PY, String(server.port), topic, mode, String(last)]);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const line = async (timeout, what) => {
    const { value, done } = await withDeadline(lines.next(), timeout, what);
    if (done) throw new Error(`the reader process exited: ${stderr}`);
    return value;
  };
  assert.equal(await line(10000, 'the reader to join'), 'joined');
  return {
    child,
    resume: () => child.stdin.write('go\n'),
    result: async (timeout) => JSON.parse(await line(timeout, 'the reader to finish')),
    stop: () => child.kill('SIGKILL'),
  };
}

/** A publisher that is a member of `topic` and sends 16 KiB broadcasts. */
async function publisher(server, topic) {
  const ws = new WebSocket(server.wsUrl(), { perMessageDeflate: false });
  ws.on('error', () => {});
  await withDeadline(new Promise((resolve) => ws.once('open', resolve)), 3000, 'the publisher to connect');
  const joined = new Promise((resolve) => ws.once('message', resolve));
  ws.send(JSON.stringify(['1', '1', topic, 'phx_join', {}]));
  await withDeadline(joined, 3000, 'the publisher to join');
  return {
    publish: (seq) => ws.send(JSON.stringify(['1', `p${seq}`, topic, 'tick', { seq, pad: PAD }])),
    close: () => ws.terminate(),
  };
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

describe('write timeout', () => {
  test('a member that reads nothing is dropped after write_timeout_ms without a close frame', async () => {
    const topic = 'ticks:never';
    const reader = await startReader(ctx.server, topic, 'never', -1);
    const pub = await publisher(ctx.server, topic);
    try {
      const before = await writeTimeouts(ctx.server);
      let seq = 0;
      // Publish until the kernel buffers are full and a write stays pending past the timeout.
      const deadline = Date.now() + 10000;
      while ((await writeTimeouts(ctx.server)) === before) {
        assert.ok(Date.now() < deadline, 'the never-reading member was not dropped within 10 s');
        for (let i = 0; i < 16; i++) pub.publish(seq++);
      }
      assert.equal(await writeTimeouts(ctx.server), before + 1);
      reader.resume();
      const result = await reader.result(10000);
      assert.equal(result.close, null, `a close frame ${result.close} reached the dropped member`);
      assert.notEqual(result.end, null);
      assert.ok(result.seqs > 0 && result.seqs < seq, `the dropped member received ${result.seqs} of ${seq}`);
    } finally {
      pub.close();
      reader.stop();
    }
  });

  test('a member that keeps reading 4 KiB every few milliseconds is not dropped by write_timeout_ms while a large backlog drains', async () => {
    const topic = 'ticks:steady';
    const total = 320; // 5 MiB: more than the kernel buffers, so a backlog builds in the queue
    const reader = await startReader(ctx.server, topic, 'steady', total - 1);
    const pub = await publisher(ctx.server, topic);
    try {
      const before = await writeTimeouts(ctx.server);
      for (let seq = 0; seq < total; seq++) pub.publish(seq);
      const result = await reader.result(30000);
      const dropped = (await writeTimeouts(ctx.server)) - before;
      // The reader never paused for anything near the timeout: the socket accepted bytes throughout.
      assert.ok(result.maxGapMs < WRITE_TIMEOUT_MS / 2, `the reader itself stalled for ${result.maxGapMs} ms`);
      assert.equal(
        result.end,
        'last broadcast',
        `the steadily reading member was cut off (${result.end}) after ${result.seqs} broadcasts, ` +
          `${(result.bytes / 2 ** 20).toFixed(1)} MiB in ${result.seconds} s, never pausing more than ` +
          `${result.maxGapMs} ms; write timeouts: ${dropped}`,
      );
      assert.equal(result.seqs, total, 'broadcasts were dropped although the queue bound was not reached');
      assert.equal(dropped, 0);
    } finally {
      pub.close();
      reader.stop();
    }
  });
});
