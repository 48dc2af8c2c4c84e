/**
 * Data rights (PROTOCOL.md Part 7): retention deletes exactly the old messages while a pair
 * keeps chatting, with a clock the test controls, on every instance at once; the export holds
 * every message the user sent and received and nothing of anyone else's; erasure closes the
 * user's sockets on every instance, leaves no copy of what they wrote in any table, and a
 * second erasure changes nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../src/store/index.js';
import { RetentionJob } from '../src/store/retention.js';
import { erasedEmailOf } from '../src/protocol/erased-email.js';
import { passwordOf } from './helpers/accounts.js';
import { freePort, withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent, createUser, loginAdmin, match, matchedPair, person } from './helpers/http.js';
import { Receiver, webhookEnv } from './helpers/receiver.js';
import { startServer, tempDir, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';
import { connectChat, type TestSocket } from './helpers/socket.js';
import { UNLIMITED } from './suites/chat.js';

const DAY_MS = 24 * 3600 * 1000;
const enc = encodeURIComponent;

/** `count` messages from the mentee, each echoed to both before the next: their echoes. */
async function chat(from: TestSocket, to: TestSocket, count: number, prefix: string) {
  const echoes = [];
  for (let i = 0; i < count; i++) {
    from.send({ type: 'chat_message', content: `${prefix} ${i}` });
    const [echo] = await Promise.all([from.expect('chat_message'), to.expect('chat_message')]);
    echoes.push(echo);
  }
  return echoes;
}

