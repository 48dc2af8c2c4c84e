/** The Store contract's messages (store/messages.ts): appends and their seq, history, read state, conversations; run from storeContract. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isAppError } from '../../src/errors.js';
import type { Message, User } from '../../src/store/index.js';
import { assertContiguous, rejectsWith, seed, send, withStore, type Body, type StoreFactory } from './harness.js';

export function messagesContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: messages`, () => {
    test('appends messages with seq 1, 2, 3', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const results = [];
      for (const [sender, content] of [
        [mentee, 'hi'],
        [mentor, 'hello'],
        [mentee, 'bye'],
      ] as const) {
        results.push(await send(store, pairId, sender, content));
      }
      assert.deepEqual(
        results.map((r) => [r.created, r.message.seq, r.message.senderId, r.message.content]),
        [
          [true, 1, mentee.id, 'hi'],
          [true, 2, mentor.id, 'hello'],
          [true, 3, mentee.id, 'bye'],
        ],
      );
      const first = results[0]!.message;
      assert.equal(first.pairId, pairId);
      assert.equal(first.isRead, false);
      assert.equal(first.clientId, null);
      assert.ok(first.createdAt instanceof Date);
      assert.equal((await store.matches.pairById(pairId))?.lastSeq, 3);
      assert.deepEqual(
        await store.messages.after(pairId, 0, 10),
        results.map((r) => r.message),
      );
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
      assert.deepEqual(
        (await store.messages.after(pairId, 0, 10)).map((m) => m.seq),
        [1, 2, 3],
      );
    });

    test('refuses messages outside an active pair, alone', async (store) => {
      const { mentor, mentee, loner, admin, pairId } = await seed(store);
      await rejectsWith(send(store, pairId, loner, 'intruder'), 'not_matched');
      await rejectsWith(send(store, pairId, admin, 'admin'), 'not_matched');
      await rejectsWith(send(store, pairId + 1000, mentee, 'nowhere'), 'not_matched');
      const batch = await Promise.allSettled([send(store, pairId, mentee, 'a'), send(store, pairId, loner, 'b'), send(store, pairId, mentor, 'c')]);
      assert.deepEqual(
        batch.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(
        (await store.messages.after(pairId, 0, 10)).map((m) => [m.seq, m.content]),
        [
          [1, 'a'],
          [2, 'c'],
        ],
      );
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
      assert.deepEqual(
        results.map((r) => r.message.seq),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
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
      assert.deepEqual(
        results.map((r) => r.message.seq),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
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
      assert.deepEqual(
        messages.map((m) => m.isRead),
        [true, true, true, false, false],
      );
      const late = await send(store, pairId, mentor, 'late');
      assert.deepEqual(await store.messages.markRead(pairId, mentee.id), { count: 1, lastReadId: late.message.id });
      await store.matches.end(mentee.email);
      assert.deepEqual(await store.messages.markRead(pairId, mentor.id), { count: 0, lastReadId: null });
    });

    test('reads the last seq of many pairs at once: known pairs only, ended ones included', async (store) => {
      const { mentor, mentee, loner, other, pairId } = await seed(store);
      assert.deepEqual(await store.messages.lastSeqs([]), new Map());
      const second = (await store.matches.create(other.email, loner.email)).pairId;
      assert.deepEqual(
        await store.messages.lastSeqs([pairId, second]),
        new Map([
          [pairId, 0],
          [second, 0],
        ]),
      );
      await Promise.all([send(store, pairId, mentee, 'one'), send(store, pairId, mentor, 'two'), send(store, second, loner, 'one')]);
      await send(store, pairId, mentee, 'three', 'c3');
      await send(store, pairId, mentee, 'three again', 'c3');
      await store.matches.end(loner.email);
      // Unknown ids, repeats and a long list are answered the same way, in one read.
      const many = [...Array.from({ length: 2000 }, (_, i) => second + 1000 + i), pairId, second, pairId];
      assert.deepEqual(
        await store.messages.lastSeqs(many),
        new Map([
          [pairId, 3],
          [second, 1],
        ]),
      );
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
      assert.deepEqual(
        (await store.messages.after(pairId, 0, 10)).map((m) => m.content),
        ['before', 'after'],
      );
    });

    test('lists conversations: one row per current partner, newest activity first, in one read', async (store) => {
      const { mentor, mentee, loner, other, admin, pairId } = await seed(store);
      const second = await store.matches.create(mentor.email, loner.email);
      const rows = async (u: User) =>
        (await store.messages.conversations(u.id)).map((c) => [c.pairId, c.partner.email, c.lastMessage?.content ?? null, c.unreadCount]);
      assert.deepEqual(await rows(mentor), [
        [second.pairId, loner.email, null, 0],
        [pairId, mentee.email, null, 0],
      ]);
      await send(store, pairId, mentee, 'one');
      await send(store, pairId, mentee, 'two');
      const last = (await send(store, pairId, mentor, 'three', 'c3')).message;
      const [first] = await store.messages.conversations(mentor.id);
      assert.deepEqual(first, { pairId, partner: mentee, lastMessage: last, unreadCount: 2, archived: false, paused: false });
      assert.deepEqual(await rows(mentee), [[pairId, mentor.email, 'three', 1]]);
      await send(store, second.pairId, loner, 'newest');
      assert.deepEqual(await rows(mentor), [
        [second.pairId, loner.email, 'newest', 1],
        [pairId, mentee.email, 'three', 2],
      ]);
      await store.messages.markRead(pairId, mentor.id);
      await store.matches.end(loner.email);
      assert.deepEqual(await rows(mentor), [[pairId, mentee.email, 'three', 0]]);
      assert.deepEqual(await rows(mentee), [[pairId, mentor.email, 'three', 1]]);
      assert.deepEqual(await store.messages.conversations(admin.id), []);
      assert.deepEqual(await store.messages.conversations(other.id), []);
    });

    test('a pause racing appends from another instance: each append is stored before it or refused, none after', async (store, reopen) => {
      const { mentee, pairId } = await seed(store);
      const second = reopen ? await reopen() : store;
      const early = Array.from({ length: 20 }, (_, i) =>
        second.messages.append({ pairId, senderId: mentee.id, content: `m${i}` }).then(
          () => 'stored',
          (e: unknown) => (isAppError(e) ? e.code : String(e)),
        ),
      );
      await store.matches.setPaused(mentee.email, true);
      const late = await Promise.allSettled(Array.from({ length: 5 }, () => second.messages.append({ pairId, senderId: mentee.id, content: 'late' })));
      const outcomes = await Promise.all(early);
      assert.ok(
        outcomes.every((o) => o === 'stored' || o === 'match_paused'),
        outcomes.join(),
      );
      for (const outcome of late) await rejectsWith(outcome.status === 'rejected' ? Promise.reject(outcome.reason) : Promise.resolve(), 'match_paused');
      const stored = await store.messages.after(pairId, 0, 100);
      assert.equal(stored.length, outcomes.filter((o) => o === 'stored').length, 'what was refused was not stored');
      assertContiguous(stored, stored.length);
    });

    test('an unmatch racing appends from another instance: each append is stored before it or refused, none after, retries included', async (store, reopen, t) => {
      const { mentor, mentee, pairId } = await seed(store);
      const second = reopen ? await reopen() : store;
      const outcome = (sent: Promise<unknown>) =>
        sent.then(
          () => 'stored',
          (e: unknown) => (isAppError(e) ? e.code : String(e)),
        );
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
      assert.ok(
        outcomes.every((o) => o === 'stored' || o === 'not_matched'),
        outcomes.join(),
      );
      assert.ok(
        outcomes.indexOf('not_matched') === -1 || !outcomes.slice(outcomes.indexOf('not_matched')).includes('stored'),
        `nothing stored after a refusal: ${outcomes.join()}`,
      );
      for (const each of late) await rejectsWith(each.status === 'rejected' ? Promise.reject(each.reason) : Promise.resolve(), 'not_matched');
      const stored = await store.messages.after(pairId, 0, 100);
      assert.deepEqual(
        stored.map((m) => m.clientId),
        outcomes.flatMap((o, i) => (o === 'stored' ? [`c${i}`] : [])),
        'what was refused was not stored',
      );
      assertContiguous(stored, stored.length);
      assert.equal((await store.matches.pairById(pairId))?.lastSeq, stored.length);
      t.diagnostic(`${stored.length} of ${early.length} stored before the unmatch`);
    });

    test("counts one reader's unread messages in a pair", async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      assert.equal(await store.messages.unreadCount(pairId, mentee.id), 0);
      await send(store, pairId, mentor, 'one');
      await send(store, pairId, mentor, 'two');
      await send(store, pairId, mentee, 'mine');
      assert.deepEqual([await store.messages.unreadCount(pairId, mentee.id), await store.messages.unreadCount(pairId, mentor.id)], [2, 1]);
      await store.messages.markRead(pairId, mentee.id);
      assert.equal(await store.messages.unreadCount(pairId, mentee.id), 0);
    });
  });
}
