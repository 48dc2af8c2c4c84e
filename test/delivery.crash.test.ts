/**
 * docs/protocol.md, "Delivery guarantees": an acknowledged message reaches every connected partner
 * whatever instance dies when. Two instances on PostgreSQL + Redis: the mentee's instance A
 * is a child process, the mentor's instance B runs here. A's Redis traffic goes through a
 * relay that starts dropping what A sends, so a burst is stored (and, once its publishes
 * time out, acknowledged) but never published; then A is SIGKILLed with more messages
 * stored and not yet acknowledged. Without any further message the mentor gets every
 * acknowledged one; after the mentee reconnects to B and retries the unacknowledged ones
 * with their client_ids, each is stored once and the mentor has them all.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Frame } from './helpers/socket.js';
import { freePort, testRedisUrl, withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { loginAdmin, matchedPair } from './helpers/http.js';
import { ADMIN, type Hooks, type TestServer } from './helpers/server.js';
import { connectChat, type TestSocket } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { UNLIMITED } from './suites/chat.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** A TCP relay to Redis whose `blackhole` drops whatever the client sends from then on (a half-dead link). */
async function redisRelay(t: Hooks, target: URL): Promise<{ url: string; blackhole(): void }> {
  let dropping = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', end).on('close', end);
    }
    client.on('data', (chunk: Buffer) => {
      if (!dropping) upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`, blackhole: () => void (dropping = true) };
}

/** Every `chat_message` a socket receives, with when; `TestSocket.next` would time out over the quiet spells here. */
function record(socket: TestSocket): Array<Frame & { at: number }> {
  const got: Array<Frame & { at: number }> = [];
  socket.ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'chat_message') got.push({ ...frame, at: Date.now() });
  });
  return got;
}

withBackends('delivery when an instance dies', { postgres: true, redis: true }, () => {
  it("every acknowledged message reaches the partner after the sender's instance dies unpublished", async (t) => {
    const [b] = (await startInstances(t, 1, UNLIMITED)) as [TestServer];
    const { database, layer } = b.tandem.config;
    assert.ok(database.kind === 'postgres' && layer.kind === 'redis');
    const relay = await redisRelay(t, new URL(testRedisUrl!));
    const port = await freePort();
    const a = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        ...UNLIMITED,
        PORT: String(port),
        DATABASE_URL: database.url,
        REDIS_URL: relay.url,
        REDIS_PREFIX: layer.prefix,
        LOG_LEVEL: 'fatal',
        TANDEM_ADMIN_EMAIL: ADMIN.email,
        TANDEM_ADMIN_PASSWORD: ADMIN.password,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    a.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(a, 'exit');
    t.after(() => void (a.exitCode === null && a.signalCode === null && a.kill('SIGKILL')));
    const aHttp = `http://127.0.0.1:${port}`;
    await until('instance A to be ready', async () => (await fetch(`${aHttp}/readyz`).catch(() => null))?.ok === true);
    const sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    // The database is dropped (WITH FORCE) before this client ends: that is no failure.
    sql.on('error', () => {});
    t.after(() => sql.end());
    const storedCount = async () => (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM messages')).rows[0]!.n;

    const admin = await loginAdmin(b.http);
    const { mentor, mentee } = await matchedPair(admin);
    const menteeSocket = await connectChat(`ws://127.0.0.1:${port}`, mentor.email, mentee.cookie);
    const mentorSocket = await connectChat(b.ws, mentee.email, mentor.cookie);
    const echoes = record(menteeSocket);
    const delivered = record(mentorSocket);
    const content = (i: number) => `message ${i}`;
    const send = (socket: TestSocket, from: number, to: number) => {
      for (let i = from; i < to; i++) socket.send({ type: 'chat_message', content: content(i), client_id: `c${i}` });
    };

    // 100 messages the normal way, then A's link to Redis goes half-dead: 200 more are
    // stored, and acknowledged once their publishes time out; none reaches Redis.
    send(menteeSocket, 0, 100);
    await until('100 echoes', () => echoes.length === 100);
    relay.blackhole();
    send(menteeSocket, 100, 300);
    await until('300 echoes', () => echoes.length === 300);
    // 50 more are stored and die with A before their acknowledgement; 20 are sent as it dies.
    send(menteeSocket, 300, 350);
    await until('350 messages stored', async () => (await storedCount()) >= 350);
    send(menteeSocket, 350, 370);
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await exited;
    await menteeSocket.closedWithin();
    const acknowledged = new Map(echoes.map((echo) => [echo.client_id as string, echo]));
    const storedAtDeath = await storedCount();

    // (a) No further message: the mentor still gets every acknowledged one.
    const deliveredIds = () => new Set(delivered.map((frame) => frame.client_id));
    await until('the mentor to have every acknowledged message', () => [...acknowledged.keys()].every((id) => deliveredIds().has(id)));
    const bySeq = delivered.map((frame) => frame.seq);
    assert.deepEqual(
      bySeq,
      bySeq.map((_, i) => i + 1),
      'each once, in seq order, from 1',
    );
    // How long the stored, never published messages took to reach the mentor (clocks of one machine).
    const sinceStored = (from: number, to: number) =>
      Math.max(...delivered.filter((f) => f.seq > from && f.seq <= to).map((f) => f.at - Date.parse(f.timestamp)));
    const lastAcknowledged = Math.max(...delivered.filter((f) => acknowledged.has(f.client_id)).map((f) => f.at));

    // (b) The mentee reconnects to B and retries everything it has no acknowledgement for.
    const retry = await connectChat(b.ws, mentor.email, mentee.cookie);
    const answers = record(retry);
    const unacknowledged = Array.from({ length: 370 }, (_, i) => i).filter((i) => !acknowledged.has(`c${i}`));
    for (const i of unacknowledged) retry.send({ type: 'chat_message', content: content(i), client_id: `c${i}` });
    await until('an answer to every retry', () => new Set(answers.map((f) => f.client_id)).size === unacknowledged.length);
    await until('the mentor to have all 370', () => delivered.length >= 370);
    const recoveredAt = Date.now();

    const { rows } = await sql.query<{ id: number; seq: number; client_id: string; content: string }>(
      'SELECT id::int, seq::int, client_id, content FROM messages ORDER BY seq',
    );
    assert.equal(rows.length, 370, 'each message stored once');
    assert.deepEqual(new Set(rows.map((row) => row.client_id)), new Set(Array.from({ length: 370 }, (_, i) => `c${i}`)));
    assert.deepEqual(
      delivered.map((f) => [f.seq, f.message_id, f.content]),
      rows.map((row) => [row.seq, String(row.id), row.content]),
    );
    for (const answer of answers) assert.equal(answer.message_id, String(rows.find((row) => row.client_id === answer.client_id)!.id));
    assert.equal(answers.length, unacknowledged.length, 'one answer per retry');
    t.diagnostic(
      `sent 370, acknowledged before the crash ${acknowledged.size}, stored at the crash ${storedAtDeath}, retried ${unacknowledged.length}, ` +
        `stored ${rows.length}, delivered to the mentor ${delivered.length}, lost 0, duplicated 0; ` +
        `stored→mentor at most ${sinceStored(100, 300)} ms for the 200 acknowledged and never published, ` +
        `${sinceStored(300, storedAtDeath)} ms for those stored unacknowledged before the kill; ` +
        `the last acknowledged one at the mentor ${lastAcknowledged - killedAt} ms after the kill (negative: before it); ` +
        `all 370 at the mentor ${recoveredAt - killedAt} ms after the kill`,
    );
  });
});
