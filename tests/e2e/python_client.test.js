// A second, independent WebSocket implementation: Python's `websockets` (Debian's
// python3-websockets, hence /usr/bin/python3 rather than whatever python3 is on PATH).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { binaryBroadcastBytes, binaryReplyBytes, okReply } from './lib/raw.js';

const ctx = useServer();
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/v2_session.py', import.meta.url));

function pythonHasWebsockets() {
  return new Promise((resolve) => {
    if (!existsSync(PYTHON)) return resolve(false);
    execFile(PYTHON, ['-c', 'import websockets'], (err) => resolve(!err));
  });
}

function runSession(url, topic) {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, url, topic], { timeout: 10000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python client failed (${err.code}): ${stderr}\n${stdout}`));
      resolve(
        stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
          .map((f) => (f.binary !== undefined ? Buffer.from(f.binary, 'hex') : f.text)),
      );
    });
  });
}

describe('python websockets client', () => {
  test('an echo session from Python gets heartbeat, join, text, binary and leave replies in order', async (t) => {
    if (!(await pythonHasWebsockets())) return t.skip('python3-websockets is not installed');
    const topic = uniqueTopic('echo');
    const frames = await runSession(ctx.server.wsUrl(), topic);
    assert.deepEqual(frames, [
      okReply(null, 'hb', 'phoenix'),
      okReply('1', '1', topic),
      okReply('1', '2', topic, { from: 'python', n: [1, 2] }),
      binaryReplyBytes({ joinRef: '1', ref: '3', topic, status: 'ok', payload: [0, 1, 0xfe, 0xff] }),
      okReply('1', '4', topic),
      ['1', '1', topic, 'phx_close', {}],
    ]);
  });

  test('a room session from Python receives its own text and binary broadcasts', async (t) => {
    if (!(await pythonHasWebsockets())) return t.skip('python3-websockets is not installed');
    const topic = uniqueTopic('room');
    const frames = await runSession(ctx.server.wsUrl(), topic);
    assert.deepEqual(frames, [
      okReply(null, 'hb', 'phoenix'),
      okReply('1', '1', topic),
      [null, null, topic, 'ping', { from: 'python', n: [1, 2] }],
      okReply('1', '2', topic),
      binaryBroadcastBytes({ topic, event: 'bin', payload: [0, 1, 0xfe, 0xff] }),
      okReply('1', '3', topic),
      okReply('1', '4', topic),
      ['1', '1', topic, 'phx_close', {}],
    ]);
  });
});
