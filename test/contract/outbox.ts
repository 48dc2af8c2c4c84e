/**
 * The webhook outbox part of the Store contract: events written by their causes' own
 * transactions, claims with leases that never hand one event to two claimers, attempts,
 * and what operators list and retry. The factories open their stores with the outbox on and
 * reminders due at once (`unreadAfterMs: 0`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, Role, Store, WebhookEvent } from '../../src/store/index.js';
import { withStore, type Body, type StoreFactory } from './harness.js';

const LONG_LEASE = 60_000;

async function seed(store: Store) {
  const make = (email: string, role: Role) => store.accounts.create({ email, passwordHash: 'h', firstName: email.split('@')[0]!, lastName: 'Test', role });
  const mentor = await make('mentor@example.test', 'MENTOR');
  const mentee = await make('mentee@example.test', 'MENTEE');
  const { pairId } = await store.matches.create(mentor.email, mentee.email, { actor: 'admin@example.test' });
  return { mentor, mentee, pairId };
}

const kinds = (events: readonly WebhookEvent[]) => events.map((event) => event.type).sort();

export function outboxContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: webhook outbox`, () => {
    test('a match, messages and an unmatch write their events; a burst leaves one reminder per receiver', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      await Promise.all(['one', 'two', 'three'].map((content) => store.messages.append({ pairId, senderId: mentee.id, content })));
      await store.messages.append({ pairId, senderId: mentor.id, content: 'back' });
      await store.messages.append({ pairId, senderId: mentee.id, content: 'dup', clientId: 'c1' });
      await store.messages.append({ pairId, senderId: mentee.id, content: 'dup', clientId: 'c1' });
      await store.matches.end(mentee.email, { actor: 'mentor@example.test', reason: 'unmatched' });
      const events = await store.outbox.claim(100, LONG_LEASE);
      assert.deepEqual(kinds(events), ['match.created', 'match.ended', ...Array(5).fill('message.created'), 'message.unread', 'message.unread']);
      assert.deepEqual(
        events
          .filter((e) => e.type === 'message.unread')
          .map((e) => e.recipientId)
          .sort(),
        [mentor.id, mentee.id].sort(),
      );
      assert.deepEqual(events.find((e) => e.type === 'match.ended')!.detail, { actor: 'mentor@example.test', reason: 'unmatched' });
      assert.deepEqual(events.find((e) => e.type === 'match.created')!.detail, { actor: 'admin@example.test', reason: null });
      assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, 'every event has its own webhook-id');
      assert.ok(events.every((e) => /^evt_[0-9a-f]{32}$/.test(e.eventId)));
      assert.deepEqual(await store.outbox.claim(100, LONG_LEASE), [], 'leased events are not claimed again');
    });

    test('putMatch: a new match writes match.created; with replace, the ended one writes match.ended (replaced); an unchanged one nothing', async (store) => {
      const { mentee } = await seed(store);
      const other = await store.accounts.create({ email: 'other@example.test', passwordHash: 'h', firstName: 'O', lastName: 'T', role: 'MENTOR' });
      await store.outbox.claim(100, LONG_LEASE);
      await store.matches.put(mentee.email, other.email, { replace: true, actor: 'api:platform' });
      await store.matches.put(mentee.email, other.email, { replace: true, actor: 'api:platform' });
      const events = await store.outbox.claim(100, LONG_LEASE);
      assert.deepEqual(events.map((e) => [e.type, e.detail]).sort(), [
        ['match.created', { actor: 'api:platform', reason: null }],
        ['match.ended', { actor: 'api:platform', reason: 'replaced' }],
      ]);
    });

    test('a held message writes message.held (once, a retry nothing); its approval writes message.created and the reminder; a notice is not unread', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      await store.outbox.claim(100, LONG_LEASE);
      const input = { pairId, senderId: mentee.id, content: 'call 07911 123456', clientId: 'h-1', rule: 'phone', matched: '07911 123456' };
      const held = await store.moderation.hold(input);
      assert.ok('held' in held);
      await store.moderation.hold(input);
      const [event, ...more] = await store.outbox.claim(100, LONG_LEASE);
      assert.deepEqual(more, [], 'one event, and no message.created for a held message');
      assert.deepEqual([event!.type, event!.heldId, event!.messageId, event!.pairId], ['message.held', held.held.id, null, pairId]);
      const facts = (await store.outbox.facts([event!]))[0]!;
      assert.deepEqual([facts.held?.id, facts.held?.content, facts.held?.rule, facts.message], [held.held.id, 'call 07911 123456', 'phone', null]);
      const { message } = await store.moderation.approve(held.held.id, 'admin@example.test');
      const admin = await store.accounts.create({ email: 'admin@example.test', passwordHash: 'h', firstName: 'A', lastName: 'D', role: 'ADMIN' });
      await store.audit.addViewedNotice(pairId, admin.id, 'Admin');
      const events = await store.outbox.claim(100, LONG_LEASE);
      assert.deepEqual(events.map((e) => [e.type, e.messageId ?? e.recipientId]).sort(), [
        ['message.created', message.id],
        ['message.unread', mentor.id],
      ]);
      const unread = (await store.outbox.facts([events.find((e) => e.type === 'message.unread')!]))[0]!;
      assert.deepEqual([unread.unreadCount, unread.oldestUnread?.id], [1, message.id]);
    });

    test("a body built before an erasure of the pair's user is not saved after it (it would copy what was erased)", async (store) => {
      const { mentee, pairId } = await seed(store);
      const other = await store.accounts.create({ email: 'other@example.test', passwordHash: 'h', firstName: 'O', lastName: 'T', role: 'MENTOR' });
      const other2 = await store.accounts.create({ email: 'other2@example.test', passwordHash: 'h', firstName: 'P', lastName: 'T', role: 'MENTEE' });
      await store.matches.create(other.email, other2.email);
      await store.messages.append({ pairId, senderId: mentee.id, content: 'secret words' });
      const events = await store.outbox.claim(100, LONG_LEASE);
      const before = await store.outbox.facts(events);
      await store.dataRights.erase(mentee.id);
      const saved = await store.outbox.saveBodies(
        events.map((event, at) => ({ id: event.id, data: `{"copy":"secret words","pair":${event.pairId}}`, erased: before[at]!.erased })),
      );
      for (const event of events) {
        const row = (await store.outbox.byEventId(event.eventId))!;
        const erased = event.pairId === pairId;
        assert.equal(saved.has(event.id), !erased, `${event.type} of pair ${event.pairId}`);
        assert.equal(row.data === null, erased);
      }
      assert.ok(saved.size > 0, "the other pair's bodies are saved");
      // Built from what the erasure left (match.ended among them), a body is saved.
      const after = (await store.outbox.claim(100, 0)).filter((event) => event.pairId === pairId);
      const facts = await store.outbox.facts(after);
      assert.ok(after.some((event) => event.type === 'match.ended'));
      assert.ok(facts.every((fact) => fact.erased === 1 && fact.mentee.email.startsWith('deleted-')));
      const again = await store.outbox.saveBodies(after.map((event, at) => ({ id: event.id, data: '{"erased":true}', erased: facts[at]!.erased })));
      assert.deepEqual([...again].sort(), after.map((event) => event.id).sort());
    });

    test('a rejected held message writes nothing after its message.held', async (store) => {
      const { mentee, pairId } = await seed(store);
      await store.outbox.claim(100, LONG_LEASE);
      const held = await store.moderation.hold({
        pairId,
        senderId: mentee.id,
        content: 'www.example.com',
        clientId: null,
        rule: 'link',
        matched: 'www.example.com',
      });
      assert.ok('held' in held);
      await store.moderation.reject(held.held.id, 'admin@example.test', 'no links');
      assert.deepEqual(kinds(await store.outbox.claim(100, LONG_LEASE)), ['message.held']);
    });

    test('a report writes message.reported; its facts are the report and the reported message', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const { message } = await store.messages.append({ pairId, senderId: mentee.id, content: 'something unkind' });
      await store.outbox.claim(100, LONG_LEASE);
      const report = await store.reports.create(message.id, mentor.id, 'unkind');
      const [event, ...more] = await store.outbox.claim(100, LONG_LEASE);
      assert.deepEqual(more, []);
      assert.deepEqual([event!.type, event!.reportId, event!.pairId], ['message.reported', report.id, pairId]);
      const facts = (await store.outbox.facts([event!]))[0]!;
      assert.deepEqual(
        [facts.report?.report.id, facts.report?.report.reason, facts.report?.report.reporterId, facts.report?.message.id],
        [report.id, 'unkind', mentor.id, message.id],
      );
    });

    test('erasing a user empties the bodies saved for the events of their pairs, and theirs only', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const other = await store.accounts.create({ email: 'other@example.test', passwordHash: 'h', firstName: 'O', lastName: 'T', role: 'MENTEE' });
      const { pairId: otherPair } = await store.matches.create(mentor.email, other.email);
      await store.messages.append({ pairId, senderId: mentee.id, content: 'secret words' });
      await store.messages.append({ pairId: otherPair, senderId: other.id, content: 'kept words' });
      const events = await store.outbox.claim(100, LONG_LEASE);
      await store.outbox.saveBodies(events.map((event) => ({ id: event.id, data: `{"pair":${event.pairId}}`, erased: 0 })));
      await store.outbox.recordAttempts([{ id: events[0]!.id, attempt: { delivered: true } }]);
      await store.dataRights.erase(mentee.id);
      for (const event of events) {
        const row = (await store.outbox.byEventId(event.eventId))!;
        assert.equal(row.data, event.pairId === pairId ? null : `{"pair":${otherPair}}`, `${event.type} of pair ${event.pairId}`);
      }
    });

    test('erasing a user ends their matches with match.ended (account_deleted)', async (store) => {
      const { mentee, pairId } = await seed(store);
      await store.outbox.claim(100, LONG_LEASE);
      await store.dataRights.erase(mentee.id);
      assert.deepEqual(
        (await store.outbox.claim(100, LONG_LEASE)).map((e) => [e.type, e.pairId, e.detail]),
        [['match.ended', pairId, { actor: null, reason: 'account_deleted' }]],
      );
    });

    test('a refused append writes no event', async (store) => {
      const { mentee, pairId } = await seed(store);
      await store.matches.end(mentee.email);
      await assert.rejects(store.messages.append({ pairId, senderId: mentee.id, content: 'late' }));
      assert.deepEqual(kinds(await store.outbox.claim(100, LONG_LEASE)), ['match.created', 'match.ended']);
    });

    test("reading cancels the reader's reminder; the facts count what is unread", async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const first = await store.messages.append({ pairId, senderId: mentee.id, content: 'first' });
      await store.messages.append({ pairId, senderId: mentee.id, content: 'second' });
      await store.messages.append({ pairId, senderId: mentor.id, content: 'answer' });
      const reminders = (await store.outbox.claim(100, LONG_LEASE)).filter((e) => e.type === 'message.unread');
      const forMentor = reminders.find((e) => e.recipientId === mentor.id)!;
      const facts = (await store.outbox.facts([forMentor]))[0]!;
      assert.equal(facts.unreadCount, 2);
      assert.equal(facts.oldestUnread?.id, first.message.id);
      assert.deepEqual([facts.mentor.email, facts.mentee.email], [mentor.email, mentee.email]);
      await store.messages.markRead(pairId, mentor.id);
      const cancelled = await store.outbox.list('cancelled', 10);
      assert.deepEqual(
        cancelled.map((e) => e.id),
        [forMentor.id],
      );
      assert.equal((await store.outbox.byEventId(forMentor.eventId))?.status, 'cancelled');
      assert.equal((await store.outbox.facts([reminders.find((e) => e.recipientId === mentee.id)!]))[0]!.unreadCount, 1);
      // A new message after the read schedules a new reminder.
      await store.messages.append({ pairId, senderId: mentee.id, content: 'third' });
      assert.deepEqual((await store.outbox.claim(100, LONG_LEASE)).map((e) => [e.type, e.recipientId]).sort(), [
        ['message.created', null],
        ['message.unread', mentor.id],
      ]);
    });

    test('attempts: retried later, failed for good, retried by hand, delivered; the backlog', async (store) => {
      const { pairId, mentee } = await seed(store);
      await store.messages.append({ pairId, senderId: mentee.id, content: 'hi' });
      const [match] = (await store.outbox.claim(100, LONG_LEASE)).filter((e) => e.type === 'match.created');
      assert.deepEqual(await store.outbox.backlog().then((b) => b.pending), 3);
      await store.outbox.saveBodies([{ id: match!.id, data: '{"fixed":true}', erased: 0 }]);
      await store.outbox.recordAttempts([{ id: match!.id, attempt: { delivered: false, error: 'HTTP 500', retryInMs: LONG_LEASE } }]);
      let row = (await store.outbox.byEventId(match!.eventId))!;
      assert.deepEqual([row.status, row.attempts, row.lastError, row.data], ['pending', 1, 'HTTP 500', '{"fixed":true}']);
      assert.ok(row.dueAt.getTime() > Date.now() + LONG_LEASE / 2, 'due again later');
      await store.outbox.recordAttempts([{ id: match!.id, attempt: { delivered: false, error: 'ECONNREFUSED', retryInMs: null } }]);
      row = (await store.outbox.byEventId(match!.eventId))!;
      assert.deepEqual([row.status, row.attempts, row.lastError], ['failed', 2, 'ECONNREFUSED']);
      assert.deepEqual(
        (await store.outbox.list('failed', 10)).map((e) => e.eventId),
        [match!.eventId],
      );
      assert.equal(await store.outbox.retry('evt_00000000000000000000000000000000'), false);
      assert.equal(await store.outbox.retry(match!.eventId), true);
      assert.equal(await store.outbox.retry(match!.eventId), false, 'only a failed one is retried');
      const [again] = await store.outbox.claim(100, LONG_LEASE);
      assert.equal(again?.eventId, match!.eventId, 'due at once, with its body and count');
      assert.equal(again?.data, '{"fixed":true}');
      assert.ok(again!.windowStart.getTime() > match!.windowStart.getTime() - 1, 'a new retry period');
      await store.outbox.recordAttempts([{ id: match!.id, attempt: { delivered: true } }]);
      assert.deepEqual(
        (await store.outbox.list('delivered', 10)).map((e) => [e.eventId, e.attempts]),
        [[match!.eventId, 3]],
      );
      const backlog = await store.outbox.backlog();
      assert.equal(backlog.pending, 2);
      assert.ok(backlog.oldestCreatedAt instanceof Date);
      await store.outbox.saveBodies([{ id: again!.id, data: null, erased: 0 }]);
      assert.equal((await store.outbox.byEventId(match!.eventId))?.status, 'delivered', 'a finished event is not cancelled');
    });

    test('a round at once: the facts of many events in their order, their bodies in one call (null cancels), their outcomes in one call', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const other = await store.accounts.create({ email: 'other@example.test', passwordHash: 'h', firstName: 'O', lastName: 'T', role: 'MENTEE' });
      const { pairId: otherPair } = await store.matches.create(mentor.email, other.email);
      const sent: Message[] = [];
      for (let i = 0; i < 30; i++)
        sent.push((await store.messages.append({ pairId: i % 2 ? pairId : otherPair, senderId: i % 2 ? mentee.id : other.id, content: `m${i}` })).message);
      const held = await store.moderation.hold({
        pairId,
        senderId: mentee.id,
        content: 'jo@example.com',
        clientId: null,
        rule: 'email',
        matched: 'jo@example.com',
      });
      const report = await store.reports.create(sent[1]!.id, mentor.id, 'why');
      await store.messages.markRead(otherPair, mentor.id);
      const events = (await store.outbox.claim(100, LONG_LEASE)).filter((e) => e.type !== 'match.created');
      const facts = await store.outbox.facts(events);
      assert.equal(facts.length, events.length);
      events.forEach((event, at) => {
        const fact = facts[at]!;
        const [mentorOf, menteeOf] = event.pairId === pairId ? [mentor.id, mentee.id] : [mentor.id, other.id];
        assert.deepEqual([fact.mentor.id, fact.mentee.id], [mentorOf, menteeOf], `${event.type} ${event.id}: the pair's users`);
        if (event.type === 'message.created') assert.equal(fact.message?.id, event.messageId);
        if (event.type === 'message.held') assert.equal(fact.held?.id, 'held' in held ? held.held.id : -1);
        if (event.type === 'message.reported') assert.deepEqual([fact.report?.report.id, fact.report?.message.id], [report.id, sent[1]!.id]);
        if (event.type === 'message.unread' && event.pairId === pairId) assert.deepEqual([fact.unreadCount, fact.oldestUnread?.id], [15, sent[1]!.id]);
      });
      assert.deepEqual(
        events
          .map((e) => e.type)
          .filter((type) => type !== 'message.created')
          .sort(),
        ['message.held', 'message.reported', 'message.unread'],
      );
      assert.deepEqual(await store.outbox.facts([]), []);

      const [cancel, keep, ...rest] = events;
      await store.outbox.saveBodies([
        { id: cancel!.id, data: null, erased: 0 },
        { id: keep!.id, data: '{"kept":1}', erased: 0 },
        ...rest.map((e) => ({ id: e.id, data: `{"id":${e.id}}`, erased: 0 })),
      ]);
      assert.equal((await store.outbox.byEventId(cancel!.eventId))?.status, 'cancelled');
      assert.equal((await store.outbox.byEventId(keep!.eventId))?.data, '{"kept":1}');
      const [later, failed, ...delivered] = [keep!, ...rest];
      await store.outbox.recordAttempts([
        { id: cancel!.id, attempt: { delivered: true } },
        { id: later!.id, attempt: { delivered: false, error: 'HTTP 502', retryInMs: LONG_LEASE } },
        { id: failed!.id, attempt: { delivered: false, error: 'ECONNREFUSED', retryInMs: null } },
        ...delivered.map((e) => ({ id: e.id, attempt: { delivered: true } as const })),
      ]);
      const row = async (event: WebhookEvent) => (await store.outbox.byEventId(event.eventId))!;
      assert.deepEqual([(await row(cancel!)).status, (await row(cancel!)).attempts], ['cancelled', 0], 'a cancelled event is left alone');
      assert.deepEqual(await row(later!).then((r) => [r.status, r.attempts, r.lastError, r.finishedAt]), ['pending', 1, 'HTTP 502', null]);
      assert.ok((await row(later!)).dueAt.getTime() > Date.now() + LONG_LEASE / 2);
      assert.deepEqual(await row(failed!).then((r) => [r.status, r.attempts, r.lastError, r.finishedAt instanceof Date]), ['failed', 1, 'ECONNREFUSED', true]);
      for (const event of delivered) assert.deepEqual(await row(event).then((r) => [r.status, r.attempts, r.lastError]), ['delivered', 1, null]);
      await store.outbox.saveBodies([]);
      await store.outbox.recordAttempts([]);
      assert.deepEqual(await store.outbox.claim(100, LONG_LEASE), [], 'the one due later is not due, and its lease is over but it waits');
    });

    test('a lease that ran out is claimed again', async (store) => {
      await seed(store);
      // A lease of 0 ms has run out by the next claim, whatever the clock says.
      const [first] = await store.outbox.claim(1, 0);
      assert.ok(first, 'the seed made an event to claim');
      const [again] = await store.outbox.claim(1, LONG_LEASE);
      assert.equal(again?.id, first.id);
    });

    test('two stores claiming together never get the same event', async (store, reopen) => {
      assert.ok(reopen, 'both engines open a second store on the same data');
      const other = await reopen();
      const { pairId, mentee } = await seed(store);
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.messages.append({ pairId, senderId: mentee.id, content: `m${i}` })));
      const claimed: number[] = [];
      const claimAll = async (s: Store) => {
        for (;;) {
          const events = await s.outbox.claim(7, LONG_LEASE);
          if (events.length === 0) return;
          claimed.push(...events.map((e) => e.id));
        }
      };
      await Promise.all([claimAll(store), claimAll(other), claimAll(store), claimAll(other)]);
      assert.equal(claimed.length, 202, 'the match, 200 messages and one reminder');
      assert.equal(new Set(claimed).size, claimed.length, 'no event claimed twice');
    });
  });
}
