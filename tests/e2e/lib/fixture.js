// Per-file fixture: one server for the file, every client closed after each test.

import { after, afterEach, before } from 'node:test';
import { disconnectAll } from './phoenix.js';
import { closeAllRaw } from './raw.js';
import { startServer } from './server.js';

let topicCounter = 0;

/** A topic no other test uses, e.g. uniqueTopic('room') → "room:t3-k2j4". */
export function uniqueTopic(prefix) {
  topicCounter += 1;
  return `${prefix}:t${topicCounter}-${Math.random().toString(36).slice(2, 6)}`;
}

async function closeClients() {
  await disconnectAll();
  await closeAllRaw();
}

/**
 * Starts one server before the file's tests and stops it after them; the file fails if the
 * server exited on its own or does not exit with status 0. Returns an object whose `server`
 * property is set once started.
 */
export function useServer(options = {}) {
  const context = { server: null };
  before(async () => {
    context.server = await startServer(options);
  });
  afterEach(closeClients);
  after(async () => {
    await closeClients();
    if (!context.server) return;
    const crashed = !context.server.isRunning();
    const result = await context.server.stop();
    // A clean exit is part of every file's verdict: it is where sanitizer builds report leaks.
    if (crashed || result.code !== 0) {
      const what = crashed ? 'exited during the tests' : 'did not exit with status 0 after SIGTERM';
      const tail = context.server.output().split('\n').slice(-40).join('\n');
      throw new Error(`the server ${what} (${JSON.stringify(result)}); last output:\n${tail}`);
    }
  });
  return context;
}
