/** PROTOCOL Part 2, "resume": `?after=<message_id>` replays the rest before any live message. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorText } from '../src/protocol/frames.js';
import { UNLIMITED } from './suites/chat.js';
import { startWithConnectedPair } from './helpers/pair.js';

import { chatUrl, connectChat, TestSocket, type Frame } from './helpers/socket.js';

async function sendAll(socket: TestSocket, count: number, label: string): Promise<Frame[]> {
  for (let i = 0; i < count; i++) socket.send({ type: 'chat_message', content: `${label} ${i}` });
  const echoes: Frame[] = [];
  while (echoes.length < count) {
    const frame = await socket.next();
    if (frame.type === 'chat_message' && frame.content.startsWith(label)) echoes.push(frame);
  }
  return echoes;
}

describe('resume with ?after=', () => {
  it('replays every later message in order, then goes live', async (t) => {
    const { server, mentor, mentee, menteeSocket } = await startWithConnectedPair(t);
    const sent = await sendAll(menteeSocket, 5, 'm');
    const resumed = await connectChat(server.ws, mentee.email, mentor.cookie, { query: `?after=${sent[1]!.message_id}` });
    assert.equal(resumed.established?.partner_online, true);
    for (const expected of sent.slice(2)) assert.deepEqual(await resumed.expect('chat_message'), expected);
    menteeSocket.send({ type: 'chat_message', content: 'live' });
    assert.equal((await resumed.expect('chat_message')).content, 'live');
  });

  it('replays everything after 0 and nothing after the newest id', async (t) => {
    const { server, mentor, mentee, menteeSocket } = await startWithConnectedPair(t);
    const sent = await sendAll(menteeSocket, 3, 'm');
    const all = await connectChat(server.ws, mentee.email, mentor.cookie, { query: '?after=0' });
    for (const expected of sent) assert.deepEqual(await all.expect('chat_message'), expected);
    const none = await connectChat(server.ws, mentee.email, mentor.cookie, { query: `?after=${sent[2]!.message_id}` });
    menteeSocket.send({ type: 'chat_message', content: 'only this' });
    assert.equal((await none.expect('chat_message')).content, 'only this');
    assert.equal((await all.expect('chat_message')).content, 'only this');
  });

  it('has no gap and no duplicate while the partner keeps sending during a paged replay', async (t) => {
    const { server, mentor, mentee, menteeSocket } = await startWithConnectedPair(t, UNLIMITED);
    const backlog = await sendAll(menteeSocket, 1200, 'backlog'); // more than two pages of 500
    // The partner floods while the mentor resumes from the first message.
    for (let i = 0; i < 300; i++) menteeSocket.send({ type: 'chat_message', content: `flood ${i}` });
    const resumed = await connectChat(server.ws, mentee.email, mentor.cookie, { query: `?after=${backlog[0]!.message_id}` });
    const seqs: number[] = [];
    while (seqs.length < 1199 + 300) seqs.push((await resumed.expect('chat_message')).seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: 1499 }, (_, i) => i + 2),
    );
  });

  it('refuses an after that is not a message id: error frame, then close 1008', async (t) => {
    const { server, mentor, mentee } = await startWithConnectedPair(t);
    for (const bad of ['abc', '-1', '1.5', '', '1e3', '9'.repeat(16)]) {
      const socket = new TestSocket(chatUrl(server.ws, mentor.email, `?after=${bad}`), { cookie: mentee.cookie });
      await socket.opened;
      assert.deepEqual(await socket.next(), { type: 'error', message: ErrorText.invalidAfter, code: 'invalid_after' }, bad);
      assert.equal((await socket.closedWithin()).code, 1008);
    }
  });

  it('checks authentication before anything else', async (t) => {
    const { server, mentor } = await startWithConnectedPair(t);
    const socket = new TestSocket(chatUrl(server.ws, mentor.email, '?after=1'));
    await socket.opened;
    assert.equal((await socket.closedWithin()).code, 4001);
  });
});
