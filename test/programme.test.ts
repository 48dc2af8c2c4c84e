/**
 * The programme's view (PROTOCOL.md Part 9) over HTTP: the pair table with its at-risk reasons
 * from imported history with old timestamps, the CSV with inert cells, the weeks, who may read
 * them, and the at-risk job's webhooks — one event per change, also when two instances run it
 * at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PairHealthEntry } from '../src/protocol/programme.js';
import { WEBHOOK_STATUSES } from '../src/protocol/webhooks.js';
import type { TestServer } from './helpers/server.js';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent, createUser, loginAdmin, match } from './helpers/http.js';
import { Receiver, webhookEnv } from './helpers/receiver.js';
import { startServer } from './helpers/server.js';

const HOUR_MS = 3_600_000;
const enc = encodeURIComponent;

/** Imports messages of the pair, `senders` in order, the first `hoursAgo` hours ago and one a minute after another. */
async function history(server: TestServer, mentor: Agent, mentee: Agent, hoursAgo: number, senders: string, tag: string): Promise<void> {
  const start = Date.now() - hoursAgo * HOUR_MS;
  const outcomes = await server.tandem.store.messages.importHistory(
    [...senders].map((letter, i) => ({
      externalId: `${tag}-${i}`,
      senderEmail: letter === 'M' ? mentor.email : mentee.email,
      receiverEmail: letter === 'M' ? mentee.email : mentor.email,
      content: `message ${i}`,
      createdAt: new Date(start + i * 60_000),
      isRead: true,
    })),
  );
  assert.ok(outcomes.every((outcome) => outcome === 'created'));
}

/** Three pairs: one waiting 4 days for its mentor, one one-sided and reported, one just matched. */
async function programme(server: TestServer) {
  const admin = await loginAdmin(server.http);
  const waiting = {
    mentor: await createUser(admin, { role: 'MENTOR', first: 'Ada', last: 'Quiet' }),
    mentee: await createUser(admin, { role: 'MENTEE', first: 'Mia', last: 'Waits' }),
  };
  const lopsided = {
    mentor: await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Talks' }),
    mentee: await createUser(admin, { role: 'MENTEE', first: '=HYPERLINK(1)', last: 'Dana' }),
  };
  const fresh = {
    mentor: await createUser(admin, { role: 'MENTOR', first: 'Sam', last: 'New' }),
    mentee: await createUser(admin, { role: 'MENTEE', first: 'Lee', last: 'New' }),
  };
  for (const pair of [waiting, lopsided, fresh]) await match(admin, pair.mentor, pair.mentee);
  await history(server, waiting.mentor, waiting.mentee, 4 * 24, 'eMee', 'waiting');
  await history(server, lopsided.mentor, lopsided.mentee, 5, 'MMMMeMMMMMMMMMMMMMeM', 'lopsided');
  const [message] = (await lopsided.mentee.get(`/api/chat/${enc(lopsided.mentor.email)}/messages`)).body.messages;
  assert.equal(
    (await lopsided.mentee.post(`/api/chat/${enc(lopsided.mentor.email)}/messages/${message.message_id}/report`, { reason: 'too much' })).status,
    201,
  );
  return { admin, waiting, lopsided, fresh };
}

/** Every webhook event the store holds, in any state. */
async function everyEvent(server: TestServer) {
  const lists = await Promise.all(WEBHOOK_STATUSES.map((status) => server.tandem.store.outbox.list(status, 1000)));
  return lists.flat();
}

const emails = (pairs: PairHealthEntry[]) => pairs.map((pair) => pair.mentee.email);

