/** The Store contract's matches (store/matches.ts): matching, capacity, ending, pausing, finding pairs; run from storeContract. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rejectsWith, seed, send, user, withStore, type Body, type StoreFactory } from './harness.js';

export function matchesContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: matches`, () => {
    test('matches a mentee with a mentor', async (store) => {
      const mentor = await user(store, 'mentor@example.test', 'MENTOR');
      const mentee = await user(store, 'mentee@example.test', 'MENTEE');
      const match = await store.matches.create(mentor.email, mentee.email);
      assert.deepEqual(match.mentor, mentor);
      assert.deepEqual(match.mentee, mentee);
      assert.ok(match.matchedAt instanceof Date);
      assert.deepEqual(await store.matches.pairById(match.pairId), {
        id: match.pairId,
        mentorId: mentor.id,
        menteeId: mentee.id,
        active: true,
        lastSeq: 0,
        paused: false,
        endedAt: null,
      });
      assert.equal(await store.matches.pairById(match.pairId + 1000), null);
    });

    test('refuses matches with unknown users, wrong roles or an already matched mentee', async (store) => {
      const { mentor, mentee, loner, other, admin } = await seed(store);
      await rejectsWith(store.matches.create('ghost@example.test', loner.email), 'user_not_found');
      await rejectsWith(store.matches.create(mentor.email, 'ghost@example.test'), 'user_not_found');
      await rejectsWith(store.matches.create(loner.email, mentor.email), 'wrong_role');
      await rejectsWith(store.matches.create(admin.email, loner.email), 'wrong_role');
      await rejectsWith(store.matches.create(mentor.email, admin.email), 'wrong_role');
      await rejectsWith(store.matches.create(mentor.email, other.email), 'wrong_role');
      await rejectsWith(store.matches.create(other.email, mentee.email), 'already_matched');
      await rejectsWith(store.matches.create(mentor.email, mentee.email), 'already_matched');
      assert.equal((await store.matches.list()).length, 1);
    });

    test('admits one active mentor per mentee under concurrent matches', async (store, reopen) => {
      const { mentor, mentee, loner, other } = await seed(store);
      const second = reopen ? await reopen() : store;
      const race = await Promise.allSettled([store.matches.create(mentor.email, loner.email), second.matches.create(other.email, loner.email)]);
      assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const refused = race.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      await rejectsWith(Promise.reject(refused.reason), 'already_matched');
      await store.matches.end(mentee.email);
      const rematch = await Promise.allSettled([store.matches.create(mentor.email, mentee.email), second.matches.create(mentor.email, mentee.email)]);
      assert.deepEqual(rematch.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal((await store.matches.list()).length, 2);
    });

    test('lets a mentor have several mentees', async (store) => {
      const { mentor, loner, pairId } = await seed(store);
      const second = await store.matches.create(mentor.email, loner.email);
      assert.notEqual(second.pairId, pairId);
      assert.deepEqual(
        (await store.matches.list(mentor.id)).map((m) => m.pairId),
        [pairId, second.pairId],
      );
    });

    test('ends a match once', async (store) => {
      const { mentor, mentee, loner, pairId } = await seed(store);
      const ended = await store.matches.end(mentee.email);
      assert.equal(ended?.pairId, pairId);
      assert.deepEqual(ended?.mentor, mentor);
      assert.deepEqual(ended?.mentee, mentee);
      assert.equal(await store.matches.end(mentee.email), null);
      assert.equal(await store.matches.end(loner.email), null);
      assert.equal(await store.matches.end('ghost@example.test'), null);
      assert.equal((await store.matches.pairById(pairId))?.active, false);
      assert.deepEqual(await store.matches.list(), []);
    });

    test('lists active matches, all or per user', async (store) => {
      const { mentor, mentee, loner, other, admin, pairId } = await seed(store);
      const third = await user(store, 'third@example.test', 'MENTEE');
      const second = await store.matches.create(other.email, loner.email);
      await store.matches.create(other.email, third.email);
      await store.matches.end(third.email);
      const all = await store.matches.list();
      assert.deepEqual(
        all.map((m) => [m.pairId, m.mentor.email, m.mentee.email]),
        [
          [pairId, mentor.email, mentee.email],
          [second.pairId, other.email, loner.email],
        ],
      );
      assert.deepEqual(
        (await store.matches.list(mentee.id)).map((m) => m.pairId),
        [pairId],
      );
      assert.deepEqual(
        (await store.matches.list(other.id)).map((m) => m.pairId),
        [second.pairId],
      );
      assert.deepEqual(await store.matches.list(third.id), []);
      assert.deepEqual(await store.matches.list(admin.id), []);
    });

    test('finds the active pair with a counterpart only', async (store) => {
      const { mentor, mentee, loner, other, admin, pairId } = await seed(store);
      const fromMentee = await store.matches.activePairWith(mentee, mentor.email);
      assert.equal(fromMentee?.pair.id, pairId);
      assert.deepEqual(fromMentee?.partner, mentor);
      const fromMentor = await store.matches.activePairWith(mentor, mentee.email);
      assert.deepEqual(fromMentor, {
        pair: { id: pairId, mentorId: mentor.id, menteeId: mentee.id, active: true, lastSeq: 0, paused: false, endedAt: null },
        partner: mentee,
      });
      assert.equal(await store.matches.activePairWith(mentee, loner.email), null);
      assert.equal(await store.matches.activePairWith(mentor, other.email), null);
      assert.equal(await store.matches.activePairWith(mentee, other.email), null);
      assert.equal(await store.matches.activePairWith(mentee, 'ghost@example.test'), null);
      assert.equal(await store.matches.activePairWith(admin, mentee.email), null);
      assert.equal(await store.matches.activePairWith(mentee, admin.email), null);
      await store.matches.end(mentee.email);
      assert.equal(await store.matches.activePairWith(mentee, mentor.email), null);
      assert.equal(await store.matches.activePairWith(mentor, mentee.email), null);
    });

    test('pauses a pair: new messages refused with match_paused, a stored retry gets its original, resume and rematch clear it', async (store) => {
      const { mentor, mentee, loner, pairId } = await seed(store);
      const kept = (await send(store, pairId, mentee, 'before', 'k1')).message;
      const paused = await store.matches.setPaused(mentee.email, true);
      assert.deepEqual([paused?.pairId, paused?.paused, paused?.mentor.email], [pairId, true, mentor.email]);
      assert.equal((await store.matches.pairById(pairId))?.paused, true);
      assert.equal((await store.matches.list())[0]?.paused, true);
      await rejectsWith(send(store, pairId, mentor, 'during'), 'match_paused');
      await rejectsWith(send(store, pairId, mentee, 'during', 'k2'), 'match_paused');
      assert.deepEqual(await send(store, pairId, mentee, 'before', 'k1'), { message: kept, created: false });
      assert.equal((await store.messages.markRead(pairId, mentor.id)).count, 1, 'a paused pair still reads');
      assert.equal(await store.matches.setPaused(loner.email, true), null, 'no active match');
      assert.equal((await store.matches.setPaused(mentee.email, false))?.paused, false);
      assert.equal((await send(store, pairId, mentor, 'after')).message.seq, 2);
      await store.matches.setPaused(mentee.email, true);
      await store.matches.end(mentee.email);
      assert.equal(await store.matches.setPaused(mentee.email, false), null);
      assert.equal((await store.matches.create(mentor.email, mentee.email)).paused, false, 'a rematch starts unpaused');
      assert.equal((await send(store, pairId, mentee, 'rematched')).message.seq, 3);
    });

    test('keeps an ended pair readable: pairWith finds it, conversations list it as archived after the active ones', async (store) => {
      const { mentor, mentee, loner, pairId } = await seed(store);
      await send(store, pairId, mentor, 'hello');
      const beforeEnd = new Date(Date.now() - 1000);
      await store.matches.end(mentee.email);
      const found = await store.matches.pairWith(mentee, mentor.email);
      assert.equal(found?.pair.active, false);
      assert.ok(found?.pair.endedAt instanceof Date && found.pair.endedAt >= beforeEnd);
      assert.equal(await store.matches.activePairWith(mentee, mentor.email), null);
      assert.equal(await store.matches.pairWith(loner, mentor.email), null);
      assert.equal(await store.matches.pairWith(mentee, loner.email), null, 'not the counterpart role');
      assert.deepEqual(await store.messages.conversations(mentee.id), []);
      const second = await store.matches.create(mentor.email, loner.email);
      const archived = await store.messages.conversations(mentor.id, { endedSince: beforeEnd });
      assert.deepEqual(
        archived.map((c) => [c.pairId, c.archived, c.lastMessage?.content ?? null]),
        [
          [second.pairId, false, null],
          [pairId, true, 'hello'],
        ],
      );
      assert.deepEqual(
        (await store.messages.conversations(mentee.id, { endedSince: beforeEnd })).map((c) => [c.partner.email, c.unreadCount, c.archived]),
        [[mentor.email, 1, true]],
      );
      assert.deepEqual(await store.messages.conversations(mentee.id, { endedSince: new Date(Date.now() + 60_000) }), [], 'ended before the cutoff');
    });

    test('refuses a match past the mentor capacity, also under concurrent matches', async (store, reopen) => {
      const { mentor, mentee, loner, other } = await seed(store);
      const more = await Promise.all(['m3', 'm4', 'm5'].map((name) => user(store, `${name}@example.test`, 'MENTEE')));
      await store.matches.create(mentor.email, loner.email, { mentorCapacity: 2 });
      await rejectsWith(store.matches.create(mentor.email, more[0]!.email, { mentorCapacity: 2 }), 'mentor_at_capacity');
      await rejectsWith(store.matches.create(other.email, mentee.email, { mentorCapacity: 2 }), 'already_matched');
      await rejectsWith(store.matches.create(mentor.email, mentee.email, { mentorCapacity: 2 }), 'already_matched');
      await store.matches.create(mentor.email, more[0]!.email, { mentorCapacity: null });
      await store.matches.end(loner.email);
      await store.matches.end(more[0]!.email);
      const second = reopen ? await reopen() : store;
      const race = await Promise.allSettled([
        store.matches.create(mentor.email, more[1]!.email, { mentorCapacity: 2 }),
        second.matches.create(mentor.email, more[2]!.email, { mentorCapacity: 2 }),
      ]);
      assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      await rejectsWith(Promise.reject(race.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason), 'mentor_at_capacity');
      assert.equal((await store.matches.list(mentor.id)).length, 2);
    });
  });
}
