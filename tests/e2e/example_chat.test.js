// examples/chat: nicknames, history, typing indicators and the online list, through phoenix.js.
// Runs against switchboard-chat (ctest: e2e_example_chat); skipped for other binaries.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Presence } from 'phoenix';
import { uniqueTopic, useServer } from './lib/fixture.js';
import { connectSocket, joinChannel, outcome, pushAndWait } from './lib/phoenix.js';
import { Mailbox } from './lib/wait.js';

const BINARY = 'switchboard-chat';
const skip =
  path.basename(process.env.SWITCHBOARD_BIN ?? '') !== BINARY &&
  `needs SWITCHBOARD_BIN=<build>/examples/chat/${BINARY}`;
const ctx = skip ? null : useServer();

const EVENTS = ['history', 'new_msg', 'typing'];

/**
 * Joins `topic` as `nickname`; resolves with the channel once its history has arrived. With
 * `presence`, a phoenix.js Presence follows the online list (onSync lands in the inbox too).
 */
async function joinChat(topic, nickname, { presence = false } = {}) {
  const socket = await connectSocket(ctx.server);
  const channel = socket.channel(topic, { nickname });
  channel.inbox = new Mailbox(`${nickname} on ${topic}`);
  for (const event of EVENTS) channel.on(event, (payload) => channel.inbox.push({ event, payload }));
  if (presence) {
    channel.presence = new Presence(channel);
    channel.presence.onSync(() => channel.inbox.push({ event: 'sync' }));
  }
  const reply = await outcome(channel.join(), { what: `${nickname}'s join` });
  assert.deepEqual(reply, { status: 'ok', response: {} });
  channel.history = (await channel.inbox.waitFor((m) => m.event === 'history')).payload.messages;
  return channel;
}

const online = (channel) => channel.presence.list((key) => key).sort();

describe('chat example', { skip }, () => {
  test('a join without a nickname is refused with "nickname required"', async () => {
    const socket = await connectSocket(ctx.server);
    for (const params of [{}, { nickname: '' }, { nickname: 7 }]) {
      const { channel, reply } = await joinChannel(socket, uniqueTopic('chat'), { params });
      assert.deepEqual(reply, { status: 'error', response: { reason: 'nickname required' } });
      channel.leave(); // phoenix.js would retry the refused join forever
    }
  });

  test('a message reaches every member, the sender included, as new_msg {nickname, body}', async () => {
    const topic = uniqueTopic('chat');
    const ann = await joinChat(topic, 'ann');
    const bob = await joinChat(topic, 'bob');
    assert.deepEqual(await pushAndWait(ann, 'new_msg', { body: 'hi bob' }), { status: 'ok', response: {} });
    for (const member of [ann, bob]) {
      const msg = await member.inbox.waitFor((m) => m.event === 'new_msg');
      assert.deepEqual(msg.payload, { nickname: 'ann', body: 'hi bob' });
    }
    assert.deepEqual(await pushAndWait(bob, 'new_msg', { body: '' }), {
      status: 'error',
      response: { reason: 'body required' },
    });
  });

  test('a joiner gets the last 50 messages as history, oldest first', async () => {
    const topic = uniqueTopic('chat');
    const ann = await joinChat(topic, 'ann');
    assert.deepEqual(ann.history, []);
    for (let i = 1; i <= 55; i++) ann.push('new_msg', { body: `message ${i}` });
    assert.deepEqual(await pushAndWait(ann, 'new_msg', { body: 'message 56' }), { status: 'ok', response: {} });
    const bob = await joinChat(topic, 'bob');
    assert.equal(bob.history.length, 50);
    assert.deepEqual(bob.history[0], { nickname: 'ann', body: 'message 7' });
    assert.deepEqual(bob.history[49], { nickname: 'ann', body: 'message 56' });
  });

  test('typing goes to everyone but the sender', async () => {
    const topic = uniqueTopic('chat');
    const ann = await joinChat(topic, 'ann');
    const bob = await joinChat(topic, 'bob');
    const cid = await joinChat(topic, 'cid');
    assert.deepEqual(await pushAndWait(ann, 'typing', { typing: true }), { status: 'ok', response: {} });
    for (const other of [bob, cid]) {
      const typing = await other.inbox.waitFor((m) => m.event === 'typing');
      assert.deepEqual(typing.payload, { nickname: 'ann', typing: true });
    }
    // A message after the typing event: once it is back at ann, the typing event would be too.
    await pushAndWait(ann, 'new_msg', { body: 'done' });
    await ann.inbox.waitFor((m) => m.event === 'new_msg');
    assert.ok(!ann.inbox.items.some((m) => m.event === 'typing'), 'the sender got its own typing event');
  });

  test('the online list holds every nickname and drops those who leave', async () => {
    const topic = uniqueTopic('chat');
    const ann = await joinChat(topic, 'ann', { presence: true });
    const bob = await joinChat(topic, 'bob', { presence: true });
    await ann.inbox.until(() => (online(ann).length === 2 ? true : undefined), { what: 'bob online' });
    await bob.inbox.until(() => (online(bob).length === 2 ? true : undefined), { what: 'ann and bob online' });
    assert.deepEqual(online(bob), ['ann', 'bob']);
    await outcome(bob.leave(), { what: "bob's leave" });
    await ann.inbox.until(() => (online(ann).length === 1 ? true : undefined), { what: 'bob offline' });
    assert.deepEqual(online(ann), ['ann']);
  });
});
