// The official phoenix.js client, unmodified, over the `ws` package as its transport.

import { Socket } from 'phoenix';
import WebSocket from 'ws';
import { DEFAULT_TIMEOUT_MS, Mailbox, withDeadline } from './wait.js';

const sockets = new Set();

/**
 * Connects a phoenix.js Socket to the server and resolves once it is open.
 * The returned socket carries `opens` (count of onOpen callbacks), `closes` (close events),
 * and `messages` (a Mailbox of every decoded inbound message).
 */
export async function connectSocket(server, options = {}, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
  const socket = new Socket(server.socketUrl, { transport: WebSocket, ...options });
  sockets.add(socket);
  socket.opens = 0;
  socket.closes = [];
  socket.errors = [];
  socket.messages = new Mailbox('phoenix socket');
  const opened = new Promise((resolve) => {
    socket.onOpen(() => {
      socket.opens += 1;
      resolve();
    });
  });
  socket.onClose((event) => socket.closes.push(event));
  socket.onError((error) => socket.errors.push(error));
  socket.onMessage((msg) => socket.messages.push(msg));
  socket.connect();
  await withDeadline(opened, timeout, `phoenix socket to open at ${server.socketUrl}`);
  return socket;
}

/** Disconnects every socket created by connectSocket (for afterEach hooks). */
export async function disconnectAll() {
  const all = [...sockets];
  sockets.clear();
  const closed = Promise.all(all.map((socket) => new Promise((resolve) => socket.disconnect(resolve))));
  await withDeadline(closed, DEFAULT_TIMEOUT_MS, 'phoenix sockets to disconnect');
}

/**
 * Resolves with { status, response } for a phoenix.js Push once it receives 'ok', 'error'
 * or times out locally ('timeout').
 */
export function outcome(push, { timeout = DEFAULT_TIMEOUT_MS, what = 'a reply' } = {}) {
  const settled = new Promise((resolve) => {
    push
      .receive('ok', (response) => resolve({ status: 'ok', response }))
      .receive('error', (response) => resolve({ status: 'error', response }))
      .receive('timeout', () => resolve({ status: 'timeout', response: undefined }));
  });
  return withDeadline(settled, timeout, what);
}

/**
 * Creates a channel, records the given events in `channel.inbox` (a Mailbox of
 * { event, payload }) before joining, joins, and resolves with { channel, reply }.
 */
export async function joinChannel(socket, topic, { params = {}, events = [], timeout } = {}) {
  const channel = socket.channel(topic, params);
  channel.inbox = new Mailbox(`channel ${topic}`);
  for (const event of events) {
    channel.on(event, (payload) => channel.inbox.push({ event, payload }));
  }
  const reply = await outcome(channel.join(), { timeout, what: `the join reply on ${topic}` });
  return { channel, reply };
}

/** Pushes an event and resolves with { status, response }. */
export function pushAndWait(channel, event, payload, { timeout } = {}) {
  return outcome(channel.push(event, payload), { timeout, what: `the reply to ${event} on ${channel.topic}` });
}
