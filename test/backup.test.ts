/**
 * `npm run backup` and BACKUP_DIR (docs/backups.md): a copy taken while messages pour in holds
 * every message acknowledged before it began, with `seq` contiguous, and serves them (and
 * sign-in) from a fresh instance; a copy that fails integrity_check is refused and removed;
 * the scheduled backup runs, keeps BACKUP_KEEP files and shows in /metrics.
 */
import assert from 'node:assert/strict';
import { openSync, readdirSync, writeFileSync, writeSync, closeSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { backupSqlite, BackupCheckError } from '../src/store/index.js';
import { metricsAuth, passwordOf } from './helpers/accounts.js';
import { Agent, loginAdmin } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';
import { startServer, tempDir } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { runOperation, wholeHistory } from './helpers/store-files.js';
import { until } from './helpers/wait.js';
import { UNLIMITED } from './suites/chat.js';

it('a backup taken during a burst of messages holds every message acknowledged before it began; a fresh instance serves them and signs people in', async (t) => {
  const { server, mentor, mentee } = await startWithPair(t, UNLIMITED);
  const dir = tempDir(t);
  const copy = join(dir, 'copy.db');
  const socket = await connectChat(server.ws, mentor.email, mentee.cookie);
  const acked: string[] = [];
  let sending = true;
  let sent = 0;
  const sender = (async () => {
    while (sending && sent < 20_000) {
      for (let i = 0; i < 20; i++) socket.send({ type: 'chat_message', content: `burst ${sent++}` });
      await nextTurn();
    }
  })();
  const reader = (async () => {
    while (sending || acked.length < sent) acked.push(String((await socket.expect('chat_message')).message_id));
  })();
  await until('200 acknowledged messages', () => acked.length >= 200);
  const ackedBefore = [...acked];
  const config = server.tandem.config.database;
  assert.equal(config.kind, 'sqlite');
  const run = await runOperation('backup', [copy], { DATABASE_URL: `sqlite:${config.kind === 'sqlite' ? config.path : ''}` });
  const ackedDuring = acked.length;
  sending = false;
  await sender;
  await reader;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /integrity_check ok/);
  assert.ok(acked.length > ackedDuring || ackedDuring > ackedBefore.length, 'messages were acknowledged while the backup ran');
  assert.deepEqual(
    readdirSync(dir).filter((name) => name !== 'copy.db'),
    [],
    'nothing but the copy is left',
  );
  await server.close();

  const restored = await startServer(t, { DATABASE_URL: `sqlite:${copy}` });
  const menteeAgain = await new Agent(restored.http).login(mentee.email, passwordOf(mentee.email));
  await loginAdmin(restored.http);
  const history = await wholeHistory(menteeAgain, mentor.email);
  const ids = new Set(history.map((message) => message.message_id));
  assert.deepEqual(
    ackedBefore.filter((id) => !ids.has(id)),
    [],
    'every message acknowledged before the backup began is in the copy',
  );
  assert.deepEqual(
    history.map((message) => message.seq),
    history.map((_, index) => index + 1),
    'seq is contiguous from 1',
  );
});

it('a copy that fails integrity_check is refused and removed, and a good backup at the destination is left as it was', async (t) => {
  const { server } = await startWithPair(t);
  const config = server.tandem.config.database;
  const path = config.kind === 'sqlite' ? config.path : '';
  const dir = tempDir(t);
  const destination = join(dir, 'backup.db');
  await backupSqlite(path, destination);
  const good = readFileSync(destination);
  const damage = (temporary: string) => {
    // Garbage over every page but the first (the header and schema): the tables' b-trees.
    const size = readFileSync(temporary).length;
    const fd = openSync(temporary, 'r+');
    try {
      writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
    } finally {
      closeSync(fd);
    }
  };
  await assert.rejects(backupSqlite(path, destination, { afterCopy: damage }), (error: unknown) => {
    assert.ok(error instanceof BackupCheckError, String(error));
    return true;
  });
  assert.deepEqual(readdirSync(dir), ['backup.db'], 'the damaged copy is removed');
  assert.ok(readFileSync(destination).equals(good), 'the good backup is untouched');
});

it('npm run backup refuses a path with no database, and PostgreSQL', async (t) => {
  const dir = tempDir(t);
  const missing = await runOperation('backup', [join(dir, 'copy.db')], { DATABASE_URL: `sqlite:${join(dir, 'none.db')}` });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /there is no database at/);
  assert.equal(existsSync(join(dir, 'none.db')), false, 'no empty database is made');
  const postgres = await runOperation('backup', [join(dir, 'copy.db')], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
  assert.equal(postgres.code, 2);
  assert.match(postgres.stderr, /pg_dump/);
  const usage = await runOperation('backup', []);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: npm run backup -- <file>/);
});

it('BACKUP_* with a PostgreSQL DATABASE_URL (or an in-memory SQLite) stops the start with a clear problem', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', BACKUP_DIR: '/tmp/backups', BACKUP_KEEP: '3' }),
    (error: unknown) => error instanceof ConfigError && /BACKUP_DIR, BACKUP_KEEP are set, but DATABASE_URL is PostgreSQL/.test(error.message),
  );
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'sqlite::memory:', BACKUP_DIR: '/tmp/backups' }),
    (error: unknown) => error instanceof ConfigError && /no file to back up/.test(error.message),
  );
});

/** The value of an unlabelled metric in /metrics. */
async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: metricsAuth })).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  assert.ok(line, `${name} is in /metrics`);
  return Number(line.split(' ')[1]);
}

it('BACKUP_DIR: the instance backs itself up at start and then on its own, keeps the newest BACKUP_KEEP, and /metrics shows the last good one and counts failures', async (t) => {
  const dir = join(tempDir(t), 'backups');
  const server = await startServer(t, { BACKUP_DIR: dir, BACKUP_KEEP: '2', BACKUP_INTERVAL_MINUTES: '60' });
  // The metric is set once the backup at start is in place.
  await until('the backup at start to show in /metrics', async () => (await metric(server.http, 'tandem_backup_last_success_age_seconds')) >= 0);
  assert.equal(readdirSync(dir).filter((name) => name.endsWith('.db')).length, 1, 'the backup at start');
  assert.ok((await metric(server.http, 'tandem_backup_last_success_timestamp_seconds')) > 0);
  const backups = server.tandem.backups!;
  assert.ok(await backups.runOnce());
  assert.ok(await backups.runOnce());
  const kept = readdirSync(dir).sort();
  assert.equal(kept.length, 2, `BACKUP_KEEP=2 keeps two: ${kept.join(', ')}`);
  assert.ok(kept.every((name) => /^tandem-\d{8}T\d{9}Z\.db$/.test(name)));

  // A backup that cannot be written is counted, and leaves the good ones.
  const failuresBefore = await metric(server.http, 'tandem_backup_failures_total');
  const blocked = join(tempDir(t), 'not-a-directory');
  writeFileSync(blocked, 'a file where the directory should be');
  const failing = await startServer(t, { BACKUP_DIR: blocked });
  await until('the failed backup to be counted', async () => (await metric(failing.http, 'tandem_backup_failures_total')) > failuresBefore);
  assert.equal(readdirSync(dir).length, 2);
});
