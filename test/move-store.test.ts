/**
 * `npm run move-store` (docs/backups.md): a SQLite store with every kind of row — users and
 * their password hashes, an active and an ended match, read and unread messages, an edited, a
 * deleted and a reacted-to message and a reply, a held message, a report, audit entries, pending webhook events, a throttled login, the filter's
 * words — moved to PostgreSQL serves the same history, unread counts, held queue, reports and
 * audit, signs people in, and goes on with the next ids and `seq`; moved back to SQLite it does
 * the same. A move killed half-way refuses to start again into the half-full target unless
 * told to resume, and resumed it completes with every row once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { makeStore } from '../bench/make-store.js';
import { passwordOf } from './helpers/accounts.js';
import { freePort, freshDatabase, withBackends } from './helpers/backends.js';
import { Agent, createUser, loginAdmin, match } from './helpers/http.js';
import { startServer, tempDir, type TestServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { runOperation, startOperation, wholeHistory } from './helpers/store-files.js';
import { until } from './helpers/wait.js';

const enc = encodeURIComponent;

interface People {
  mentor: Agent;
  mentee: Agent;
  former: Agent;
}

/** A store with a row of every kind, made through the API; the people in it. */
async function storeWithEveryKindOfRow(server: TestServer): Promise<People> {
  const admin = await loginAdmin(server.http);
  const mentor = await createUser(admin, { role: 'MENTOR' });
  const mentee = await createUser(admin, { role: 'MENTEE' });
  const former = await createUser(admin, { role: 'MENTEE' });
  await match(admin, mentor, former);
  const formerSocket = await connectChat(server.ws, mentor.email, former.cookie);
  formerSocket.send({ type: 'chat_message', content: 'before we were unmatched' });
  await formerSocket.expect('chat_message');
  assert.equal((await admin.delete(`/api/matches/${enc(former.email)}`)).status, 204);
  await match(admin, mentor, mentee);
  const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
  await menteeSocket.expect('presence');
  const said: string[] = [];
  for (const [socket, text] of [
    [menteeSocket, 'hello'],
    [mentorSocket, 'hi there'],
    [menteeSocket, 'how are you'],
  ] as const) {
    socket.send({ type: 'chat_message', content: text });
    said.push((await menteeSocket.expect('chat_message')).message_id);
    await mentorSocket.expect('chat_message');
  }
  // Part 8: an edit (its replaced text kept), a reaction, a reply and a deletion.
  const [hello, hiThere] = said;
  const both = async (type: 'message_edited' | 'message_deleted' | 'reaction' | 'chat_message') => {
    await menteeSocket.expect(type);
    await mentorSocket.expect(type);
  };
  menteeSocket.send({ type: 'edit_message', message_id: hello!, content: 'hello again' });
  await both('message_edited');
  mentorSocket.send({ type: 'react', message_id: hello!, emoji: '👍', on: true });
  await both('reaction');
  mentorSocket.send({ type: 'chat_message', content: 'fine, you?', reply_to: hello! });
  await both('chat_message');
  mentorSocket.send({ type: 'delete_message', message_id: hiThere! });
  await both('message_deleted');
  menteeSocket.send({ type: 'mark_read' });
  await mentorSocket.expect('read_receipt');
  menteeSocket.send({ type: 'chat_message', content: 'unread one' });
  const unread = await menteeSocket.expect('chat_message');
  await mentorSocket.expect('chat_message');
  menteeSocket.send({ type: 'chat_message', content: 'call me on 07911 123456' });
  assert.equal((await menteeSocket.expect('chat_message')).status, 'held');
  assert.equal((await mentor.post(`/api/chat/${enc(mentee.email)}/messages/${unread.message_id}/report`, { reason: 'worrying' })).status, 201);
  assert.equal((await admin.request('PUT', '/api/moderation/words', { add: ['grapefruit'] })).status, 200);
  assert.equal((await new Agent(server.http).post('/api/auth/login', { email: mentee.email, password: 'not the password' })).status, 401);
  return { mentor, mentee, former };
}

/** Conversations without `partner_online`: who is connected is not stored. */
function stored(body: { conversations: Array<Record<string, unknown>> }) {
  return body.conversations.map(({ partner_online: _online, ...rest }) => rest);
}

/** What the people and the admin see: compared before and after a move. */
async function views(server: TestServer, people: People) {
  const admin = await loginAdmin(server.http);
  const audit = (await admin.get('/api/audit')).body;
  const mentor = await new Agent(server.http).login(people.mentor.email, passwordOf(people.mentor.email));
  const mentee = await new Agent(server.http).login(people.mentee.email, passwordOf(people.mentee.email));
  return {
    audit,
    held: (await admin.get('/api/moderation')).body,
    reports: (await admin.get('/api/reports?status=all')).body,
    words: (await admin.get('/api/moderation/words')).body,
    history: await wholeHistory(mentor, people.mentee.email),
    archived: await wholeHistory(mentor, people.former.email),
    mentorConversations: stored((await mentor.get('/api/chat/conversations?include=archived')).body),
    menteeConversations: stored((await mentee.get('/api/chat/conversations')).body),
    menteeHistory: (await mentee.get(`/api/chat/${enc(people.mentor.email)}/messages`)).body,
  };
}

