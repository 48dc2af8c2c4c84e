/**
 * An acknowledged message reaches every connected partner even when its publish was lost for
 * good (docs/protocol.md, "Delivery guarantees"). A message written straight to the store plays one
 * that an instance stored and died before publishing: nothing was ever published for it.
 * A retry with its client_id publishes the stored original again; the periodic delivery
 * check finds it without any further message. The crash itself, with real processes, is in
 * delivery.crash.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { DeliveryCheck } from '../src/chat/delivery-check.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { connectedPair, startWithConnectedPair } from './helpers/pair.js';
import { startServer, type TestServer } from './helpers/server.js';
import { chatWith, connectChat, type TestSocket } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { metricsAuth } from './helpers/accounts.js';

const CHECK_OFF = { DELIVERY_CHECK_INTERVAL_MS: '0' };

/** Stores a message of `email` in its pair as an instance that then died would have: unpublished. */
async function storeUnpublished(server: TestServer, email: string, content: string, clientId: string) {
  const store = server.tandem.store;
  const sender = (await store.accounts.byEmail(email))!;
  const [match] = await store.matches.list(sender.id);
  return (await store.messages.append({ pairId: match!.pairId, senderId: sender.id, content, clientId })).message;
}

async function scrape(server: TestServer): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await (await fetch(`${server.http}/metrics`, { headers: metricsAuth })).text()).split('\n')) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}
const CHECKED = 'tandem_messages_delivered_total{path="check"}';
const QUERIES = 'tandem_store_duration_seconds_count{operation="messages.lastSeqs"}';
const READS = 'tandem_store_duration_seconds_count{operation="messages.after"}';

async function expectMessages(socket: TestSocket, seqs: number[]): Promise<void> {
  const got: number[] = [];
  for (const _ of seqs) got.push((await socket.expect('chat_message')).seq);
  assert.deepEqual(got, seqs);
}

/**
 * Makes `count` matched pairs straight in the store, runs one delivery check over them (one
 * query, counted), and reports what one `lastSeqs` of all of them takes.
 */
async function timeLastSeqs(t: TestContext, server: TestServer, count: number): Promise<void> {
  const store = server.tandem.store;
  const pairIds: number[] = [];
  for (let i = 0; i < count; i++) {
    const [mentor, mentee] = await Promise.all(
      ['MENTOR', 'MENTEE'].map((role) =>
        store.accounts.create({
          email: `${role.toLowerCase()}-${i}@rooms.test`,
          passwordHash: 'x',
          firstName: 'R',
          lastName: String(i),
          role: role as 'MENTOR',
        }),
      ),
    );
    const { pairId } = await store.matches.create(mentor!.email, mentee!.email);
    pairIds.push(pairId);
    // Every hundredth room has a message nobody was handed: the check must find exactly those.
    if (i % 100 === 0) await store.messages.append({ pairId, senderId: mentee!.id, content: `behind ${i}`, clientId: `b-${i}` });
  }
  // The check itself, over these rooms: one lastSeqs query (counted by the store's metrics) and
  // a catch-up of the rooms behind, each to its stored seq.
  const caughtUp: Array<[number, number]> = [];
  const rooms = pairIds.map((pairId) => ({ pairId, seenSeq: 0, catchUpTo: (seq: number) => caughtUp.push([pairId, seq]) }));
  const check = new DeliveryCheck({ store: store.messages, rooms: () => rooms, intervalMs: 0, graceMs: 0, onError: (error) => assert.fail(String(error)) });
  const before = await scrape(server);
  await check.tick();
  const after = await scrape(server);
  check.stop();
  assert.equal((after.get(QUERIES) ?? 0) - (before.get(QUERIES) ?? 0), 1, 'one lastSeqs query for all the rooms');
  assert.deepEqual(
    caughtUp,
    pairIds.filter((_, i) => i % 100 === 0).map((pairId) => [pairId, 1]),
  );
  const times: number[] = [];
  for (let run = 0; run < 21; run++) {
    const started = performance.now();
    assert.equal((await store.messages.lastSeqs(pairIds)).size, count);
    times.push(performance.now() - started);
  }
  times.sort((x, y) => x - y);
  t.diagnostic(
    `lastSeqs of ${count} rooms on ${server.tandem.config.database.kind}: median ${times[10]!.toFixed(2)} ms, max ${times[20]!.toFixed(2)} ms (21 runs)`,
  );
}