describe('the programme view', () => {
  it('lists every pair with its counts and reasons, at-risk first, filtered, searched and paged; only admins read it', async (t) => {
    const server = await startServer(t);
    const { admin, waiting, lopsided, fresh } = await programme(server);

    const { pairs, next_cursor } = (await admin.get('/api/programme/pairs')).body as { pairs: PairHealthEntry[]; next_cursor: null };
    assert.deepEqual(emails(pairs), [lopsided.mentee.email, waiting.mentee.email, fresh.mentee.email], 'most reasons first, then the longest silence');
    assert.equal(next_cursor, null);
    const [first, second, third] = pairs as [PairHealthEntry, PairHealthEntry, PairHealthEntry];
    assert.deepEqual(first.at_risk, ['one_sided', 'reported']);
    assert.deepEqual(
      [first.messages_7d, first.messages_28d],
      [
        { mentor: 18, mentee: 2 },
        { mentor: 18, mentee: 2 },
      ],
    );
    assert.equal(first.open_reports, 1);
    // The mentee answered after 4 and 13 minutes, the mentor twice after 1.
    assert.deepEqual(first.median_reply_minutes_28d, { mentor: 1, mentee: 8.5 });
    assert.equal(first.weekly_messages.length, 12);
    assert.equal(
      first.weekly_messages.reduce((a, b) => a + b, 0),
      20,
    );
    assert.deepEqual(second.at_risk, ['unanswered']);
    assert.equal(second.waiting_reply?.from, waiting.mentee.email);
    assert.equal(Date.parse(second.waiting_reply!.since), Date.parse(second.last_message_at!) - 60_000, 'the run began at the first of the last two');
    assert.deepEqual(second.messages_7d, { mentor: 1, mentee: 3 });
    assert.deepEqual([third.at_risk, third.last_message_at, third.waiting_reply, third.messages_28d], [[], null, null, { mentor: 0, mentee: 0 }]);

    assert.deepEqual(emails((await admin.get('/api/programme/pairs?at_risk=true')).body.pairs), [lopsided.mentee.email, waiting.mentee.email]);
    assert.deepEqual(emails((await admin.get('/api/programme/pairs?q=mia%20waits')).body.pairs), [waiting.mentee.email]);
    assert.deepEqual(emails((await admin.get('/api/programme/pairs?sort=mentor')).body.pairs), [
      waiting.mentee.email,
      fresh.mentee.email,
      lopsided.mentee.email,
    ]);
    const page = (await admin.get('/api/programme/pairs?limit=2')).body;
    assert.deepEqual([emails(page.pairs), page.next_cursor], [[lopsided.mentee.email, waiting.mentee.email], '2']);
    assert.deepEqual(emails((await admin.get(`/api/programme/pairs?limit=2&cursor=${page.next_cursor}`)).body.pairs), [fresh.mentee.email]);

    for (const path of ['/api/programme/pairs', '/api/programme/pairs.csv', '/api/programme/activity']) {
      assert.equal((await waiting.mentor.get(path)).status, 403, `${path}: a mentor may not`);
      assert.equal((await new Agent(server.http).get(path)).status, 401, `${path}: nor anyone signed out`);
    }
    assert.equal((await admin.get('/api/programme/pairs?sort=loudest')).status, 400);
    assert.equal((await admin.get('/api/programme/pairs?limit=201')).status, 400);
  });

  it('exports the table as CSV whose formula-like cells are inert, and counts the weeks', async (t) => {
    const server = await startServer(t);
    const { admin, lopsided } = await programme(server);
    const reply = await admin.request('GET', '/api/programme/pairs.csv');
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (reply.body as string).split('\r\n');
    assert.equal(lines.length, 5, 'a header, three pairs, and the last line end');
    assert.ok(lines[0]!.startsWith('pair_id,mentor_email,mentor_name,mentee_email,mentee_name,'));
    const row = lines.find((line) => line.includes(lopsided.mentee.email))!;
    assert.ok(row.includes(",'=HYPERLINK(1) Dana,"), `the name is text: ${row}`);
    assert.ok(row.endsWith(',one_sided reported'));

    const weeks = (await admin.get('/api/programme/activity?weeks=3')).body.weeks;
    assert.equal(weeks.length, 3);
    assert.match(weeks[2].week, /^\d{4}-W\d{2}$/);
    const total = weeks.reduce((sum: number, week: { messages: number }) => sum + week.messages, 0);
    assert.equal(total, 24, 'the 4 and the 20 messages, all within the last 8 days');
    assert.equal(weeks[2].new_matches, 3);
    assert.equal((await admin.get('/api/programme/activity?weeks=105')).status, 400);
  });

  it('after an erasure the erased user’s pair leaves the table and the others keep their counts', async (t) => {
    const server = await startServer(t);
    const { admin, waiting, lopsided } = await programme(server);
    const before = (await admin.get('/api/programme/pairs')).body.pairs as PairHealthEntry[];
    assert.equal((await admin.delete(`/api/users/${enc(waiting.mentee.email)}`)).status, 204);
    const after = (await admin.get('/api/programme/pairs')).body.pairs as PairHealthEntry[];
    assert.deepEqual(
      emails(after),
      emails(before).filter((email) => email !== waiting.mentee.email),
    );
    const counts = (pairs: PairHealthEntry[]) => pairs.find((pair) => pair.mentee.email === lopsided.mentee.email);
    assert.deepEqual(counts(after), counts(before), 'another pair is untouched');
    const weeks = (await admin.get('/api/programme/activity?weeks=3')).body.weeks as { messages: number }[];
    assert.equal(
      weeks.reduce((sum, week) => sum + week.messages, 0),
      24,
      'what was written still counts in the weeks: emptied, not unwritten',
    );
  });

  it('sends pair.at_risk once per change and pair.recovered when the pair recovers', async (t) => {
    const receiver = await Receiver.start(t);
    const server = await startServer(t, webhookEnv(receiver));
    const { waiting, lopsided } = await programme(server);
    const applied = await server.tandem.atRisk.runOnce();
    assert.equal(applied.length, 2);
    assert.deepEqual(await server.tandem.atRisk.runOnce(), [], 'nothing changed since');
    await receiver.until(() => receiver.of('pair.at_risk').length === 2);
    const reasonsOf = (email: string) =>
      receiver.of('pair.at_risk').find((request) => 'mentee' in request.body.data && request.body.data.mentee.email === email);
    assert.deepEqual(reasonsOf(waiting.mentee.email)?.body.data, {
      mentor: { email: waiting.mentor.email, first_name: 'Ada', last_name: 'Quiet', role: 'MENTOR' },
      mentee: { email: waiting.mentee.email, first_name: 'Mia', last_name: 'Waits', role: 'MENTEE' },
      reasons: ['unanswered'],
    });
    assert.deepEqual((reasonsOf(lopsided.mentee.email)?.body.data as { reasons: string[] }).reasons, ['one_sided', 'reported']);

    // The mentor answers: no longer waiting.
    await history(server, waiting.mentor, waiting.mentee, 0, 'M', 'answer');
    const recovered = await server.tandem.atRisk.runOnce();
    assert.deepEqual(
      recovered.map((change) => [change.from, change.to]),
      [['unanswered', null]],
    );
    await receiver.until(() => receiver.of('pair.recovered').length === 1);
    // Every event written, whatever became of its delivery: one per change.
    const events = await everyEvent(server);
    assert.deepEqual(
      events
        .filter((event) => event.type.startsWith('pair.'))
        .map((event) => event.type)
        .sort(),
      ['pair.at_risk', 'pair.at_risk', 'pair.recovered'],
    );
  });

  withBackends('the programme view on two instances', { postgres: true, redis: true }, () => {
    it('of two instances checking at once, one sends each change', async (t) => {
      const receiver = await Receiver.start(t);
      const [one, two] = await startInstances(t, 2, webhookEnv(receiver));
      await programme(one!);
      const [a, b] = await Promise.all([one!.tandem.atRisk.runOnce(), two!.tandem.atRisk.runOnce()]);
      assert.equal(a.length + b.length, 2, 'each of the two changes applied by one instance');
      await receiver.until(() => receiver.of('pair.at_risk').length >= 2);
      const stored = await everyEvent(one!);
      assert.equal(stored.filter((event) => event.type === 'pair.at_risk').length, 2, 'two events were written, not four');
    });
  });
});