async function pair(servers: readonly TestServer[]) {
  const admin = await loginAdmin(servers[0]!.http);
  const { mentor, mentee } = await matchedPair(admin);
  const menteeSocket = await connectChat(servers[0]!.ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(servers.at(-1)!.ws, mentee.email, mentor.cookie);
  await menteeSocket.expect('presence');
  return { admin, mentor, mentee, menteeSocket, mentorSocket };
}

/** Retention on `stores` at once (one job per instance), with the clock at `now`, while the pair keeps chatting. */
async function retentionWhileChatting(servers: readonly TestServer[]) {
  const { mentee, mentor, menteeSocket, mentorSocket } = await pair(servers);
  const old = await chat(menteeSocket, mentorSocket, 12, 'old');
  // The clock the jobs see: 30 days after the 7th message, so everything strictly before it is old.
  const cutoff = new Date(old[6]!.timestamp).getTime();
  const expected = old.filter((m) => new Date(m.timestamp).getTime() < cutoff).map((m) => m.content);
  assert.ok(expected.length >= 1 && expected.length <= 6, 'some messages are old, some are not');
  const jobs = servers.map(
    (server) =>
      new RetentionJob({
        store: server.tandem.store.dataRights,
        days: 30,
        batchSize: 2,
        intervalMs: 0,
        now: () => new Date(cutoff + 30 * DAY_MS),
        onError: (error) => {
          throw error;
        },
      }),
  );
  const [deleted, live] = await Promise.all([Promise.all(jobs.map((job) => job.runOnce())), chat(mentorSocket, menteeSocket, 10, 'live')]);
  assert.equal(
    deleted.reduce((a, b) => a + b, 0),
    expected.length,
    'the jobs together deleted each old message once',
  );
  assert.deepEqual(
    live.map((m) => m.seq),
    live.map((_, i) => 13 + i),
    'the pair chatted on, in order',
  );
  const page = (await mentee.get(`/api/chat/${enc(mentor.email)}/messages?limit=100`)).body;
  const kept = old.map((m) => m.content).filter((content) => !expected.includes(content));
  assert.deepEqual(
    page.messages.map((m: { content: string }) => m.content),
    [...kept, ...live.map((m) => m.content)],
  );
  // A connection resuming from the start gets what is left, from its first message on.
  const resumed = await connectChat(servers[0]!.ws, mentee.email, mentor.cookie, { query: '?after=0' });
  assert.equal((await resumed.expect('chat_message')).content, kept[0]);
  await Promise.all([resumed.close(), menteeSocket.close(), mentorSocket.close()]);
}

/** Every text value of every table, for a search of what must be gone. */
async function everyTableSqlite(server: TestServer): Promise<string> {
  const config = server.tandem.config.database;
  assert.equal(config.kind, 'sqlite');
  const db = new Database(config.kind === 'sqlite' ? config.path : '', { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

async function everyTablePostgres(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    const dumps = [];
    for (const { table_name: name } of rows) dumps.push(JSON.stringify((await client.query(`SELECT * FROM ${pg.escapeIdentifier(name)}`)).rows));
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}

/**
 * Erasure on `servers` (the mentee's sockets on the first and the last), with `dump` reading
 * every table; webhooks go to `receiver`, so that the outbox holds the bodies it sent.
 */
async function erasure(servers: readonly TestServer[], dump: () => Promise<string>, receiver: Receiver) {
  const { admin, mentor, mentee, menteeSocket, mentorSocket } = await pair(servers);
  const secret = `zq-${randomBytes(6).toString('hex')}`;
  const menteeTab2 = await connectChat(servers.at(-1)!.ws, mentor.email, mentee.cookie);
  const mine = await chat(menteeSocket, mentorSocket, 3, `${secret} says`);
  await menteeTab2.expect('chat_message');
  await menteeTab2.expect('chat_message');
  await menteeTab2.expect('chat_message');
  const reply = (await chat(mentorSocket, menteeSocket, 1, 'the reply'))[0]!;
  await menteeTab2.expect('chat_message');
  // Held under the moderated policy: its content is the mentee's too.
  menteeSocket.send({ type: 'chat_message', content: `${secret} call 07911 123456` });
  assert.equal((await menteeSocket.expect('chat_message')).status, 'held');
  assert.equal((await mentee.post(`/api/chat/${enc(mentor.email)}/messages/${reply.message_id}/report`, { reason: `${secret} reason` })).status, 201);
  // A body is saved before it is sent: once all arrived, the outbox holds a copy of each.
  const sent = () =>
    receiver.requests
      .filter((request) => request.raw.includes(secret))
      .map((request) => request.body.type)
      .sort();
  await receiver.until(() => sent().length === 5);
  assert.deepEqual(sent(), ['message.created', 'message.created', 'message.created', 'message.held', 'message.reported']);
  // What others wrote of it: a rejection's reason, resolution notes (and so the audit details).
  const [held] = (await admin.get('/api/moderation')).body.held;
  assert.equal((await admin.post(`/api/moderation/${held.message_id}/reject`, { reason: `${secret} is a phone number` })).status, 200);
  for (const socket of [menteeSocket, menteeTab2]) assert.equal((await socket.expect('message_status')).status, 'rejected');
  const reports = (await admin.get('/api/reports')).body.reports;
  assert.equal((await admin.post(`/api/reports/${reports[0].report_id}/resolve`, { note: `${secret} was told` })).status, 200);
  const ofThem = await mentor.post(`/api/chat/${enc(mentee.email)}/messages/${mine[0]!.message_id}/report`, { reason: 'rude' });
  assert.equal((await admin.post(`/api/reports/${ofThem.body.report_id}/resolve`, { note: `spoke to ${secret}` })).status, 200);
  assert.ok((await dump()).includes(secret), 'the search finds the content before erasure');

  const { id: menteeId } = (await servers[0]!.tandem.store.accounts.byEmail(mentee.email!))!;
  const erased = await admin.delete(`/api/users/${enc(mentee.email)}`);
  assert.equal(erased.status, 204, JSON.stringify(erased.body));
  for (const socket of [menteeSocket, menteeTab2, mentorSocket]) {
    assert.deepEqual(await socket.expect('force_disconnect'), { type: 'force_disconnect', reason: 'account_deleted' });
    await socket.closedWithin();
  }
  assert.equal((await mentee.get('/api/me')).status, 401);
  assert.equal((await new Agent(servers[0]!.http).post('/api/auth/login', { email: mentee.email, password: passwordOf(mentee.email) })).status, 401);
  assert.equal((await dump()).includes(secret), false, 'no table holds any of it');

  // The former partner's own export shows "Deleted user", the messages emptied.
  const theirs = (await mentor.get(`/api/users/${enc(mentor.email)}/export`)).body;
  const fromErased = theirs.messages.filter((m: { message_id: string }) => mine.some((own) => own.message_id === m.message_id));
  assert.equal(fromErased.length, 3);
  for (const message of fromErased) assert.deepEqual([message.sender_name, message.content], ['Deleted user', '']);
  assert.deepEqual(
    theirs.matches.map((m: { active: boolean }) => m.active),
    [false],
  );

  const entries = () => admin.get('/api/audit?limit=200').then((r) => r.body.entries.filter((e: { action: string }) => e.action === 'erase'));
  const before = await entries();
  assert.deepEqual(
    before.map((e: { target: string; actor: string }) => [e.target, e.actor]),
    [[`user:${mentee.email}`, admin.email]],
  );
  assert.equal((await admin.delete(`/api/users/${enc(mentee.email)}`)).status, 204, 'a second erasure is a no-op');
  assert.equal((await admin.delete(`/api/users/${enc(erasedEmailOf(menteeId))}`)).status, 204, 'and so is one by the erased address');
  assert.equal((await entries()).length, 1);
  assert.equal((await admin.delete(`/api/users/${enc('nobody@tandem.test')}`)).status, 404);
}

async function exportHoldsOnlyTheirs(server: TestServer) {
  const first = await pair([server]);
  const other = await pair([server]);
  const sent = await chat(first.menteeSocket, first.mentorSocket, 2, 'from the mentee');
  const received = await chat(first.mentorSocket, first.menteeSocket, 2, 'from the mentor');
  const elsewhere = await chat(other.menteeSocket, other.mentorSocket, 2, 'another pair');
  // A report each: the mentee's is in their export (and its audit entry), the other pair's is not.
  const reported = await first.mentee.post(`/api/chat/${enc(first.mentor.email)}/messages/${received[0]!.message_id}/report`, { reason: 'it upset me' });
  assert.equal(reported.status, 201, JSON.stringify(reported.body));
  const reportedElsewhere = await other.mentor.post(`/api/chat/${enc(other.mentee.email)}/messages/${elsewhere[0]!.message_id}/report`, {
    reason: 'it upset me',
  });
  assert.equal(reportedElsewhere.status, 201, JSON.stringify(reportedElsewhere.body));
  const own = await first.mentee.get(`/api/users/${enc(first.mentee.email)}/export`);
  assert.equal(own.status, 200);
  assert.match(own.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(own.body.profile.email, first.mentee.email);
  assert.deepEqual(
    own.body.messages.map((m: { content: string; receiver_email: string }) => [m.content, m.receiver_email]),
    [...sent.map((m) => [m.content, first.mentor.email]), ...received.map((m) => [m.content, first.mentee.email])],
  );
  assert.equal(JSON.stringify(own.body).includes('another pair'), false);
  const [madeReport, ...moreReports] = own.body.reports;
  assert.deepEqual(moreReports, []);
  assert.deepEqual(
    { ...madeReport, created_at: typeof madeReport.created_at },
    { report_id: reported.body.report_id, message_id: received[0]!.message_id, reason: 'it upset me', created_at: 'string', resolved_at: null },
  );
  assert.equal(new Date(madeReport.created_at).toISOString(), madeReport.created_at);
  const audited = own.body.audit.map((e: { action: string; actor: string; target: string }) => [e.action, e.actor, e.target]);
  assert.deepEqual(
    audited.filter(([action]: [string]) => action === 'report'),
    [['report', first.mentee.email, `message:${received[0]!.message_id}`]],
    "their report is audited in their export; the other pair's is not",
  );
  assert.equal(JSON.stringify(own.body.audit).includes(other.mentor.email), false);
  assert.equal((await other.mentee.get(`/api/users/${enc(first.mentee.email)}/export`)).status, 403);
  const byAdmin = await first.admin.get(`/api/users/${enc(first.mentee.email)}/export`);
  assert.deepEqual(byAdmin.body.messages, own.body.messages);
  const audit = (await first.admin.get('/api/audit')).body.entries;
  assert.deepEqual(
    audit.slice(0, 2).map((e: { action: string; actor: string }) => [e.action, e.actor]),
    [
      ['export', first.admin.email],
      ['export', first.mentee.email],
    ],
  );
  for (const p of [first, other]) await Promise.all([p.menteeSocket.close(), p.mentorSocket.close()]);
}

/** A user acts, is matched and erased; someone else then registers the same address: their export holds nothing of the first. */
async function newOwnerOfAnErasedAddress(server: TestServer) {
  const admin = await loginAdmin(server.http);
  const first = person({ role: 'MENTEE', first_name: 'First', last_name: 'Owner' });
  assert.equal((await new Agent(server.http).post('/api/auth/register', first)).status, 201);
  const firstAgent = await new Agent(server.http).login(first.email, first.password);
  const partner = await createUser(admin, { role: 'MENTOR' });
  await match(admin, partner, firstAgent);
  assert.equal((await firstAgent.get(`/api/users/${enc(first.email)}/export`)).status, 200);
  assert.equal((await admin.delete(`/api/users/${enc(first.email)}`)).status, 204);

  const second = person({ email: first.email, role: 'MENTEE', first_name: 'Second', last_name: 'Owner', password: 'another correct horse' });
  assert.equal((await new Agent(server.http).post('/api/auth/register', second)).status, 201);
  const secondAgent = await new Agent(server.http).login(second.email, second.password);
  const theirs = (await secondAgent.get(`/api/users/${enc(second.email)}/export`)).body;
  assert.deepEqual(
    theirs.audit.map((entry: { action: string; actor: string }) => [entry.action, entry.actor]),
    [['export', second.email]],
    'only their own export',
  );
  assert.deepEqual([theirs.matches, theirs.messages, theirs.reports], [[], [], []]);
  assert.equal(JSON.stringify(theirs).includes(partner.email!), false, "nor the former partner's address");
}

/**
 * RETENTION_DAYS inside a server: a message made three days old (its stored time moved back
 * while no server runs) is gone once a server with RETENTION_DAYS=1 has started; a recent
 * one stays.
 */
async function retentionInAServer(t: { after(fn: () => unknown): void }) {
  // One port for both servers: the agents of the pair talk to the second one too.
  const env = { ...UNLIMITED, PORT: String(await freePort()), DATABASE_URL: `sqlite:${tempDir(t)}/retention.db` };
  const first = await startServer(t, env);
  const { mentor, mentee, menteeSocket, mentorSocket } = await pair([first]);
  await chat(menteeSocket, mentorSocket, 2, 'kept');
  await first.close();
  const config = first.tandem.config.database;
  assert.equal(config.kind, 'sqlite');
  const db = new Database(config.kind === 'sqlite' ? config.path : '');
  try {
    db.prepare("UPDATE messages SET created_at = created_at - ? WHERE content = 'kept 0'").run(3 * DAY_MS);
  } finally {
    db.close();
  }
  await startServer(t, { ...env, RETENTION_DAYS: '1' });
  const shown = async () => ((await mentee.get(`/api/chat/${enc(mentor.email)}/messages`)).body.messages ?? []).map((m: { content: string }) => m.content);
  // The first fetch may meet the kept-alive connection to the first server, which is gone.
  await until('the old message to be deleted', async () => (await shown().catch(() => [])).length === 1);
  assert.deepEqual(await shown(), ['kept 1']);
}

describe('data rights, one instance', () => {
  it('RETENTION_DAYS runs inside a server: the old message is deleted at start, the recent one kept', async (t) => {
    await retentionInAServer(t);
  });
  it('retention deletes exactly the old messages while the pair keeps chatting', async (t) => {
    await retentionWhileChatting([await startServer(t, UNLIMITED)]);
  });
  it('the export holds every message the user sent and received, their reports and audit entries, and nothing of anyone else', async (t) => {
    await exportHoldsOnlyTheirs(await startServer(t, UNLIMITED));
  });
  it('the next owner of an erased address sees nothing of the old owner in their export', async (t) => {
    await newOwnerOfAnErasedAddress(await startServer(t));
  });
  it('erasure closes the sockets, empties every table of what the user wrote (the webhook outbox included), and is idempotent', async (t) => {
    const receiver = await Receiver.start(t);
    const server = await startServer(t, { ...UNLIMITED, ...webhookEnv(receiver), CONVERSATION_POLICY: 'moderated' });
    await erasure([server], () => everyTableSqlite(server), receiver);
  });
});

withBackends('data rights, two instances (PostgreSQL, Redis)', { postgres: true, redis: true }, () => {
  describe('data rights, two instances (PostgreSQL, Redis)', () => {
    it('retention runs on both instances at once and deletes each old message once', async (t) => {
      await retentionWhileChatting(await startInstances(t, 2, UNLIMITED));
    });
    it('the next owner of an erased address sees nothing of the old owner in their export', async (t) => {
      await newOwnerOfAnErasedAddress((await startInstances(t, 2, UNLIMITED))[1]!);
    });
    it('erasure closes the sockets on both instances and leaves no copy in any table (the webhook outbox included)', async (t) => {
      const receiver = await Receiver.start(t);
      const servers = await startInstances(t, 2, { ...UNLIMITED, ...webhookEnv(receiver), CONVERSATION_POLICY: 'moderated' });
      const config = servers[0]!.tandem.config.database;
      await erasure(servers, () => everyTablePostgres(config.kind === 'postgres' ? config.url : ''), receiver);
    });
  });
});

export type { Store };
