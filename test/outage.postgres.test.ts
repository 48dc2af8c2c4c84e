/**
 * PostgreSQL failing under Tandem: stopped abruptly (`pg_ctl stop -m immediate`) or hung
 * (every server process SIGSTOP'd, so connections stay open and nothing answers). A sender
 * hears `unavailable` with its client_id instead of waiting, `/readyz` keeps answering and
 * names the store, an instance under load survives repeated crashes of its database, and
 * no acknowledged message is lost. Latencies are reported, never asserted.
 */
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import pg from 'pg';
import { ErrorText } from '../src/protocol/frames.js';
import { privatePostgres, withBackends, type PrivatePostgres } from './helpers/backends.js';
import { startChild } from './helpers/child.js';
import { loginAdmin, matchedPair } from './helpers/http.js';
import { startWithConnectedPair } from './helpers/pair.js';
import { connectChat, type Frame, type TestSocket } from './helpers/socket.js';
import { readiness, until } from './helpers/wait.js';
import { UNLIMITED } from './suites/chat.js';

/** Waits for a queued frame of `socket` matching `predicate` and takes it off the queue. */
async function frameMatching(socket: TestSocket, what: string, predicate: (frame: Frame) => boolean): Promise<Frame> {
  let found: Frame | undefined;
  await until(
    what,
    () => {
      const index = socket.frames.findIndex(predicate);
      if (index >= 0) found = socket.frames.splice(index, 1)[0];
      return found !== undefined;
    },
    60_000,
  );
  return found!;
}

/** `GET /readyz`: its status, body and how long it took. */
async function timedReadiness(base: string): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const reply = await fetch(`${base}/readyz`);
  return { status: reply.status, body: await reply.json(), ms: Math.round(performance.now() - started) };
}

const faults: Array<{ name: string; fail: (cluster: PrivatePostgres) => Promise<void>; heal: (cluster: PrivatePostgres) => Promise<void> }> = [
  { name: 'stopped abruptly', fail: (cluster) => cluster.stop(), heal: (cluster) => cluster.start() },
  { name: 'hung (SIGSTOP)', fail: (cluster) => cluster.pause(), heal: (cluster) => cluster.resume() },
];

