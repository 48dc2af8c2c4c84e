/**
 * The Store contract: one suite that every Store engine must pass, so that SQLite and
 * PostgreSQL behave the same behind the interface. Each test opens its own empty store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isAppError, type ErrorCode } from '../../src/errors.js';
import type { Message, Role, Store, User } from '../../src/store/index.js';
import { withStore, type Body, type StoreFactory } from './harness.js';
import { accountsContract } from './accounts.js';
import { wordListContract } from './word-list.js';
import { heldRetryContract } from './held-retry.js';
import { outboxContract } from './outbox.js';

export type { StoreFactory } from './harness.js';

export const rejectsWith = (promise: Promise<unknown>, code: ErrorCode) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected AppError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });

const user = (store: Store, email: string, role: Role) =>
  store.accounts.create({ email, passwordHash: `hash:${email}`, firstName: email.split('@')[0]!, lastName: 'Test', role });

/** A mentor, a mentee matched with them, an unmatched mentee, a second mentor and an admin. */
export async function seed(store: Store) {
  const mentor = await user(store, 'mentor@example.test', 'MENTOR');
  const mentee = await user(store, 'mentee@example.test', 'MENTEE');
  const loner = await user(store, 'loner@example.test', 'MENTEE');
  const other = await user(store, 'other@example.test', 'MENTOR');
  const admin = await user(store, 'admin@example.test', 'ADMIN');
  const match = await store.matches.create(mentor.email, mentee.email);
  return { mentor, mentee, loner, other, admin, pairId: match.pairId };
}

export const send = (store: Store, pairId: number, sender: User, content: string, clientId?: string) =>
  store.messages.append({ pairId, senderId: sender.id, content, clientId });

/** Asserts seqs 1..n without gap or duplicate, and ids growing with seq. */
export function assertContiguous(messages: readonly Message[], n: number): void {
  const bySeq = [...messages].sort((a, b) => a.seq - b.seq);
  assert.deepEqual(bySeq.map((m) => m.seq), Array.from({ length: n }, (_, i) => i + 1));
  for (let i = 1; i < bySeq.length; i++) assert.ok(bySeq[i]!.id > bySeq[i - 1]!.id, `id grows with seq at seq ${i + 1}`);
}

