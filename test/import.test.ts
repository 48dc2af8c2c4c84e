/**
 * POST /api/import and `npm run import` (PROTOCOL.md Part 5): a platform's users, matches and
 * history as NDJSON — bad lines refused by number while the rest imports, a re-run changing
 * nothing, `seq` in timestamp order, imported read state in the unread counts, and imported
 * history that resumes with `?after=`. On one SQLite instance, and on two instances sharing
 * PostgreSQL and Redis (imported through one, read through the other).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent, person, type Reply } from './helpers/http.js';
import { claimsOf, mint, platformUser, type PlatformUser } from './helpers/platform.js';
import { startServer, tempDir, type Hooks, type TestServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

const KEY = 'platform-import-key-0123456789';
const SECRET = 'a-platform-secret-of-at-least-32-characters';
// The platform's users, imported, sign in through the platform (a token), as after a real migration.
const ENV = { API_KEYS: `platform:${KEY}`, AUTH: 'local,jwt', JWT_SECRET: SECRET };
const enc = encodeURIComponent;

/** A platform user named as the history names them. */
const named = (role: 'MENTOR' | 'MENTEE', first: string, last: string): PlatformUser => ({ ...platformUser(role, first), last_name: last });

/** The `authorization` header of a fresh token of `user`. */
async function bearerOf(user: PlatformUser): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await mint(claimsOf(user), SECRET)}` };
}

function postImport(server: TestServer, body: string, contentType = 'application/x-ndjson'): Promise<Reply> {
  return new Agent(server.http).request('POST', '/api/import', body, { authorization: `Bearer ${KEY}`, 'content-type': contentType });
}

/** The seed's history of one pair, with the lines an export can get wrong among it. */
function history(mentor: { email: string }, mentee: { email: string }, tag: string) {
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 6, 9, minute)).toISOString();
  const message = (id: number, from: { email: string }, to: { email: string }, content: string, minute: number, isRead: boolean) =>
    JSON.stringify({
      kind: 'message',
      external_id: `${tag}-${id}`,
      sender_email: from.email,
      receiver_email: to.email,
      content,
      timestamp: at(minute),
      is_read: isRead,
    });
  const lines = [
    JSON.stringify({ kind: 'user', email: mentor.email, first_name: 'Tom', last_name: 'Ng', role: 'MENTOR' }),
    JSON.stringify({ kind: 'user', email: mentee.email, first_name: 'Mia', last_name: 'Lee', role: 'MENTEE' }),
    JSON.stringify({ kind: 'match', mentor_email: mentor.email, mentee_email: mentee.email }),
    message(1, mentee, mentor, 'Hi Tom, first question', 0, true),
    message(2, mentor, mentee, 'Hi Mia, ask away', 5, true),
    message(3, mentee, mentor, 'How do I start?', 10, false),
    message(4, mentee, mentor, 'And where?', 11, false),
    '{"kind": "message", "external_id": ',
    JSON.stringify({
      kind: 'message',
      external_id: `${tag}-5`,
      sender_email: 'ghost@platform.test',
      receiver_email: mentor.email,
      content: 'boo',
      timestamp: at(12),
      is_read: false,
    }),
    message(6, mentor, mentee, 'A reply from the past', 1, false),
    JSON.stringify({ kind: 'wat' }),
    JSON.stringify({
      kind: 'message',
      external_id: `${tag}-7`,
      sender_email: mentee.email,
      receiver_email: mentor.email,
      content: 'nul\u0000byte',
      timestamp: at(13),
      is_read: false,
    }),
    '',
  ];
  return { body: `${lines.join('\n')}\n`, times: [at(0), at(5), at(10), at(11)] };
}

function importSuite(name: string, start: (t: Hooks) => Promise<[TestServer, TestServer]>): void {
  describe(name, () => {
    it('imports users, matches and history; refuses bad lines by number; a re-run changes nothing', async (t) => {
      const [one, two] = await start(t);
      const mentor = named('MENTOR', 'Tom', 'Ng');
      const mentee = named('MENTEE', 'Mia', 'Lee');
      const file = history(mentor, mentee, `${process.pid}-${Date.now()}`);

      const first = await postImport(one, file.body);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        { ...first.body, refused: first.body.refused.map((r: { line: number; error: string }) => [r.line, r.error]) },
        {
          lines: 13,
          users: { created: 2, updated: 0, unchanged: 0 },
          matches: { created: 1, unchanged: 0 },
          messages: { created: 4, unchanged: 0 },
          refused: [
            [8, 'invalid_json'],
            [9, 'user_not_found'],
            [10, 'invalid_request'],
            [11, 'invalid_request'],
            [12, 'invalid_request'],
          ],
          refused_total: 5,
        },
      );
      assert.match(first.body.refused[2].message, /timestamp order/);
      const audited = (await new Agent(one.http).get('/api/audit?limit=5', { authorization: `Bearer ${KEY}` })).body.entries.find(
        (e: any) => e.action === 'import',
      );
      assert.deepEqual([audited?.actor, audited?.detail.messages, audited?.detail.refused], ['api:platform', { created: 4, unchanged: 0 }, 5]);
      const again = await postImport(two, file.body);
      assert.deepEqual(
        [again.body.users, again.body.matches, again.body.messages, again.body.refused_total],
        [{ created: 0, updated: 0, unchanged: 2 }, { created: 0, unchanged: 1 }, { created: 0, unchanged: 4 }, 5],
      );

      // Read through the other instance: seq follows time, the read state came along.
      const page = (await new Agent(two.http).get(`/api/chat/${enc(mentor.email)}/messages`, await bearerOf(mentee))).body.messages;
      assert.deepEqual(
        page.map((m: any) => [m.seq, m.timestamp, m.content, m.is_read, m.sender_name]),
        [
          [1, file.times[0], 'Hi Tom, first question', true, 'Mia Lee'],
          [2, file.times[1], 'Hi Mia, ask away', true, 'Tom Ng'],
          [3, file.times[2], 'How do I start?', false, 'Mia Lee'],
          [4, file.times[3], 'And where?', false, 'Mia Lee'],
        ],
      );
      const unread = async (user: PlatformUser) =>
        (await new Agent(two.http).get('/api/chat/conversations', await bearerOf(user))).body.conversations[0].unread_count;
      assert.deepEqual([await unread(mentor), await unread(mentee)], [2, 0], 'the mentor has not read two of hers');

      // Resume after the second imported message: the rest, in order, then live messages go on from seq 5.
      const token = (await bearerOf(mentor)).authorization.slice('Bearer '.length);
      const socket = await connectChat(two.ws, mentee.email, undefined, { query: `?after=${page[1].message_id}&token=${enc(token)}` });
      const replayed = [(await socket.until((f) => f.type === 'chat_message')).frame, (await socket.until((f) => f.type === 'chat_message')).frame];
      assert.deepEqual(
        replayed.map((m) => [m.seq, m.content]),
        [
          [3, 'How do I start?'],
          [4, 'And where?'],
        ],
      );
      socket.send({ type: 'chat_message', content: 'Start here', client_id: 'live-1' });
      assert.equal((await socket.until((f) => f.type === 'chat_message')).frame.seq, 5);
      await socket.close();
      assert.equal((await postImport(one, file.body)).body.messages.unchanged, 4, 'still nothing new after live traffic');
    });

    it("a user line never changes a matched user's role, and a password registered for a platform address stops working", async (t) => {
      const [one, two] = await start(t);
      const mentor = named('MENTOR', 'Tom', 'Ng');
      const mentee = named('MENTEE', 'Mia', 'Lee');
      const squatted = person({ email: platformUser('MENTEE').email });
      assert.equal((await new Agent(one.http).post('/api/auth/register', squatted)).status, 201);
      const squatter = await new Agent(two.http).login(squatted.email, squatted.password);
      const lines = [
        ...history(mentor, mentee, `${process.pid}-${Date.now()}`).body.split('\n').slice(0, 3),
        JSON.stringify({ kind: 'user', email: mentee.email.toUpperCase(), first_name: 'Mia', last_name: 'Lee', role: 'MENTOR' }),
        JSON.stringify({ kind: 'user', email: mentee.email, first_name: 'Mia', last_name: 'Lee', role: 'ADMIN' }),
        JSON.stringify({ kind: 'user', email: squatted.email, first_name: 'Kate', last_name: 'Doe', role: 'MENTEE' }),
      ];
      const report = await postImport(one, `${lines.join('\n')}\n`);
      assert.deepEqual(
        report.body.refused.map((r: { line: number; error: string }) => [r.line, r.error]),
        [
          [4, 'role_locked'],
          [5, 'role_locked'],
        ],
      );
      assert.deepEqual(report.body.users, { created: 2, updated: 1, unchanged: 0 });
      const matches = (await new Agent(two.http).get('/api/matches', { authorization: `Bearer ${KEY}` })).body.matches.filter(
        (m: any) => m.mentee.email === mentee.email,
      );
      assert.deepEqual(
        matches.map((m: any) => [m.mentor.email, m.mentee.role]),
        [[mentor.email, 'MENTEE']],
        'still her mentor, still a mentee',
      );
      assert.equal((await squatter.get('/api/me')).status, 401, "the squatter's session ended");
      assert.equal(
        (await new Agent(one.http).post('/api/auth/login', { email: squatted.email, password: squatted.password })).status,
        401,
        'the password no longer opens it',
      );
    });

    it('a body that is not NDJSON is 415; an empty one imports nothing', async (t) => {
      const [one] = await start(t);
      assert.equal((await postImport(one, '{"kind":"user"}', 'application/json')).status, 415);
      const empty = await postImport(one, '');
      assert.deepEqual([empty.status, empty.body.lines, empty.body.refused_total], [200, 0, 0]);
    });
  });
}

importSuite('import on one SQLite instance', async (t) => {
  const server = await startServer(t, ENV);
  return [server, server];
});

withBackends('import on two instances (PostgreSQL + Redis)', { postgres: true, redis: true }, () => {
  importSuite('import across instances', async (t) => {
    const [one, two] = await startInstances(t, 2, ENV);
    return [one!, two!];
  });
});

it('npm run import: the same import from a file, with a progress line, exit 1 when lines were refused', async (t) => {
  const dir = tempDir(t);
  const database = `sqlite:${join(dir, 'tandem.db')}`;
  const server = await startServer(t, { ...ENV, DATABASE_URL: database });
  const mentor = named('MENTOR', 'Tom', 'Ng');
  const mentee = named('MENTEE', 'Mia', 'Lee');
  const file = join(dir, 'history.ndjson');
  writeFileSync(file, history(mentor, mentee, `cli-${process.pid}`).body);
  const run = () =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [new URL('../src/import/main.js', import.meta.url).pathname, file], {
        env: { ...process.env, DATABASE_URL: database, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  const first = await run();
  assert.equal(first.code, 1, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout).messages, { created: 4, unchanged: 0 });
  assert.match(first.stderr, /^done: 13 lines in [\d.]+ s — 4 messages new, 0 already there, 5 lines refused; peak RSS \d+ MiB$/m);
  const second = await run();
  assert.deepEqual(JSON.parse(second.stdout).messages, { created: 0, unchanged: 4 });
  const page = (await new Agent(server.http).get(`/api/chat/${enc(mentor.email)}/messages`, await bearerOf(mentee))).body.messages;
  assert.deepEqual(
    page.map((m: any) => m.seq),
    [1, 2, 3, 4],
    'the running server reads what the command imported',
  );
});
