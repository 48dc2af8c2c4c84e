/**
 * Erased means unreadable from the database files: after a user wrote a distinctive word in
 * their name, messages, a held message, a report's reason, and it came back in a moderator's
 * rejection reason, in resolution notes, in audit details, in the webhook bodies Tandem
 * saved, in the texts their edits replaced and their deletion kept and in a reply's preview,
 * their erasure leaves it in no byte of the SQLite file nor of its WAL (free pages, old page
 * versions and the search index's older segments included). The search reads the raw files while the server runs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { createUser, loginAdmin, match } from './helpers/http.js';
import { Receiver, webhookEnv } from './helpers/receiver.js';
import { startServer, tempDir, type TestServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { UNLIMITED } from './suites/chat.js';

const enc = encodeURIComponent;

/** Which of the database's files hold `word`, read as raw bytes. */
function filesHolding(server: TestServer, word: string): string[] {
  const config = server.tandem.config.database;
  assert.equal(config.kind, 'sqlite');
  const path = config.kind === 'sqlite' ? config.path : '';
  return ['', '-wal', '-journal'].map((suffix) => path + suffix).filter((file) => existsSync(file) && readFileSync(file).includes(Buffer.from(word)));
}

it('after an erasure no byte of the SQLite file or its WAL holds what the user wrote, or what others wrote of it', async (t) => {
  const receiver = await Receiver.start(t);
  const server = await startServer(t, { ...UNLIMITED, ...webhookEnv(receiver), CONVERSATION_POLICY: 'moderated' });
  const word = `zq${randomBytes(6).toString('hex')}`;
  const admin = await loginAdmin(server.http);
  const mentor = await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
  const mentee = await createUser(admin, { role: 'MENTEE', first: 'Mia', last: `Lee${word}` });
  await match(admin, mentor, mentee);
  const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
  await menteeSocket.expect('presence');

  // Enough text that pages split and cells move: copies the erasure's UPDATEs never touch.
  const theirs = [];
  for (let i = 0; i < 40; i++) {
    menteeSocket.send({ type: 'chat_message', content: `${word} message ${i} ${'lorem ipsum '.repeat((i % 7) * 20)}` });
    theirs.push(await menteeSocket.expect('chat_message'));
    await mentorSocket.expect('chat_message');
  }
  mentorSocket.send({ type: 'chat_message', content: 'the mentor replies', reply_to: theirs[1]!.message_id });
  const reply = await mentorSocket.expect('chat_message');
  assert.ok(reply.reply_preview!.content.includes(word), 'the preview copies their text');
  await menteeSocket.expect('chat_message');

  // An edited message (the replaced text is kept as a version, the new one is in the edit's
  // place in the timeline) and a deleted one (its text kept for admins' review).
  menteeSocket.send({ type: 'edit_message', message_id: theirs[2]!.message_id, content: `${word} edited` });
  await menteeSocket.expect('message_edited');
  await mentorSocket.expect('message_edited');
  menteeSocket.send({ type: 'delete_message', message_id: theirs[3]!.message_id });
  await menteeSocket.expect('message_deleted');
  await mentorSocket.expect('message_deleted');

  menteeSocket.send({ type: 'chat_message', content: `${word} call 07911 123456` });
  assert.equal((await menteeSocket.expect('chat_message')).status, 'held');
  const [held] = (await admin.get('/api/moderation')).body.held;
  assert.equal((await admin.post(`/api/moderation/${held.message_id}/reject`, { reason: `no numbers, ${word}` })).status, 200);

  const byThem = await mentee.post(`/api/chat/${enc(mentor.email)}/messages/${reply.message_id}/report`, { reason: `${word} reason` });
  assert.equal(byThem.status, 201);
  assert.equal((await admin.post(`/api/reports/${byThem.body.report_id}/resolve`, { note: `${word} resolved` })).status, 200);
  const ofThem = await mentor.post(`/api/chat/${enc(mentee.email)}/messages/${theirs[0]!.message_id}/report`, { reason: 'rude' });
  assert.equal((await admin.post(`/api/reports/${ofThem.body.report_id}/resolve`, { note: `spoke to ${word}` })).status, 200);
  assert.equal((await mentee.get(`/api/users/${enc(mentee.email)}/export`)).status, 200);
  // The bodies the outbox saved: every message.created, the held one, the report.
  const sent = () => receiver.requests.filter((request) => request.raw.includes(word)).length;
  await receiver.until(() => sent() >= theirs.length + 2);
  assert.deepEqual(filesHolding(server, word).length > 0, true, 'the search finds the word before erasure');
  // The word is in the search index too (FTS5 segments): what the erasure must also reach.
  const indexed = await mentor.get(`/api/chat/${enc(mentee.email)}/search?q=${word}&limit=100`);
  assert.equal(indexed.body.messages.length, theirs.length - 1, 'the conversation search finds every message with the word but the deleted one');
  const deletedId: string = theirs[3]!.message_id;
  assert.ok(!indexed.body.messages.some((m: { message_id: string }) => m.message_id === deletedId), 'a deleted message is not found');

  assert.equal((await admin.delete(`/api/users/${enc(mentee.email)}`)).status, 204);
  await Promise.all([menteeSocket.closedWithin(), mentorSocket.closedWithin()]);
  assert.deepEqual(filesHolding(server, word), [], 'no file holds the word');
  const archived = (await mentor.get('/api/chat/conversations?include=archived')).body.conversations;
  const erasedEmail = archived.find((row: { archived: boolean }) => row.archived).partner.email;
  const searched = await mentor.get(`/api/chat/${enc(erasedEmail)}/search?q=${word}`);
  assert.deepEqual([searched.status, searched.body.messages], [200, []], 'nor does the search');
});