/** Registers the contract suite for the engine that `make` opens. */
export function storeContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(name, () => {
    test('creates users and finds them by email, with credentials for login', async (store) => {
      const created = await user(store, 'ada@example.test', 'MENTOR');
      assert.ok(Number.isInteger(created.id) && created.id > 0);
      assert.equal(created.email, 'ada@example.test');
      assert.equal(created.firstName, 'ada');
      assert.equal(created.role, 'MENTOR');
      assert.ok(created.createdAt instanceof Date && !Number.isNaN(created.createdAt.getTime()));
      assert.deepEqual(await store.accounts.byEmail('ada@example.test'), created);
      assert.deepEqual(await store.accounts.credentials('ada@example.test'), { user: created, passwordHash: 'hash:ada@example.test' });
      assert.equal(await store.accounts.byEmail('nobody@example.test'), null);
      assert.equal(await store.accounts.credentials('nobody@example.test'), null);
      await store.ping();
    });

    test('refuses a second user with the same email', async (store) => {
      await user(store, 'ada@example.test', 'MENTOR');
      await rejectsWith(user(store, 'ada@example.test', 'MENTEE'), 'email_taken');
    });

    test('finds the user of a live session only', async (store) => {
      const ada = await user(store, 'ada@example.test', 'MENTEE');
      const now = new Date();
      await store.sessions.create('live', ada.id, new Date(now.getTime() + 60_000));
      await store.sessions.create('expired', ada.id, new Date(now.getTime() - 1_000));
      assert.deepEqual(await store.sessions.userOf('live', now), ada);
      assert.equal(await store.sessions.userOf('live', new Date(now.getTime() + 120_000)), null);
      assert.equal(await store.sessions.userOf('expired', now), null);
      assert.equal(await store.sessions.userOf('unknown', now), null);
    });

    test('revokes a session once', async (store) => {
      const ada = await user(store, 'ada@example.test', 'MENTEE');
      await store.sessions.create('token', ada.id, new Date(Date.now() + 60_000));
      assert.equal(await store.sessions.revoke('token'), true);
      assert.equal(await store.sessions.userOf('token', new Date()), null);
      assert.equal(await store.sessions.revoke('token'), false);
      assert.equal(await store.sessions.revoke('unknown'), false);
    });

    test('matches a mentee with a mentor', async (store) => {
      const mentor = await user(store, 'mentor@example.test', 'MENTOR');
      const mentee = await user(store, 'mentee@example.test', 'MENTEE');
      const match = await store.matches.create(mentor.email, mentee.email);
      assert.deepEqual(match.mentor, mentor);
      assert.deepEqual(match.mentee, mentee);
      assert.ok(match.matchedAt instanceof Date);
      assert.deepEqual(await store.matches.pairById(match.pairId), { id: match.pairId, mentorId: mentor.id, menteeId: mentee.id, active: true, lastSeq: 0, paused: false, endedAt: null });
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
      assert.deepEqual((await store.matches.list(mentor.id)).map((m) => m.pairId), [pairId, second.pairId]);
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
      assert.deepEqual(all.map((m) => [m.pairId, m.mentor.email, m.mentee.email]), [
        [pairId, mentor.email, mentee.email],
        [second.pairId, other.email, loner.email],
      ]);
      assert.deepEqual((await store.matches.list(mentee.id)).map((m) => m.pairId), [pairId]);
      assert.deepEqual((await store.matches.list(other.id)).map((m) => m.pairId), [second.pairId]);
      assert.deepEqual(await store.matches.list(third.id), []);
      assert.deepEqual(await store.matches.list(admin.id), []);
    });

    test('finds the active pair with a counterpart only', async (store) => {
      const { mentor, mentee, loner, other, admin, pairId } = await seed(store);
      const fromMentee = await store.matches.activePairWith(mentee, mentor.email);
      assert.equal(fromMentee?.pair.id, pairId);
      assert.deepEqual(fromMentee?.partner, mentor);
      const fromMentor = await store.matches.activePairWith(mentor, mentee.email);
      assert.deepEqual(fromMentor, { pair: { id: pairId, mentorId: mentor.id, menteeId: mentee.id, active: true, lastSeq: 0, paused: false, endedAt: null }, partner: mentee });
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

    test('appends messages with seq 1, 2, 3', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const results = [];
      for (const [sender, content] of [[mentee, 'hi'], [mentor, 'hello'], [mentee, 'bye']] as const) {
        results.push(await send(store, pairId, sender, content));
      }
      assert.deepEqual(results.map((r) => [r.created, r.message.seq, r.message.senderId, r.message.content]), [
        [true, 1, mentee.id, 'hi'], [true, 2, mentor.id, 'hello'], [true, 3, mentee.id, 'bye'],
      ]);
      const first = results[0]!.message;
      assert.equal(first.pairId, pairId);
      assert.equal(first.isRead, false);
      assert.equal(first.clientId, null);
      assert.ok(first.createdAt instanceof Date);
      assert.equal((await store.matches.pairById(pairId))?.lastSeq, 3);
      assert.deepEqual(await store.messages.after(pairId, 0, 10), results.map((r) => r.message));
    });

    test('appends idempotently on sender, pair and clientId', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const first = await send(store, pairId, mentee, 'hi', 'c1');
      assert.equal(first.message.clientId, 'c1');
      const again = await send(store, pairId, mentee, 'hi again', 'c1');
      assert.deepEqual(again, { message: first.message, created: false });
      const [twinA, twinB] = await Promise.all([send(store, pairId, mentee, 'x', 'c2'), send(store, pairId, mentee, 'x', 'c2')]);
      assert.equal(twinA.message.id, twinB.message.id);
      assert.deepEqual([twinA.created, twinB.created], [true, false]);
      const fromMentor = await send(store, pairId, mentor, 'hi', 'c1');
      assert.equal(fromMentor.created, true);
      assert.notEqual(fromMentor.message.id, first.message.id);
      assert.deepEqual((await store.messages.after(pairId, 0, 10)).map((m) => m.seq), [1, 2, 3]);
    });

    test('refuses messages outside an active pair, alone', async (store) => {
      const { mentor, mentee, loner, admin, pairId } = await seed(store);
      await rejectsWith(send(store, pairId, loner, 'intruder'), 'not_matched');
      await rejectsWith(send(store, pairId, admin, 'admin'), 'not_matched');
      await rejectsWith(send(store, pairId + 1000, mentee, 'nowhere'), 'not_matched');
      const batch = await Promise.allSettled([send(store, pairId, mentee, 'a'), send(store, pairId, loner, 'b'), send(store, pairId, mentor, 'c')]);
      assert.deepEqual(batch.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.deepEqual((await store.messages.after(pairId, 0, 10)).map((m) => [m.seq, m.content]), [[1, 'a'], [2, 'c']]);
      const kept = await send(store, pairId, mentee, 'kept', 'retry-me');
      await store.matches.end(mentee.email);
      await rejectsWith(send(store, pairId, mentee, 'late'), 'not_matched');
      // The match is checked first: even a retry of a stored message is refused once it ended.
      await rejectsWith(send(store, pairId, mentee, 'kept', 'retry-me'), 'not_matched');
      await rejectsWith(send(store, pairId, mentor, 'late'), 'not_matched');
      assert.equal((await store.matches.pairById(pairId))?.lastSeq, 3);
      assert.equal(kept.message.seq, 3);
    });

    test('keeps seq contiguous under 200 appends in one turn', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => send(store, pairId, i % 2 ? mentor : mentee, `m${i}`)));
      assert.deepEqual(results.map((r) => r.message.seq), Array.from({ length: 200 }, (_, i) => i + 1));
      assert.ok(results.every((r, i) => r.created && r.message.content === `m${i}`));
      assertContiguous(await store.messages.after(pairId, 0, 500), 200);
    });

    test('keeps seq contiguous under 200 appends across turns', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const pending = [];
      for (let i = 0; i < 200; i++) {
        pending.push(send(store, pairId, i % 3 ? mentor : mentee, `m${i}`));
        if (i % 7 === 0) await nextTurn();
        if (i % 50 === 0) await pending[i];
      }
      const results = await Promise.all(pending);
      assert.deepEqual(results.map((r) => r.message.seq), Array.from({ length: 200 }, (_, i) => i + 1));
      assertContiguous(await store.messages.after(pairId, 0, 500), 200);
      assert.equal((await store.matches.pairById(pairId))?.lastSeq, 200);
    });

    test('keeps seq contiguous and clientIds unique with two instances appending at once', async (store, reopen, t) => {
      if (!reopen) return t.skip('the factory cannot open a second instance');
      const { mentor, mentee, pairId } = await seed(store);
      const second = await reopen();
      const pending = [];
      const twins = [];
      for (let i = 0; i < 200; i++) {
        pending.push(send(i % 2 ? second : store, pairId, i % 4 < 2 ? mentor : mentee, `m${i}`, `c${i}`));
        if (i % 4 === 0) twins.push(Promise.all([send(store, pairId, mentee, `d${i}`, `d${i}`), send(second, pairId, mentee, `d${i}`, `d${i}`)]));
        if (i % 13 === 0) await nextTurn();
      }
      const results = await Promise.all(pending);
      for (const [a, b] of await Promise.all(twins)) {
        assert.equal(a.message.id, b.message.id);
        assert.deepEqual([a.created, b.created].sort(), [false, true]);
      }
      assert.ok(results.every((r) => r.created));
      assertContiguous(await second.messages.after(pairId, 0, 500), 250);
      assert.equal((await store.matches.pairById(pairId))?.lastSeq, 250);
    });

    test('pages history after and before a seq, oldest first', async (store) => {
      const { mentor, mentee, loner, pairId } = await seed(store);
      for (let i = 1; i <= 10; i++) await send(store, pairId, i % 2 ? mentee : mentor, `m${i}`);
      const other = await store.matches.create(mentor.email, loner.email);
      await send(store, other.pairId, loner, 'elsewhere');
      const seqs = (messages: Message[]) => messages.map((m) => m.seq);
      assert.deepEqual(seqs(await store.messages.after(pairId, 0, 3)), [1, 2, 3]);
      assert.deepEqual(seqs(await store.messages.after(pairId, 3, 3)), [4, 5, 6]);
      assert.deepEqual(seqs(await store.messages.after(pairId, 8, 5)), [9, 10]);
      assert.deepEqual(seqs(await store.messages.after(pairId, 10, 5)), []);
      assert.deepEqual(seqs(await store.messages.before(pairId, 11, 3)), [8, 9, 10]);
      assert.deepEqual(seqs(await store.messages.before(pairId, 8, 3)), [5, 6, 7]);
      assert.deepEqual(seqs(await store.messages.before(pairId, 3, 10)), [1, 2]);
      assert.deepEqual(seqs(await store.messages.before(pairId, 1, 10)), []);
      assert.deepEqual((await store.messages.after(pairId, 0, 1))[0]?.content, 'm1');
      assert.deepEqual(seqs(await store.messages.after(other.pairId, 0, 10)), [1]);
    });

    test('pages history by message id: newest page, before, after, both, and has-more both ways', async (store) => {
      const { mentor, mentee, loner, pairId } = await seed(store);
      const other = await store.matches.create(mentor.email, loner.email);
      const ids: number[] = [];
      const between: number[] = [];
      for (let i = 1; i <= 6; i++) {
        ids.push((await send(store, pairId, i % 2 ? mentee : mentor, `m${i}`)).message.id);
        between.push((await send(store, other.pairId, loner, `interleaved ${i}`)).message.id);
      }
      const page = async (cursor: { before?: number; after?: number; limit: number }, pair = pairId) => {
        const { messages, hasMore } = await store.messages.history(pair, cursor);
        return [messages.map((m) => m.seq), hasMore];
      };
      const id = (seq: number) => ids[seq - 1]!;
      // No cursor: the newest page; more lie before it until the page holds the whole history.
      assert.deepEqual(await page({ limit: 4 }), [[3, 4, 5, 6], true]);
      assert.deepEqual(await page({ limit: 6 }), [[1, 2, 3, 4, 5, 6], false]);
      assert.deepEqual(await page({ limit: 10 }), [[1, 2, 3, 4, 5, 6], false]);
      // before: the page just before it, oldest first; has_more looks further back.
      assert.deepEqual(await page({ before: id(5), limit: 2 }), [[3, 4], true]);
      assert.deepEqual(await page({ before: id(3), limit: 2 }), [[1, 2], false]);
      assert.deepEqual(await page({ before: id(1), limit: 2 }), [[], false]);
      assert.deepEqual(await page({ before: 0, limit: 2 }), [[], false]);
      // after: the page just after it; has_more looks further forward.
      assert.deepEqual(await page({ after: 0, limit: 2 }), [[1, 2], true]);
      assert.deepEqual(await page({ after: id(2), limit: 2 }), [[3, 4], true]);
      assert.deepEqual(await page({ after: id(4), limit: 2 }), [[5, 6], false]);
      assert.deepEqual(await page({ after: id(6), limit: 2 }), [[], false]);
      assert.deepEqual(await page({ after: Number.MAX_SAFE_INTEGER, limit: 2 }), [[], false]);
      // Both: between them, from `after` on; has_more says whether more lie up to `before`.
      assert.deepEqual(await page({ after: id(1), before: id(6), limit: 2 }), [[2, 3], true]);
      assert.deepEqual(await page({ after: id(1), before: id(6), limit: 4 }), [[2, 3, 4, 5], false]);
      assert.deepEqual(await page({ after: id(1), before: id(6), limit: 10 }), [[2, 3, 4, 5], false]);
      assert.deepEqual(await page({ after: id(3), before: id(4), limit: 2 }), [[], false]);
      assert.deepEqual(await page({ after: id(4), before: id(3), limit: 2 }), [[], false]);
      // An id of the other pair stands where it was stored: between two of this pair's.
      assert.deepEqual(await page({ after: between[2]!, limit: 10 }), [[4, 5, 6], false]);
      assert.deepEqual(await page({ before: between[2]!, limit: 10 }), [[1, 2, 3], false]);
      assert.deepEqual(await page({ after: between[0]!, before: between[3]!, limit: 10 }), [[2, 3, 4], false]);
      // Only the pair's own messages, whole.
      assert.deepEqual(await page({ limit: 10 }, other.pairId), [[1, 2, 3, 4, 5, 6], false]);
      const [newest] = (await store.messages.history(pairId, { before: id(2), limit: 1 })).messages;
      assert.deepEqual(newest, (await store.messages.after(pairId, 0, 1))[0]);
    });

    test('pages an empty history as empty, whatever the cursor', async (store) => {
      const { pairId } = await seed(store);
      for (const cursor of [{}, { before: 1 }, { after: 0 }, { after: 0, before: Number.MAX_SAFE_INTEGER }]) {
        assert.deepEqual(await store.messages.history(pairId, { ...cursor, limit: 5 }), { messages: [], hasMore: false });
      }
    });

    test('marks read what the partner sent to the reader', async (store) => {
      const { mentor, mentee, loner, pairId } = await seed(store);
      const fromMentor = [];
      for (let i = 0; i < 3; i++) fromMentor.push((await send(store, pairId, mentor, `to mentee ${i}`)).message);
      for (let i = 0; i < 2; i++) await send(store, pairId, mentee, `to mentor ${i}`);
      assert.deepEqual(await store.messages.markRead(pairId, loner.id), { count: 0, lastReadId: null });
      assert.deepEqual(await store.messages.markRead(pairId, mentee.id), { count: 3, lastReadId: Math.max(...fromMentor.map((m) => m.id)) });
      assert.deepEqual(await store.messages.markRead(pairId, mentee.id), { count: 0, lastReadId: null });
      const messages = await store.messages.after(pairId, 0, 10);
      assert.deepEqual(messages.map((m) => m.isRead), [true, true, true, false, false]);
      const late = await send(store, pairId, mentor, 'late');
      assert.deepEqual(await store.messages.markRead(pairId, mentee.id), { count: 1, lastReadId: late.message.id });
      await store.matches.end(mentee.email);
      assert.deepEqual(await store.messages.markRead(pairId, mentor.id), { count: 0, lastReadId: null });
    });

    test('reads the last seq of many pairs at once: known pairs only, ended ones included', async (store) => {
      const { mentor, mentee, loner, other, pairId } = await seed(store);
      assert.deepEqual(await store.messages.lastSeqs([]), new Map());
      const second = (await store.matches.create(other.email, loner.email)).pairId;
      assert.deepEqual(await store.messages.lastSeqs([pairId, second]), new Map([[pairId, 0], [second, 0]]));
      await Promise.all([send(store, pairId, mentee, 'one'), send(store, pairId, mentor, 'two'), send(store, second, loner, 'one')]);
      await send(store, pairId, mentee, 'three', 'c3');
      await send(store, pairId, mentee, 'three again', 'c3');
      await store.matches.end(loner.email);
      // Unknown ids, repeats and a long list are answered the same way, in one read.
      const many = [...Array.from({ length: 2000 }, (_, i) => second + 1000 + i), pairId, second, pairId];
      assert.deepEqual(await store.messages.lastSeqs(many), new Map([[pairId, 3], [second, 1]]));
      assert.deepEqual(await store.messages.lastSeqs([second + 999_999]), new Map());
    });

    test('continues history and seq when a former pair is rematched', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      await send(store, pairId, mentee, 'before');
      await store.matches.end(mentee.email);
      const again = await store.matches.create(mentor.email, mentee.email);
      assert.equal(again.pairId, pairId);
      assert.equal((await store.matches.pairById(pairId))?.active, true);
      const after = await send(store, pairId, mentor, 'after');
      assert.equal(after.message.seq, 2);
      assert.deepEqual((await store.messages.after(pairId, 0, 10)).map((m) => m.content), ['before', 'after']);
    });

    test('lists conversations: one row per current partner, newest activity first, in one read', async (store) => {
      const { mentor, mentee, loner, other, admin, pairId } = await seed(store);
      const second = await store.matches.create(mentor.email, loner.email);
      const rows = async (u: User) => (await store.messages.conversations(u.id)).map((c) => [c.pairId, c.partner.email, c.lastMessage?.content ?? null, c.unreadCount]);
      assert.deepEqual(await rows(mentor), [[second.pairId, loner.email, null, 0], [pairId, mentee.email, null, 0]]);
      await send(store, pairId, mentee, 'one');
      await send(store, pairId, mentee, 'two');
      const last = (await send(store, pairId, mentor, 'three', 'c3')).message;
      const [first] = await store.messages.conversations(mentor.id);
      assert.deepEqual(first, { pairId, partner: mentee, lastMessage: last, unreadCount: 2, archived: false, paused: false });
      assert.deepEqual(await rows(mentee), [[pairId, mentor.email, 'three', 1]]);
      await send(store, second.pairId, loner, 'newest');
      assert.deepEqual(await rows(mentor), [[second.pairId, loner.email, 'newest', 1], [pairId, mentee.email, 'three', 2]]);
      await store.messages.markRead(pairId, mentor.id);
      await store.matches.end(loner.email);
      assert.deepEqual(await rows(mentor), [[pairId, mentee.email, 'three', 0]]);
      assert.deepEqual(await rows(mentee), [[pairId, mentor.email, 'three', 1]]);
      assert.deepEqual(await store.messages.conversations(admin.id), []);
      assert.deepEqual(await store.messages.conversations(other.id), []);
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

    test('a pause racing appends from another instance: each append is stored before it or refused, none after', async (store, reopen) => {
      const { mentee, pairId } = await seed(store);
      const second = reopen ? await reopen() : store;
      const early = Array.from({ length: 20 }, (_, i) => second.messages.append({ pairId, senderId: mentee.id, content: `m${i}` }).then(() => 'stored', (e: unknown) => (isAppError(e) ? e.code : String(e))));
      await store.matches.setPaused(mentee.email, true);
      const late = await Promise.allSettled(Array.from({ length: 5 }, () => second.messages.append({ pairId, senderId: mentee.id, content: 'late' })));
      const outcomes = await Promise.all(early);
      assert.ok(outcomes.every((o) => o === 'stored' || o === 'match_paused'), outcomes.join());
      for (const outcome of late) await rejectsWith(outcome.status === 'rejected' ? Promise.reject(outcome.reason) : Promise.resolve(), 'match_paused');
      const stored = await store.messages.after(pairId, 0, 100);
      assert.equal(stored.length, outcomes.filter((o) => o === 'stored').length, 'what was refused was not stored');
      assertContiguous(stored, stored.length);
    });

    test('an unmatch racing appends from another instance: each append is stored before it or refused, none after, retries included', async (store, reopen, t) => {
      const { mentor, mentee, pairId } = await seed(store);
      const second = reopen ? await reopen() : store;
      const outcome = (sent: Promise<unknown>) => sent.then(() => 'stored', (e: unknown) => (isAppError(e) ? e.code : String(e)));
      const early: Array<Promise<string>> = [];
      const ending = (async () => {
        // The burst spans several turns (several batches); the unmatch lands in the middle of it.
        for (let i = 0; i < 5; i++) await nextTurn();
        await store.matches.end(mentee.email);
      })();
      for (let i = 0; i < 20; i++) {
        early.push(outcome(send(second, pairId, i % 2 ? mentor : mentee, `m${i}`, `c${i}`)));
        if (i % 3 === 2) await nextTurn();
      }
      await ending;
      const late = await Promise.allSettled([
        send(second, pairId, mentee, 'late', 'late'),
        send(second, pairId, mentor, 'late'),
        send(second, pairId, mentee, 'm0', 'c0'),
      ]);
      const outcomes = await Promise.all(early);
      assert.ok(outcomes.every((o) => o === 'stored' || o === 'not_matched'), outcomes.join());
      assert.ok(outcomes.indexOf('not_matched') === -1 || !outcomes.slice(outcomes.indexOf('not_matched')).includes('stored'), `nothing stored after a refusal: ${outcomes.join()}`);
      for (const each of late) await rejectsWith(each.status === 'rejected' ? Promise.reject(each.reason) : Promise.resolve(), 'not_matched');
      const stored = await store.messages.after(pairId, 0, 100);
      assert.deepEqual(stored.map((m) => m.clientId), outcomes.flatMap((o, i) => (o === 'stored' ? [`c${i}`] : [])), 'what was refused was not stored');
      assertContiguous(stored, stored.length);
      assert.equal((await store.matches.pairById(pairId))?.lastSeq, stored.length);
      t.diagnostic(`${stored.length} of ${early.length} stored before the unmatch`);
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
      assert.deepEqual(archived.map((c) => [c.pairId, c.archived, c.lastMessage?.content ?? null]), [[second.pairId, false, null], [pairId, true, 'hello']]);
      assert.deepEqual((await store.messages.conversations(mentee.id, { endedSince: beforeEnd })).map((c) => [c.partner.email, c.unreadCount, c.archived]), [[mentor.email, 1, true]]);
      assert.deepEqual(await store.messages.conversations(mentee.id, { endedSince: new Date(Date.now() + 60_000) }), [], 'ended before the cutoff');
    });

    test('counts one reader\'s unread messages in a pair', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      assert.equal(await store.messages.unreadCount(pairId, mentee.id), 0);
      await send(store, pairId, mentor, 'one');
      await send(store, pairId, mentor, 'two');
      await send(store, pairId, mentee, 'mine');
      assert.deepEqual([await store.messages.unreadCount(pairId, mentee.id), await store.messages.unreadCount(pairId, mentor.id)], [2, 1]);
      await store.messages.markRead(pairId, mentee.id);
      assert.equal(await store.messages.unreadCount(pairId, mentee.id), 0);
    });

    test('the directory: pages in id order with partners, filtered by role, status and search', async (store) => {
      const { mentor, mentee, loner, other, admin } = await seed(store);
      const percent = await store.accounts.create({ email: 'odd_100%@example.test', passwordHash: 'x', firstName: 'Zoë', lastName: 'Ward', role: 'MENTEE' });
      const emails = (page: { entries: { user: User }[] }) => page.entries.map((entry) => entry.user.email);
      const first = await store.accounts.directory({ limit: 4 });
      assert.deepEqual(emails(first), [mentor, mentee, loner, other].map((u) => u.email));
      assert.deepEqual(first.entries[0]!.partners, [mentee]);
      assert.deepEqual(first.entries[1]!.partners, [mentor]);
      assert.deepEqual(first.entries[2]!.partners, []);
      const rest = await store.accounts.directory({ limit: 4, afterId: first.nextAfterId! });
      assert.deepEqual([emails(rest), rest.nextAfterId], [[admin.email, percent.email], null]);
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, role: 'MENTEE', status: 'unmatched' })), [loner.email, percent.email]);
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, status: 'matched' })), [mentor.email, mentee.email]);
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, status: 'unmatched' })), [loner.email, other.email, percent.email], 'admins are neither');
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: 'LONER@' })), [loner.email]);
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: 'zoë ward' })), [percent.email], 'first and last name together');
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: '_100%' })), [percent.email], 'LIKE characters match themselves');
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: '%' })), [percent.email]);
      await store.matches.create(mentor.email, loner.email);
      assert.deepEqual((await store.accounts.directory({ limit: 1 })).entries[0]!.partners.map((u) => u.email), [mentee.email, loner.email]);
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

    test('counts login attempts per key in fixed windows, atomically', async (store, reopen) => {
      const t0 = Date.UTC(2030, 0, 1);
      const at = (seconds: number) => new Date(t0 + seconds * 1000);
      const count = (s: Store, keys: string[], seconds: number) => s.sessions.countLoginAttempt(keys, at(seconds), at(seconds - 60));
      assert.deepEqual(await count(store, ['account:a', 'address:1'], 0), [
        { key: 'account:a', count: 1, windowStartedAt: at(0) },
        { key: 'address:1', count: 1, windowStartedAt: at(0) },
      ]);
      assert.deepEqual(await count(store, ['address:1', 'account:b'], 10), [
        { key: 'address:1', count: 2, windowStartedAt: at(0) },
        { key: 'account:b', count: 1, windowStartedAt: at(10) },
      ]);
      await store.sessions.refundLoginAttempt(['address:1', 'account:unknown']);
      assert.deepEqual((await count(store, ['address:1'], 20)).map((r) => r.count), [2]);
      for (let i = 0; i < 4; i++) await store.sessions.refundLoginAttempt(['address:1']);
      assert.deepEqual((await count(store, ['address:1'], 30)).map((r) => r.count), [1]);
      // At 60 s the window that started at 0 has ended: counting starts over.
      assert.deepEqual(await count(store, ['account:a', 'account:b'], 60), [
        { key: 'account:a', count: 1, windowStartedAt: at(60) },
        { key: 'account:b', count: 2, windowStartedAt: at(10) },
      ]);
      const second = reopen ? await reopen() : store;
      const together = await Promise.all(Array.from({ length: 20 }, (_, i) => count(i % 2 ? second : store, ['address:2'], 100)));
      assert.deepEqual(together.map(([row]) => row!.count).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    });

    test('keeps everything across close and reopen, pending appends included', async (store, reopen, t) => {
      if (!reopen) return t.skip('the factory cannot reopen');
      const { mentor, mentee, pairId } = await seed(store);
      await store.sessions.create('token', mentee.id, new Date(Date.now() + 60_000));
      await send(store, pairId, mentee, 'one', 'c1');
      const unsettled = send(store, pairId, mentor, 'two');
      await store.close();
      assert.equal((await unsettled).message.seq, 2);
      const reopened = await reopen();
      assert.deepEqual(await reopened.sessions.userOf('token', new Date()), mentee);
      assert.equal((await reopened.accounts.credentials(mentor.email))?.passwordHash, `hash:${mentor.email}`);
      assert.deepEqual((await reopened.matches.list()).map((m) => m.pairId), [pairId]);
      assert.deepEqual((await reopened.messages.after(pairId, 0, 10)).map((m) => m.content), ['one', 'two']);
      assert.equal((await send(reopened, pairId, mentee, 'one again', 'c1')).created, false);
      assert.equal((await send(reopened, pairId, mentee, 'three')).message.seq, 3);
      await reopened.ping();
    });
  });
  outboxContract(name, make);
  accountsContract(name, make);
  wordListContract(name, make);
  heldRetryContract(name, make);
}
