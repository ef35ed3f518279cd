// Reads the server's GET /metrics (Prometheus text) for tests that assert counters and memory.

import { httpGet } from './server.js';

/** Every sample of GET /metrics as a Map from `name{labels}` to its value. */
export async function readMetrics(server) {
  const { status, body } = await httpGet(server.httpUrl('/metrics'), { timeout: 5000 });
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
  const samples = new Map();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const split = line.lastIndexOf(' ');
    samples.set(line.slice(0, split), Number(line.slice(split + 1)));
  }
  return samples;
}

/** One sample's value, 0 when absent (counters by label appear once they are non-zero). */
export const metric = (samples, name) => samples.get(name) ?? 0;

export const RSS = 'process_resident_memory_bytes';

/** Sanitizer builds inflate memory by design; resident-memory bounds are skipped under them. */
export const SANITIZED = process.env.SWITCHBOARD_SANITIZED === '1';
