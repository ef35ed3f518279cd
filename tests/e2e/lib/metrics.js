// Reads the server's GET /metrics (Prometheus text) for tests that assert counters and memory.

import http from 'node:http';
import { withDeadline } from './wait.js';

/** Every sample of GET /metrics as a Map from `name{labels}` to its value (no keep-alive). */
export function readMetrics(server) {
  const body = new Promise((resolve, reject) => {
    const req = http.get(server.httpUrl('/metrics'), { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
  });
  return withDeadline(body, 5000, 'GET /metrics').then((text) => {
    const samples = new Map();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const split = line.lastIndexOf(' ');
      samples.set(line.slice(0, split), Number(line.slice(split + 1)));
    }
    return samples;
  });
}

/** One sample's value, 0 when absent (counters by label appear once they are non-zero). */
export const metric = (samples, name) => samples.get(name) ?? 0;

export const RSS = 'process_resident_memory_bytes';

/** Sanitizer builds inflate memory by design; resident-memory bounds are skipped under them. */
export const SANITIZED = process.env.SWITCHBOARD_SANITIZED === '1';
