/**
 * A restore never brings an erased person back (docs/backups.md): an erasure made after a
 * backup is logged beside the database (ids only), and when Tandem starts on the restored copy
 * it applies it again before it accepts a connection — sign-in refused, their messages empty,
 * and no byte of the database files holding what they wrote. An id that now belongs to
 * someone else (another creation time) is left alone, and the log parser refuses anything
 * that is not an erasure line.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import fc from 'fast-check';
import { ErasureLog, erasureLine, parseErasureLog } from '../src/operations/erasure-log.js';
import { REPLAY_ACTOR } from '../src/operations/erasure-replay.js';
import { backupSqlite } from '../src/store/index.js';
import { passwordOf } from './helpers/accounts.js';
import { Agent, createUser, loginAdmin, match } from './helpers/http.js';
import { startServer, tempDir } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

const enc = encodeURIComponent;

/** Which of the database's files hold `word`, as raw bytes. */
function filesHolding(path: string, word: string): string[] {
  return ['', '-wal', '-journal'].map((suffix) => path + suffix).filter((file) => existsSync(file) && readFileSync(file).includes(Buffer.from(word)));
}

it('an erasure made after a backup is in force once Tandem starts on the restored copy', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'tandem.db');
  const env = { DATABASE_URL: `sqlite:${path}` };
  const word = `zq${randomBytes(6).toString('hex')}`;
  const first = await startServer(t, env);
  const admin = await loginAdmin(first.http);
  const mentor = await createUser(admin, { role: 'MENTOR' });
  const mentee = await createUser(admin, { role: 'MENTEE', last: `Lee${word}` });
  await match(admin, mentor, mentee);
  const socket = await connectChat(first.ws, mentor.email, mentee.cookie);
  for (let i = 0; i < 5; i++) {
    socket.send({ type: 'chat_message', content: `${word} secret ${i}` });
    await socket.expect('chat_message');
  }
  const backup = join(dir, 'backup.db');
  await backupSqlite(path, backup);
  const menteeUser = (await first.tandem.store.accounts.byEmail(mentee.email))!;

  assert.equal((await admin.delete(`/api/users/${enc(mentee.email)}`)).status, 204);
  const log = readFileSync(`${path}.erasures`, 'utf8');
  assert.equal(log, `${menteeUser.id} ${menteeUser.createdAt.getTime()}\n`, 'the log holds the id and creation time, nothing else');
  await first.close();

  // The restore: the backup in place of the database; the log beside it stays.
  for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
  copyFileSync(backup, path);
  assert.deepEqual(filesHolding(path, word), [path], 'the backup holds what the erased user wrote');

  const restored = await startServer(t, env);
  const refused = await new Agent(restored.http).post('/api/auth/login', { email: mentee.email, password: passwordOf(mentee.email) });
  assert.equal(refused.status, 401, 'the erased user cannot sign in');
  const mentorAgain = await new Agent(restored.http).login(mentor.email, passwordOf(mentor.email));
  const history = (await mentorAgain.get(`/api/chat/${enc(erasedAddress(menteeUser.id))}/messages`)).body.messages as any[];
  assert.equal(history.length, 5, 'the former partner keeps the history (archived)');
  assert.ok(
    history.every((message) => message.content === '' && message.sender_name === 'Deleted user'),
    'from "Deleted user", emptied',
  );
  assert.deepEqual(filesHolding(path, word), [], 'no byte of the restored database files holds the word');
  const adminAgain = await loginAdmin(restored.http);
  const replays = (await adminAgain.get('/api/audit')).body.entries.filter((entry: any) => entry.actor === REPLAY_ACTOR);
  assert.equal(replays.length, 1, 'the replay is audited');
  await restored.close();

  // Once in force, a start applies nothing again.
  const again = await startServer(t, env);
  const admin3 = await loginAdmin(again.http);
  assert.equal((await admin3.get('/api/audit')).body.entries.filter((entry: any) => entry.actor === REPLAY_ACTOR).length, 1);
});

function erasedAddress(id: number): string {
  return `deleted-${id}@deleted.invalid`;
}

it('a logged id that now belongs to someone else (another creation time) is left alone; a torn line is skipped and the next erasure starts a line of its own', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'tandem.db');
  const env = { DATABASE_URL: `sqlite:${path}` };
  const first = await startServer(t, env);
  const admin = await loginAdmin(first.http);
  const person = await createUser(admin, { role: 'MENTEE' });
  const user = (await first.tandem.store.accounts.byEmail(person.email))!;
  await first.close();
  writeFileSync(`${path}.erasures`, erasureLine({ userId: user.id, createdAtMs: user.createdAt.getTime() + 1 }));
  // A line torn by a crash mid-append: the id, no time.
  appendFileSync(`${path}.erasures`, `${user.id} `);

  const second = await startServer(t, env);
  await new Agent(second.http).login(person.email, passwordOf(person.email));
  const log = new ErasureLog(`${path}.erasures`);
  await log.append({ userId: 999, createdAtMs: 5 });
  assert.deepEqual(log.read().erasures.at(-1), { userId: 999, createdAtMs: 5 });
  assert.deepEqual(log.read().refused, [2]);
});

it('parseErasureLog takes back exactly what erasureLine wrote, and refuses every other line', () => {
  const erasure = fc.record({ userId: fc.integer({ min: 0, max: 2 ** 40 }), createdAtMs: fc.integer({ min: 0, max: 2 ** 45 }) });
  fc.assert(
    fc.property(fc.array(erasure, { maxLength: 20 }), (erasures) => {
      const parsed = parseErasureLog(erasures.map(erasureLine).join(''));
      const unique = [...new Map(erasures.map((e) => [`${e.userId} ${e.createdAtMs}`, { userId: e.userId, createdAtMs: e.createdAtMs }])).values()];
      assert.deepEqual(parsed, { erasures: unique, refused: [] });
    }),
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const { erasures, refused } = parseErasureLog(text);
      const lines = text.split('\n');
      for (const line of refused) assert.doesNotMatch(lines[line - 1]!, /^\d{1,15} \d{1,15}$/);
      for (const e of erasures) assert.ok(lines.includes(`${e.userId} ${e.createdAtMs}`));
    }),
  );
  assert.deepEqual(parseErasureLog('12 34\nalice@example.org\n 5 6\n7 8 9\n'), { erasures: [{ userId: 12, createdAtMs: 34 }], refused: [2, 3, 4] });
});
