/**
 * A `seq` gap the store cannot fill, over real sockets. The store is made inconsistent from
 * outside, as a misbehaving instance or a hand edit would: the pair's `last_seq` jumps
 * ahead of its messages, so the next message is published with a `seq` far beyond what
 * any connection can read. Each connection must close with 4009 (resume) — counted and
 * logged — and the process must go on answering; it must never read in a loop. On SQLite
 * Tandem runs as a child process, so that a server stuck in a loop fails the test instead
 * of stopping it; on PostgreSQL + Redis it is two such processes, one side on each.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { CloseCode } from '../src/protocol/close-codes.js';
import { freshDatabase, freshRedisPrefix, testRedisUrl, withBackends } from './helpers/backends.js';
import { startChild } from './helpers/child.js';
import { loginAdmin, matchedPair } from './helpers/http.js';
import { tempDir, type Hooks } from './helpers/server.js';
import { connectChat, type Frame, type TestSocket } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { metricsAuth } from './helpers/accounts.js';

const JUMP = 50;
const GAPS = 'tandem_message_gaps_unfilled_total';
const READS = 'tandem_store_duration_seconds_count{operation="messages.after"}';
const OUT_OF_STEP = { code: CloseCode.outOfStep.code, reason: CloseCode.outOfStep.reason };
const isChat = (frame: Frame) => frame.type === 'chat_message';
/** The warn line (pino level 40) the session logs when it gives a connection up. */
const WARNING = /"level":40[^\n]*the store lacks messages a connection needs/;

type Side = { http: string; ws: string };

/** A sample's total over the instances at `bases` (0 where absent); guarded so that a server that stopped answering fails. */
async function sampled(key: string, ...bases: string[]): Promise<number> {
  let total = 0;
  for (const base of new Set(bases)) {
    const text = await (await fetch(`${base}/metrics`, { headers: metricsAuth, signal: AbortSignal.timeout(10_000) })).text();
    // A labelled sample appears with its first event (metrics.test.ts checks that each metric is exported).
    const line = text.split('\n').find((sample) => sample.startsWith(`${key} `));
    total += line === undefined ? 0 : Number(line.split(' ')[1]);
  }
  return total;
}

const gapsCounted = (...bases: string[]) => sampled(GAPS, ...bases);
const readsCounted = (...bases: string[]) => sampled(READS, ...bases);

async function assertAnswers(base: string): Promise<void> {
  assert.equal((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) })).status, 200);
}

/** A matched pair, the mentee on `a` and the mentor on `b`, after one message both got. */
async function pairWithOneMessage(a: Side, b: Side) {
  const admin = await loginAdmin(a.http);
  const { mentor, mentee } = await matchedPair(admin, a.http);
  const menteeSocket = await connectChat(a.ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(b.ws, mentee.email, mentor.cookie);
  menteeSocket.send({ type: 'chat_message', content: 'before the jump' });
  const first = (await mentorSocket.until(isChat)).frame;
  await menteeSocket.until(isChat);
  return { mentor, mentee, menteeSocket, mentorSocket, first };
}

/** Both sockets close with 4009 and got no message after the first: not one of the missing seqs, nor the one past them. */
async function assertClosedOutOfStep(sockets: TestSocket[]): Promise<void> {
  for (const socket of sockets) {
    assert.deepEqual(await socket.closedWithin(), OUT_OF_STEP);
    assert.deepEqual(socket.frames.filter(isChat), []);
  }
}

/** A live message far beyond the store's messages: both sides close to resume, and resuming delivers it. */
async function jumpThenSend(a: Side, b: Side, jump: () => Promise<void>): Promise<void> {
  const { mentor, mentee, menteeSocket, mentorSocket, first } = await pairWithOneMessage(a, b);
  const counted = await gapsCounted(a.http, b.http);
  const reads = await readsCounted(a.http, b.http);
  await jump();
  menteeSocket.send({ type: 'chat_message', content: 'after the jump' });
  await assertClosedOutOfStep([menteeSocket, mentorSocket]);
  await assertAnswers(a.http);
  await assertAnswers(b.http);
  assert.equal(await gapsCounted(a.http, b.http), counted + 2, 'each connection counted');
  // The client does what 4009 says: it resumes after the last message it has.
  const resumed = await connectChat(b.ws, mentee.email, mentor.cookie, { query: `?after=${first.message_id}` });
  const next = await resumed.expect('chat_message');
  assert.deepEqual([next.content, next.seq], ['after the jump', first.seq + JUMP + 1]);
  await resumed.close();
  // Two reads per socket (the gap, then once more) and the resume's: never a loop.
  assert.ok((await readsCounted(a.http, b.http)) - reads <= 5, `${(await readsCounted(a.http, b.http)) - reads} reads`);
}

/** A child Tandem on its own SQLite file, and how to make its pairs' `last_seq` jump. */
async function sqliteChild(t: Hooks, env: Record<string, string>) {
  const file = join(tempDir(t), 'gap.db');
  const server = await startChild(t, { DATABASE_URL: `sqlite:${file}`, ...env });
  const jump = async () => {
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 5000');
      db.prepare('UPDATE pairs SET last_seq = last_seq + ?').run(JUMP);
    } finally {
      db.close();
    }
  };
  return { server, jump };
}

describe('a seq gap the store cannot fill (SQLite, a child process)', () => {
  it('a live message past the gap: both sockets close with 4009, counted and logged; /healthz answers; SIGTERM stops it', async (t) => {
    const { server, jump } = await sqliteChild(t, { DELIVERY_CHECK_INTERVAL_MS: '0' });
    await jumpThenSend(server, server, jump);
    await until('the warning in the log', () => WARNING.test(server.output()));
    server.child.kill('SIGTERM');
    assert.deepEqual(await server.exited, [0, null]);
  });

  it('the delivery check finds the room behind a store that cannot fill it: 4009, not a silent stall', async (t) => {
    const { server, jump } = await sqliteChild(t, { DELIVERY_CHECK_INTERVAL_MS: '100' });
    const { menteeSocket, mentorSocket } = await pairWithOneMessage(server, server);
    const counted = await gapsCounted(server.http);
    await jump();
    await assertClosedOutOfStep([menteeSocket, mentorSocket]);
    await assertAnswers(server.http);
    assert.equal(await gapsCounted(server.http), counted + 2);
  });
});

withBackends('a seq gap the store cannot fill (two child instances, PostgreSQL, Redis)', { postgres: true, redis: true }, () => {
  it('a live message past the gap: both sockets close with 4009, counted and logged on each; both instances answer', async (t) => {
    const database = await freshDatabase();
    const shared = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: freshRedisPrefix(), DELIVERY_CHECK_INTERVAL_MS: '0' };
    const a = await startChild(t, shared);
    const b = await startChild(t, shared);
    t.after(database.drop);
    const jump = async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('UPDATE pairs SET last_seq = last_seq + $1', [JUMP]);
      } finally {
        await client.end();
      }
    };
    await jumpThenSend(a, b, jump);
    for (const server of [a, b]) await until('the warning in the log', () => WARNING.test(server.output()));
  });
});