/** The webhook receiver is a port nobody listens on: every event stays pending. */
async function envFor(): Promise<Record<string, string>> {
  return {
    CONVERSATION_POLICY: 'moderated',
    WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/hook`,
    WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
  };
}

withBackends('move-store (SQLite and PostgreSQL)', { postgres: true }, () => {
  describe('move-store (SQLite and PostgreSQL)', () => {
    it('SQLite → PostgreSQL → SQLite: the same history, unread counts, held queue, reports and audit; sign-in works; new ids and seq go on', async (t) => {
      const dir = tempDir(t);
      const env = await envFor();
      const source = join(dir, 'source.db');
      const first = await startServer(t, { ...env, DATABASE_URL: `sqlite:${source}` });
      const people = await storeWithEveryKindOfRow(first);
      const before = await views(first, people);
      assert.equal(before.held.held.length, 1);
      assert.equal(before.reports.reports.length, 1);
      assert.ok(before.audit.entries.length >= 3, 'matches, the unmatch, the word list');
      assert.equal(
        before.mentorConversations.find((row) => (row.partner as { email: string }).email === people.mentee.email)?.unread_count,
        3,
        'the mentee wrote three the mentor has not read',
      );
      assert.equal(before.menteeConversations[0]?.unread_count, 0, 'the mentee read the mentor');
      await first.close();

      const database = await freshDatabase();
      t.after(database.drop);
      const there = await runOperation('move-store', [`sqlite:${source}`, database.url]);
      assert.equal(there.code, 0, there.stderr);
      assert.match(there.stdout, /copied, counts checked/);
      assert.match(there.stdout, /webhook_events\s+[1-9]\d* rows/, 'pending webhook events are copied');
      assert.match(there.stdout, /login_attempts\s+[1-9]\d* rows/);

      const onPostgres = await startServer(t, { ...env, DATABASE_URL: database.url });
      const after = await views(onPostgres, people);
      assert.deepEqual(after, before);
      const menteeSocket = await connectChat(
        onPostgres.ws,
        people.mentor.email,
        (await new Agent(onPostgres.http).login(people.mentee.email, passwordOf(people.mentee.email))).cookie,
      );
      menteeSocket.send({ type: 'chat_message', content: 'on PostgreSQL now' });
      const next = await menteeSocket.expect('chat_message');
      const last = before.history.at(-1);
      assert.equal(next.seq, last.seq + 1, 'seq goes on');
      assert.ok(Number(next.message_id) > Math.max(...before.history.map((message: any) => Number(message.message_id))), 'ids go on after the copied ones');
      await menteeSocket.close();
      const afterMessage = await views(onPostgres, people);
      await onPostgres.close();

      const back = join(dir, 'back.db');
      const home = await runOperation('move-store', [database.url, `sqlite:${back}`]);
      assert.equal(home.code, 0, home.stderr);
      const onSqlite = await startServer(t, { ...env, DATABASE_URL: `sqlite:${back}` });
      assert.deepEqual(await views(onSqlite, people), afterMessage);
    });

    it('a move killed half-way is refused into the half-full target without --resume, and resumed completes with every row once', async (t) => {
      const dir = tempDir(t);
      const source = join(dir, 'big.db');
      const made = await makeStore(source, 30_000, 30);
      const database = await freshDatabase();
      const client = new pg.Client({ connectionString: database.url });
      client.on('error', () => {}); // a dropped connection fails the pending query, which reports it
      await client.connect();
      t.after(() => client.end());
      t.after(database.drop);
      const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
      const messages = () => count('SELECT count(*) AS n FROM messages').catch(() => 0);

      const run = startOperation('move-store', [`sqlite:${source}`, database.url, '--batch', '100']);
      await until('the move to be copying messages', async () => (await messages()) > 0 || run.child.exitCode !== null);
      run.child.kill('SIGKILL');
      const [, signal] = await run.closed;
      assert.equal(signal, 'SIGKILL', `the move was still running: ${run.output()}`);
      const half = await messages();
      assert.ok(half > 0 && half < made.messages, `killed half-way (${half} of ${made.messages})`);

      const refused = await runOperation('move-store', [`sqlite:${source}`, database.url]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /the target is not empty .*--resume/);

      const resumed = await runOperation('move-store', [`sqlite:${source}`, database.url, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stdout, /copied, counts checked/);
      assert.equal(await messages(), made.messages);
      assert.equal(await count('SELECT count(DISTINCT id) AS n FROM messages'), made.messages, 'no message twice');
      assert.equal(await count('SELECT count(*) AS n FROM users'), made.users);
      assert.equal(
        await count('SELECT count(*) AS n FROM (SELECT pair_id FROM messages GROUP BY pair_id HAVING max(seq) <> count(*)) gaps'),
        0,
        'seq contiguous',
      );
      const signIn = await startServer(t, { DATABASE_URL: database.url });
      await new Agent(signIn.http).login('mentee3@bench.test', 'bench-password-1');
    });
  });
});
