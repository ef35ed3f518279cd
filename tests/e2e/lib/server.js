// Starts the real switchboard binary on an ephemeral loopback port and stops it with SIGTERM.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withDeadline } from './wait.js';

const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;
const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;

function binaryPath() {
  const bin = process.env.SWITCHBOARD_BIN;
  if (!bin) {
    throw new Error(
      'SWITCHBOARD_BIN is not set: point it at the built server, e.g. ' +
        'SWITCHBOARD_BIN=build/server/switchboard node --test tests/e2e/<file>.test.js',
    );
  }
  return bin;
}

/**
 * Starts the server. `config` (optional) is TOML text written to a temporary file and passed
 * with `--config`. Resolves once the server has logged its listening line.
 *
 * Returns { port, socketUrl, wsUrl(query), httpUrl(path), output(), isRunning(), exited, stop() }:
 * - socketUrl is the base URL phoenix.js expects (it appends `/websocket` itself);
 * - wsUrl('vsn=2.0.0') is the full transport URL for raw clients;
 * - exited resolves with { code, signal } when the process ends;
 * - stop() sends SIGTERM and resolves with { code, signal } (SIGKILL after a deadline).
 */
export async function startServer({ config } = {}) {
  const args = ['--port', '0', '--host', '127.0.0.1'];
  let configDir = null;
  if (config !== undefined) {
    configDir = await mkdtemp(path.join(tmpdir(), 'switchboard-e2e-'));
    const file = path.join(configDir, 'switchboard.toml');
    await writeFile(file, config);
    args.push('--config', file);
  }

  const child = spawn(binaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const spawnFailed = new Promise((_, reject) => child.on('error', reject));
  const listening = new Promise((resolve, reject) => {
    const scan = (chunk) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', scan);
    exited.then(({ code, signal }) =>
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}):\n${output}`)),
    );
  });

  let port;
  try {
    port = await withDeadline(
      Promise.race([listening, spawnFailed]),
      START_TIMEOUT_MS,
      `the server's "listening on" line (output so far:\n${output})`,
    );
  } catch (err) {
    child.kill('SIGKILL');
    if (configDir) await rm(configDir, { recursive: true, force: true });
    throw err;
  }

  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let result;
      try {
        result = await withDeadline(exited, STOP_TIMEOUT_MS, 'the server to exit after SIGTERM');
      } catch (err) {
        child.kill('SIGKILL');
        await exited;
        throw err;
      } finally {
        if (configDir) await rm(configDir, { recursive: true, force: true });
      }
      return result;
    })();
    return stopping;
  };

  return {
    port,
    socketUrl: `ws://127.0.0.1:${port}/socket`,
    wsUrl: (query = 'vsn=2.0.0') => `ws://127.0.0.1:${port}/socket/websocket${query ? `?${query}` : ''}`,
    httpUrl: (p) => `http://127.0.0.1:${port}${p}`,
    output: () => output,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    exited,
    stop,
  };
}

/** A plain HTTP GET; resolves with { status, headers, body }. */
export function httpGet(url, { timeout = 3000 } = {}) {
  const request = new Promise((resolve, reject) => {
    // A connection of its own, closed after the response: a kept-alive one would count against
    // max_http_connections and run into the handshake timeout between tests.
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
  return withDeadline(request, timeout, `GET ${url}`);
}

/**
 * The default routes as TOML. A config file without [[routes]] has no routes at all, so
 * tests that pass a config append these to keep room:*, echo:* and presence:* working.
 */
export const DEFAULT_ROUTES = `
[[routes]]
pattern = "room:*"
behaviour = "broadcast"

[[routes]]
pattern = "echo:*"
behaviour = "echo"

[[routes]]
pattern = "presence:*"
behaviour = "broadcast"
presence = true
presence_key = "user_id"
`;
