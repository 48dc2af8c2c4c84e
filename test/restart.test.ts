/** Acknowledged means durable: messages and read state survive a restart on the same SQLite file. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { Agent } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';
import { startServer, tempDir } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

it('keeps messages, seq and is_read across a restart on the same SQLite file', async (t) => {
  const databaseUrl = `sqlite:${join(tempDir(t), 'restart.db')}`;
  const { server: first, mentor, mentee } = await startWithPair(t, { DATABASE_URL: databaseUrl });
  const menteeSocket = await connectChat(first.ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(first.ws, mentee.email, mentor.cookie);
  assert.equal((await menteeSocket.expect('presence')).online, true);
  const echoes = [];
  for (const content of ['before restart 1', 'before restart 2', 'before restart 3']) {
    menteeSocket.send({ type: 'chat_message', content });
    echoes.push(await menteeSocket.expect('chat_message'));
  }
  for (let i = 0; i < 3; i++) await mentorSocket.expect('chat_message');
  mentorSocket.send({ type: 'mark_read' });
  assert.equal((await menteeSocket.expect('read_receipt')).count, 3);
  menteeSocket.send({ type: 'chat_message', content: 'unread one' });
  const unread = await menteeSocket.expect('chat_message');
  await mentorSocket.expect('chat_message');

  await first.close();
  assert.equal((await menteeSocket.closedWithin()).code, 1001, 'a stopping server closes with 1001');
  await mentorSocket.closedWithin();

  const second = await startServer(t, { DATABASE_URL: databaseUrl });
  const pairId = (await second.tandem.store.matches.activePairWith((await second.tandem.store.accounts.byEmail(mentee.email))!, mentor.email))!.pair.id;
  const stored = await second.tandem.store.messages.after(pairId, 0, 100);
  assert.deepEqual(
    stored.map((m) => [String(m.id), m.seq, m.content, m.isRead]),
    [...echoes, unread].map((e, i) => [e.message_id, e.seq, e.content, i < 3]),
  );

  // The sessions live in the store too: the same cookies work, and seq goes on from 5.
  const again = new Agent(second.http);
  again.session = mentee.session;
  assert.equal((await again.get('/api/me')).status, 200);
  const menteeAgain = await connectChat(second.ws, mentor.email, mentee.cookie);
  const mentorAgain = await connectChat(second.ws, mentee.email, mentor.cookie);
  assert.equal((await menteeAgain.expect('presence')).online, true);
  mentorAgain.send({ type: 'mark_read' });
  const receipt = await menteeAgain.expect('read_receipt');
  assert.equal(receipt.count, 1);
  assert.equal(receipt.last_read_id, unread.message_id);
  menteeAgain.send({ type: 'chat_message', content: 'after restart' });
  assert.equal((await mentorAgain.expect('chat_message')).seq, 5);
  await Promise.all([menteeAgain.close(), mentorAgain.close()]);
});