describe('delivery of messages whose publish was lost', () => {
  it('a retry of a stored, never published message reaches the partner (check off)', async (t) => {
    const { server, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, CHECK_OFF);
    const stored = await storeUnpublished(server, mentee.email, 'stored, then the instance died', 'lost-1');
    menteeSocket.send({ type: 'chat_message', content: 'stored, then the instance died', client_id: 'lost-1' });
    const original = await menteeSocket.expect('chat_message');
    assert.equal(original.message_id, String(stored.id));
    assert.deepEqual(await mentorSocket.expect('chat_message'), original);
    // The sender's own connection, which had the answer already, gets no second copy.
    menteeSocket.send({ type: 'chat_message', content: 'next', client_id: 'next-1' });
    assert.equal((await menteeSocket.expect('chat_message')).seq, 2);
    assert.equal((await mentorSocket.expect('chat_message')).seq, 2);
  });

  it('the check delivers what nobody published, to every connection, without a further message', async (t) => {
    const { server, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { DELIVERY_CHECK_INTERVAL_MS: '100' });
    const before = await scrape(server);
    const started = Date.now();
    for (let i = 1; i <= 3; i++) await storeUnpublished(server, mentee.email, `unpublished ${i}`, `u-${i}`);
    await expectMessages(mentorSocket, [1, 2, 3]);
    t.diagnostic(`3 unpublished messages reached the mentor after ${Date.now() - started} ms (check every 100 ms)`);
    await expectMessages(menteeSocket, [1, 2, 3]);
    const after = await scrape(server);
    assert.equal((after.get(CHECKED) ?? 0) - (before.get(CHECKED) ?? 0), 6, 'counted as delivered by the check, per connection');
    // Once each: the mentor's next frame is a later marker.
    menteeSocket.send({ type: 'chat_message', content: 'marker' });
    await mentorSocket.nothingBefore(chatWith('marker'));
  });

  it('an idle room costs one query per tick and no read per connection', async (t) => {
    const { server, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { DELIVERY_CHECK_INTERVAL_MS: '50' });
    menteeSocket.send({ type: 'chat_message', content: 'live', client_id: 'l-1' });
    await menteeSocket.expect('chat_message');
    await mentorSocket.expect('chat_message');
    const before = await scrape(server);
    let after = before;
    await until('five more ticks', async () => {
      after = await scrape(server);
      return (after.get(QUERIES) ?? 0) - (before.get(QUERIES) ?? 0) >= 5;
    });
    assert.equal((after.get(READS) ?? 0) - (before.get(READS) ?? 0), 0, 'no messages.after read');
    assert.equal((after.get(CHECKED) ?? 0) - (before.get(CHECKED) ?? 0), 0);
    // Nothing was sent meanwhile: a later marker is the next frame on both connections.
    mentorSocket.send({ type: 'chat_message', content: 'marker' });
    await Promise.all([menteeSocket, mentorSocket].map((socket) => socket.nothingBefore(chatWith('marker'))));
  });

  it('one check query covers 500 rooms: counted, and the rooms behind are caught up (its time is reported)', async (t) => {
    await timeLastSeqs(t, await startServer(t), 500);
  });

  it('refuses a DELIVERY_CHECK_INTERVAL_MS that is not a whole number of milliseconds up to an hour', () => {
    assert.equal(loadConfig({}).deliveryCheckIntervalMs, 1000);
    assert.equal(loadConfig({ DELIVERY_CHECK_INTERVAL_MS: '0' }).deliveryCheckIntervalMs, 0);
    for (const bad of ['-1', '1.5', 'soon', '3600001']) {
      assert.throws(
        () => loadConfig({ DELIVERY_CHECK_INTERVAL_MS: bad }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.deepEqual(error.problems, [`DELIVERY_CHECK_INTERVAL_MS must be an integer from 0 to 3600000, got "${bad}"`]);
          return true;
        },
      );
    }
  });
});

withBackends('delivery of messages whose publish was lost, across instances', { postgres: true, redis: true }, () => {
  it('a retry on another instance publishes the stored original to the partner (check off)', async (t) => {
    const [a, b] = (await startInstances(t, 2, CHECK_OFF)) as [TestServer, TestServer];
    const { mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(a, b);
    await storeUnpublished(a, mentee.email, 'stored by A, never published', 'lost-a');
    await menteeSocket.close();
    const onB = await connectChat(b.ws, mentor.email, mentee.cookie);
    onB.send({ type: 'chat_message', content: 'stored by A, never published', client_id: 'lost-a' });
    const original = await onB.expect('chat_message');
    const { frame, skipped } = await mentorSocket.until((frame) => frame.type === 'chat_message');
    assert.deepEqual(frame, original);
    assert.deepEqual(new Set(skipped.map((frame) => frame.type)), new Set(['presence']), 'the mentee went offline and came back');
  });

  it('one check query covers 500 rooms on PostgreSQL: counted, and the rooms behind are caught up (its time is reported)', async (t) => {
    const [server] = (await startInstances(t, 1)) as [TestServer];
    await timeLastSeqs(t, server, 500);
  });

  it('skips a tick while the previous query is still running: one query at a time', async (t) => {
    const [server] = (await startInstances(t, 1, { DELIVERY_CHECK_INTERVAL_MS: '20' })) as [TestServer];
    const { menteeSocket } = await connectedPair(server);
    menteeSocket.send({ type: 'chat_message', content: 'one', client_id: 'o-1' });
    await menteeSocket.expect('chat_message');
    const config = server.tandem.config.database;
    assert.equal(config.kind, 'postgres');
    const monitor = new pg.Client({ connectionString: config.url });
    await monitor.connect();
    // The database is dropped (WITH FORCE) before this client ends: that is no failure.
    monitor.on('error', () => {});
    t.after(() => monitor.end());
    const waiting = async () =>
      (
        await monitor.query<{ n: number; longest: number }>(`
      SELECT count(*)::int AS n, coalesce(max(extract(epoch FROM now() - query_start) * 1000), 0)::float AS longest
      FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT id, last_seq FROM pairs%' AND state = 'active'`)
      ).rows;
    const locker = new pg.Client({ connectionString: config.url });
    await locker.connect();
    // The database is dropped (WITH FORCE) before this client ends: that is no failure.
    locker.on('error', () => {});
    t.after(() => locker.end());
    await locker.query('BEGIN');
    // The check's SELECT waits behind this lock, far longer than its interval.
    await locker.query('LOCK TABLE pairs IN ACCESS EXCLUSIVE MODE');
    let seen = { n: 0, longest: 0 };
    await until('a check query to wait for 25 intervals', async () => {
      seen = (await waiting())[0]!;
      return seen.longest > 500;
    });
    assert.equal(seen.n, 1, 'ticks due meanwhile were skipped');
    await locker.query('ROLLBACK');
    await until('the waiting check query to finish', async () => (await waiting())[0]!.n === 0);
  });
});