withBackends('PostgreSQL outages', { postgres: true }, () => {
  for (const fault of faults) {
    it(`answers unavailable with the client_id, and /readyz 503 naming the store, while PostgreSQL is ${fault.name}`, async (t: TestContext) => {
      const cluster = await privatePostgres();
      t.after(() => cluster.destroy());
      const { server, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { DATABASE_URL: cluster.url, STORE_TIMEOUT_MS: '1000' });
      menteeSocket.send({ type: 'chat_message', content: 'before', client_id: 'before' });
      assert.equal((await mentorSocket.expect('chat_message')).seq, 1);
      await menteeSocket.expect('chat_message');

      await fault.fail(cluster);
      const sent = performance.now();
      menteeSocket.send({ type: 'chat_message', content: 'during', client_id: 'during' });
      const refused = await frameMatching(menteeSocket, 'the refusal', (frame) => frame.type === 'error');
      t.diagnostic(`${fault.name}: chat_message refused after ${Math.round(performance.now() - sent)} ms (STORE_TIMEOUT_MS=1000)`);
      assert.deepEqual(refused, { type: 'error', message: ErrorText.unavailable, code: 'unavailable', client_id: 'during' });

      await readiness(server.http, 503);
      const ready = await timedReadiness(server.http);
      t.diagnostic(`${fault.name}: /readyz answered ${ready.status} in ${ready.ms} ms`);
      assert.deepEqual([ready.status, ready.body], [503, { status: 'unavailable', store: 'unavailable', layer: 'ok' }]);

      await fault.heal(cluster);
      const healed = performance.now();
      await readiness(server.http, 200);
      t.diagnostic(`${fault.name}: ready again ${Math.round(performance.now() - healed)} ms after the database was back`);
      await until(
        'the retried message to be stored',
        async () => {
          menteeSocket.send({ type: 'chat_message', content: 'during', client_id: 'during' });
          const frame = await frameMatching(menteeSocket, 'an answer to the retry', (f) => f.type === 'chat_message' || f.type === 'error');
          return frame.type === 'chat_message';
        },
        60_000,
      );
      const received = await frameMatching(mentorSocket, 'the message at the mentor', (frame) => frame.type === 'chat_message');
      assert.deepEqual([received.seq, received.content], [2, 'during']);
    });
  }

  it('survives repeated immediate stops of PostgreSQL under load and loses no acknowledged message', async (t) => {
    const cluster = await privatePostgres();
    t.after(() => cluster.destroy());
    const server = await startChild(t, { DATABASE_URL: cluster.url, STORE_TIMEOUT_MS: '2000', ...UNLIMITED });
    const admin = await loginAdmin(server.http);
    const { mentor, mentee } = await matchedPair(admin);

    // A careful client: a window of client_ids in flight; a refused one is sent again, and
    // after a reconnect every unacknowledged one is.
    const acked = new Map<string, Frame>();
    const inFlight = new Set<string>();
    let next = 0;
    let refusals = 0;
    let stopping = false;
    let socket: TestSocket | undefined;
    const send = (id: string) => socket?.send({ type: 'chat_message', content: `message ${id}`, client_id: id });
    const fill = () => {
      while (!stopping && inFlight.size < 20) {
        const id = `m${next++}`;
        inFlight.add(id);
        send(id);
      }
    };
    const connect = async () => {
      await until(
        'the mentee to connect',
        async () => {
          socket = await connectChat(server.ws, mentor.email, mentee.cookie).catch(() => undefined);
          return socket !== undefined;
        },
        60_000,
      );
      for (const id of inFlight) send(id);
      fill();
    };
    const pump = (async () => {
      await connect();
      while (!stopping || inFlight.size > 0) {
        const current = socket!;
        const frame = await Promise.race([current.next().catch(() => null), current.closed.then(() => 'closed' as const)]);
        if (frame === 'closed') {
          await connect();
        } else if (frame?.type === 'chat_message' && frame.client_id && inFlight.delete(frame.client_id)) {
          acked.set(frame.client_id, frame);
          fill();
        } else if (frame?.type === 'error') {
          assert.equal(frame.code, 'unavailable', JSON.stringify(frame));
          refusals++;
          const id = String(frame.client_id);
          setTimeout(() => inFlight.has(id) && send(id), 100);
        } else if (frame === null) {
          for (const id of inFlight) send(id); // nothing for a while: resend, retries are idempotent
        }
      }
    })();

    for (let round = 1; round <= 3; round++) {
      const before = acked.size;
      await until(`messages to be acknowledged before stop ${round}`, () => acked.size >= before + 50, 60_000);
      const refusedBefore = refusals;
      await cluster.stop();
      await readiness(server.http, 503);
      await until(`a refusal during stop ${round}`, () => refusals > refusedBefore, 60_000);
      assert.ok(server.running(), `the instance is alive after stop ${round}:\n${server.output()}`);
      await cluster.start();
      await readiness(server.http, 200);
    }
    const settled = acked.size;
    await until('messages to flow again', () => acked.size >= settled + 50, 60_000);
    stopping = true;
    await pump;
    socket?.ws.close();

    assert.ok(server.running(), server.output());
    assert.doesNotMatch(server.output(), /uncaught|TypeError|Cannot read properties/i);
    const direct = new pg.Client({ connectionString: cluster.url });
    await direct.connect();
    const { rows } = await direct.query<{ id: string; client_id: string; seq: string }>('SELECT id, client_id, seq FROM messages ORDER BY seq');
    await direct.end();
    const stored = new Map(rows.map((row) => [row.client_id, row]));
    for (const [clientId, echo] of acked) {
      assert.equal(stored.get(clientId)?.id, echo.message_id, `acknowledged ${clientId} is stored once, as echoed`);
    }
    assert.equal(stored.size, rows.length, 'no client_id stored twice');
    assert.deepEqual(
      rows.map((row) => Number(row.seq)),
      rows.map((_, i) => i + 1),
      'seq has no gap',
    );
    t.diagnostic(`${acked.size} messages acknowledged across 3 stops; ${refusals} refusals while PostgreSQL was down`);
  });
});