/**
 * Writes `word` into the unused space of every leaf page of `table` in a closed SQLite file: the
 * gap between a page's cell pointers and its cells. SQLite leaves old copies of cells there when
 * it moves them to another page (a split, or a rebalance after rows grow), and `secure_delete`
 * does not clear it; the file stays valid. How many pages it wrote to.
 */
function plantInUnusedSpace(path: string, table: string, word: string): number {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'").all(table) as { pageno: number }[];
  db.close();
  const bytes = readFileSync(path);
  const file = openSync(path, 'r+');
  let planted = 0;
  for (const { pageno } of pages) {
    const start = (pageno - 1) * pageSize;
    const page = bytes.subarray(start, start + pageSize);
    const cells = page.readUInt16BE(3);
    const gapStart = 8 + 2 * cells;
    const gapEnd = page.readUInt16BE(5) || 65536;
    if (gapEnd - gapStart < word.length + 2) continue;
    writeSync(file, Buffer.from(word), 0, word.length, start + gapStart + 1);
    planted++;
  }
  closeSync(file);
  return planted;
}

it('after an erasure no copy of its words is left in the unused space of a page', async (t) => {
  const path = join(tempDir(t), 'tandem.db');
  const env = { ...UNLIMITED, DATABASE_URL: `sqlite:${path}` };
  let server = await startServer(t, env);
  const word = `zq${randomBytes(6).toString('hex')}`;
  const admin = await loginAdmin(server.http);
  const mentor = await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
  const mentee = await createUser(admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
  await match(admin, mentor, mentee);
  const socket = await connectChat(server.ws, mentor.email, mentee.cookie);
  for (let i = 0; i < 30; i++) {
    socket.send({ type: 'chat_message', content: `${word} message ${i} ${'lorem ipsum '.repeat(20)}` });
    await socket.expect('chat_message');
  }
  await socket.close();
  await server.close();
  // What an earlier move of these rows would have left behind, put there on purpose.
  assert.ok(plantInUnusedSpace(path, 'messages', `${word}-moved`) > 0, 'some page of messages has unused space');

  server = await startServer(t, env);
  const admin2 = await loginAdmin(server.http);
  assert.deepEqual(filesHolding(server, `${word}-moved`), [path], 'the copies are in the file before the erasure');
  assert.equal((await admin2.delete(`/api/users/${enc(mentee.email)}`)).status, 204);
  assert.deepEqual(filesHolding(server, word), [], 'no file holds the word');
});
