/**
 * The Store contract's programme part, run against every engine: the counts kept as messages
 * are stored (per side, per day, the last 20 senders, the waiting run and the answers), the
 * programme's weeks, and at-risk changes applied once however many instances decide them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store, User } from '../../src/store/index.js';
import { seed, send, withStore, type Body, type StoreFactory } from './harness.js';

const DAY_MS = 86_400_000;
const dayOf = (date: Date) => Math.floor(date.getTime() / DAY_MS);

/** Imports `senders`' messages into the pair, one a minute from `start`. */
async function history(store: Store, mentor: User, mentee: User, start: Date, senders: readonly ('mentor' | 'mentee')[], tag: string): Promise<void> {
  const results = await store.messages.importHistory(
    senders.map((side, i) => ({
      externalId: `${tag}-${i}`,
      senderEmail: side === 'mentor' ? mentor.email : mentee.email,
      receiverEmail: side === 'mentor' ? mentee.email : mentor.email,
      content: `message ${i}`,
      createdAt: new Date(start.getTime() + i * 60_000),
      isRead: true,
    })),
  );
  assert.deepEqual(
    results,
    senders.map(() => 'created'),
  );
}

export function programmeContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name} programme`, () => {
    test('keeps each side’s messages, the newest side, when its unanswered run began, and one answer per turn', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const start = new Date(Date.UTC(2026, 0, 5, 10, 0));
      // mentee, mentee, mentor (answers 2 min after the run began), mentor, mentee (answers 2 min after the mentor's run began), mentee
      await history(store, mentor, mentee, start, ['mentee', 'mentee', 'mentor', 'mentor', 'mentee', 'mentee'], 'turns');
      const [counts] = await store.programme.pairCounts();
      assert.equal(counts?.pairId, pairId);
      assert.equal(counts?.lastSide, 'mentee');
      assert.equal(counts?.lastMessageAt?.getTime(), start.getTime() + 5 * 60_000);
      assert.equal(counts?.runStartedAt?.getTime(), start.getTime() + 4 * 60_000, 'the run began at the first of the two last mentee messages');
      assert.deepEqual([counts?.recentCount, counts?.recentMentor], [6, 2]);
      const replies = await store.programme.replies([pairId], new Date(start.getTime() - DAY_MS));
      assert.deepEqual(
        replies.map((reply) => [reply.side, reply.minutes]),
        [
          ['mentor', 2],
          ['mentee', 2],
        ],
      );
      assert.deepEqual(await store.programme.replies([pairId], new Date(start.getTime() + 3 * 60_000)), [{ pairId, side: 'mentee', minutes: 2 }]);
      assert.deepEqual(await store.programme.days([pairId], dayOf(start)), [{ pairId, day: dayOf(start), mentor: 2, mentee: 4 }]);
      assert.deepEqual(await store.programme.days([pairId], dayOf(start) + 1), []);
    });

    test('counts the last 20 senders only, and messages stored live as well as imported', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const start = new Date(Date.now() - 10 * DAY_MS);
      // 10 mentor messages, then 15 of the mentee: of the last 20, 5 are the mentor's.
      await history(store, mentor, mentee, start, [...Array(10).fill('mentor'), ...Array(15).fill('mentee')], 'window');
      let [counts] = await store.programme.pairCounts();
      assert.deepEqual([counts?.recentCount, counts?.recentMentor], [20, 5]);
      await send(store, pairId, mentor, 'live');
      [counts] = await store.programme.pairCounts();
      // The window moves: the oldest of the 20 (a mentor's) leaves, the new mentor's enters.
      assert.deepEqual([counts?.recentCount, counts?.recentMentor, counts?.lastSide], [20, 5, 'mentor']);
      const days = await store.programme.days([pairId], 0);
      assert.equal(
        days.reduce((sum, day) => sum + day.mentor + day.mentee, 0),
        26,
      );
      assert.equal(days.at(-1)?.day, dayOf(new Date()), 'the live message counts on today');
    });

    test('lists active and paused pairs with open reports and held messages, never ended ones', async (store) => {
      const { mentor, mentee, admin, pairId } = await seed(store);
      const { message } = await send(store, pairId, mentee, 'hello');
      await store.reports.create(message.id, mentor.id, 'rude');
      await store.moderation.hold({ pairId, senderId: mentee.id, content: 'call 07911 123456', rule: 'phone', matched: '07911 123456' });
      await store.matches.setPaused(mentee.email, true);
      const [counts] = await store.programme.pairCounts();
      assert.deepEqual([counts?.paused, counts?.openReports, counts?.heldWaiting, counts?.mentorId, counts?.menteeId], [true, 1, 1, mentor.id, mentee.id]);
      assert.deepEqual([counts?.mentor, counts?.mentee], [mentor, mentee], 'the two people, as the accounts part has them');
      await store.matches.end(mentee.email, { actor: admin.email });
      assert.deepEqual(await store.programme.pairCounts(), []);
    });

    test('adds up weeks: messages, pairs that wrote, new and ended matches', async (store) => {
      const { mentor, mentee } = await seed(store);
      const monday = new Date(Date.UTC(2026, 0, 5)); // a Monday
      await history(store, mentor, mentee, monday, ['mentee', 'mentor'], 'w1');
      await history(store, mentor, mentee, new Date(monday.getTime() + 8 * DAY_MS), ['mentee'], 'w2');
      const weeks = await store.programme.weeks(dayOf(monday));
      const first = weeks.find((week) => week.monday === dayOf(monday));
      const second = weeks.find((week) => week.monday === dayOf(monday) + 7);
      assert.deepEqual(first, { monday: dayOf(monday), messages: 2, activePairs: 1, newMatches: 0, endedMatches: 0 });
      assert.deepEqual(second, { monday: dayOf(monday) + 7, messages: 1, activePairs: 1, newMatches: 0, endedMatches: 0 });
      const thisWeek = weeks.at(-1)!;
      assert.equal(thisWeek.newMatches, 1, 'the match made today counts in this week');
      assert.ok(thisWeek.monday <= dayOf(new Date()) && dayOf(new Date()) < thisWeek.monday + 7);
    });

    test('applies an at-risk change only from the state it was read in, and writes its event once', async (store, reopen) => {
      const { pairId } = await seed(store);
      const now = new Date();
      const raise = { pairId, from: null, to: 'silent' };
      const second = reopen ? await reopen() : store;
      const [one, two] = await Promise.all([store.programme.recordAlerts([raise], now), second.programme.recordAlerts([raise], now)]);
      assert.equal(one.length + two.length, 1, 'one of two instances applied it');
      assert.deepEqual(
        (await store.programme.alerts()).map((alert) => [alert.pairId, alert.reasons]),
        [[pairId, 'silent']],
      );
      assert.deepEqual(await store.programme.recordAlerts([{ pairId, from: 'reported', to: 'silent,reported' }], now), [], 'a stale change is not applied');
      assert.equal((await store.programme.recordAlerts([{ pairId, from: 'silent', to: 'silent,reported' }], now)).length, 1);
      assert.equal((await store.programme.recordAlerts([{ pairId, from: 'silent,reported', to: null }], now)).length, 1);
      assert.deepEqual(await store.programme.alerts(), []);
      const events = (await store.outbox.list('pending', 100)).filter((event) => event.type.startsWith('pair.'));
      assert.deepEqual(events.map((event) => [event.type, event.detail?.reasons]).reverse(), [
        ['pair.at_risk', ['silent']],
        ['pair.at_risk', ['silent', 'reported']],
        ['pair.recovered', []],
      ]);
    });

    test('keeps announcements and lists them per audience, oldest first, after an id', async (store) => {
      const all = await store.announcements.create('Welcome back', 'all');
      const mentors = await store.announcements.create('Mentor training on Monday', 'mentors');
      const mentees = await store.announcements.create('Mentee survey', 'mentees');
      assert.deepEqual([all.audience, all.content, mentors.id > all.id, mentees.id > mentors.id], ['all', 'Welcome back', true, true]);
      const ids = (list: { id: number }[]) => list.map((entry) => entry.id);
      assert.deepEqual(ids(await store.announcements.list(['all', 'mentors'], 0, 10)), [all.id, mentors.id]);
      assert.deepEqual(ids(await store.announcements.list(['all', 'mentees'], all.id, 10)), [mentees.id]);
      assert.deepEqual(ids(await store.announcements.list(['all', 'mentors', 'mentees'], 0, 2)), [all.id, mentors.id]);
      assert.ok(Math.abs(all.createdAt.getTime() - Date.now()) < 60_000, 'stamped now');
    });
  });
}
