/**
 * The Store contract's safeguarding part (PROTOCOL.md Part 7), run against every engine:
 * held messages stay out of every read of the pair's messages until approved, then take the
 * next `seq`; notices take a `seq` and stay out of counts; reports; the audit log.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { withStore, type Body, type StoreFactory } from './harness.js';
import { assertContiguous, rejectsWith, seed, send } from './store.js';

const hold = (store: Store, pairId: number, senderId: number, content: string, clientId?: string) =>
  store.moderation.hold({ pairId, senderId, content, clientId, rule: 'phone', matched: '07911 123456' });

/** Registers the safeguarding contract for the engine that `make` opens. */
export function safeguardingContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name} safeguarding`, () => {
    test("a held message takes no seq and no read of the pair's messages sees it", async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      await send(store, pairId, mentor, 'hello');
      const result = await hold(store, pairId, mentee.id, 'call 07911 123456', 'h1');
      assert.ok('held' in result && result.created);
      assert.equal(result.held.status, 'held');
      assert.equal(result.held.rule, 'phone');
      assert.deepEqual(
        (await store.messages.after(pairId, 0, 10)).map((m) => m.content),
        ['hello'],
      );
      assert.deepEqual(
        (await store.messages.history(pairId, { limit: 10 })).messages.map((m) => m.content),
        ['hello'],
      );
      assert.equal((await store.messages.lastSeqs([pairId])).get(pairId), 1);
      const [row] = await store.messages.conversations(mentor.id);
      assert.equal(row?.lastMessage?.content, 'hello');
      assert.equal(row?.unreadCount, 0);
      assert.equal((await store.messages.markRead(pairId, mentor.id)).count, 0);
      assert.deepEqual(
        (await store.moderation.pending(10)).items.map((h) => h.id),
        [result.held.id],
      );
      assert.deepEqual(
        (await store.moderation.ownUndelivered(pairId, mentee.id, null, null)).map((h) => h.content),
        ['call 07911 123456'],
      );
      assert.deepEqual(await store.moderation.ownUndelivered(pairId, mentor.id, null, null), []);
    });

    test('holding is idempotent on clientId, and refused outside an active pair', async (store) => {
      const { mentee, loner, pairId } = await seed(store);
      const first = await hold(store, pairId, mentee.id, 'x@example.com', 'same');
      const again = await hold(store, pairId, mentee.id, 'x@example.com', 'same');
      assert.ok('held' in first && 'held' in again);
      assert.equal(again.created, false);
      assert.equal(again.held.id, first.held.id);
      assert.equal((await store.moderation.heldByClientId(pairId, mentee.id, 'same'))?.id, first.held.id);
      assert.equal(await store.moderation.heldByClientId(pairId, mentee.id, 'other'), null);
      assert.equal(await store.moderation.heldByClientId(pairId, loner.id, 'same'), null);
      await rejectsWith(hold(store, pairId, loner.id, 'x@example.com'), 'not_matched');
      await store.matches.end(mentee.email);
      await rejectsWith(hold(store, pairId, mentee.id, 'y@example.com'), 'not_matched');
    });

    test('a paused pair holds nothing new either (match_paused); a stored hold is still found by its clientId', async (store) => {
      const { mentee, pairId } = await seed(store);
      const first = await hold(store, pairId, mentee.id, 'x@example.com', 'kept');
      await store.matches.setPaused(mentee.email, true);
      await rejectsWith(hold(store, pairId, mentee.id, 'y@example.com', 'new'), 'match_paused');
      const again = await hold(store, pairId, mentee.id, 'x@example.com', 'kept');
      assert.ok('held' in first && 'held' in again && again.held.id === first.held.id && !again.created);
      assert.equal((await store.moderation.pending(10)).items.length, 1);
    });

    test('approval gives the next seq once; a retry then finds the delivered message', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      await send(store, pairId, mentor, 'one');
      const held = await hold(store, pairId, mentee.id, 'my site jolee.dev', 'c');
      assert.ok('held' in held);
      await send(store, pairId, mentor, 'two');
      const { held: decided, message } = await store.moderation.approve(held.held.id, 'admin@example.test');
      assert.equal(decided.status, 'approved');
      assert.equal(decided.decidedBy, 'admin@example.test');
      assert.equal(decided.messageId, message.id);
      assert.equal(message.seq, 3);
      assert.equal(message.clientId, 'c');
      assert.deepEqual(
        (await store.messages.after(pairId, 0, 10)).map((m) => m.content),
        ['one', 'two', 'my site jolee.dev'],
      );
      await rejectsWith(store.moderation.approve(held.held.id, 'admin@example.test'), 'not_found');
      await rejectsWith(store.moderation.reject(held.held.id, 'admin@example.test', 'late'), 'not_found');
      const retry = await hold(store, pairId, mentee.id, 'my site jolee.dev', 'c');
      assert.ok('message' in retry && retry.message.id === message.id);
      assert.equal((await send(store, pairId, mentee, 'my site jolee.dev', 'c')).created, false);
      assert.deepEqual((await store.moderation.pending(10)).items, []);
      assert.deepEqual(await store.moderation.ownUndelivered(pairId, mentee.id, null, null), []);
    });

    test('approvals racing appends keep seq contiguous', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const held = await Promise.all([1, 2, 3].map((i) => hold(store, pairId, mentee.id, `held ${i}`)));
      await Promise.all([
        ...held.map((h) => store.moderation.approve('held' in h ? h.held.id : 0, 'admin')),
        ...[1, 2, 3, 4].map((i) => send(store, pairId, mentor, `sent ${i}`)),
      ]);
      assertContiguous(await store.messages.after(pairId, 0, 20), 7);
    });

    test('rejection keeps the message out for good; approval of an ended pair is refused', async (store) => {
      const { mentee, pairId } = await seed(store);
      const a = await hold(store, pairId, mentee.id, 'a@example.com');
      const b = await hold(store, pairId, mentee.id, 'b@example.com');
      assert.ok('held' in a && 'held' in b);
      const rejected = await store.moderation.reject(a.held.id, 'admin', 'contact details');
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.reason, 'contact details');
      await rejectsWith(store.moderation.approve(a.held.id, 'admin'), 'not_found');
      assert.deepEqual(
        (await store.moderation.ownUndelivered(pairId, mentee.id, null, null)).map((h) => h.status),
        ['rejected', 'held'],
      );
      await store.matches.end(mentee.email);
      await rejectsWith(store.moderation.approve(b.held.id, 'admin'), 'not_matched');
      assert.deepEqual(await store.messages.after(pairId, 0, 10), []);
      await rejectsWith(store.moderation.approve(999_999, 'admin'), 'not_found');
    });

    test('a viewed notice takes a seq, once per uninterrupted viewing, and is no message to count', async (store) => {
      const { mentor, mentee, admin, pairId } = await seed(store);
      await send(store, pairId, mentee, 'hi');
      const first = await store.audit.addViewedNotice(pairId, admin.id, 'Ann Admin');
      assert.equal(first.created, true);
      assert.equal(first.notice.kind, 'admin_viewed');
      assert.equal(first.notice.seq, 2);
      assert.equal(first.notice.content, 'Ann Admin');
      assert.equal((await store.audit.addViewedNotice(pairId, admin.id, 'Ann Admin')).created, false);
      await send(store, pairId, mentor, 'hello');
      assert.equal((await store.audit.addViewedNotice(pairId, admin.id, 'Ann Admin')).notice.seq, 4);
      assertContiguous(await store.messages.after(pairId, 0, 10), 4);
      assert.deepEqual(
        (await store.messages.history(pairId, { limit: 10 })).messages.map((m) => m.kind),
        ['message', 'admin_viewed', 'message', 'admin_viewed'],
      );
      const [row] = await store.messages.conversations(mentee.id);
      assert.equal(row?.lastMessage?.content, 'hello');
      assert.equal(row?.unreadCount, 1);
      assert.equal((await store.messages.markRead(pairId, mentee.id)).count, 1);
      assert.deepEqual(
        (await store.messages.upTo(pairId, { id: Number.MAX_SAFE_INTEGER }, 10)).map((m) => m.content),
        ['hi', 'hello'],
      );
      const [summary] = await store.matches.pairSummaries();
      assert.equal(summary?.messageCount, 2);
      assert.ok(summary?.lastActivity instanceof Date);
    });

    test('reports are listed until resolved, once', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const { message } = await send(store, pairId, mentor, 'rude');
      assert.equal(await store.reports.isReported(message.id), false);
      const report = await store.reports.create(message.id, mentee.id, 'it was rude');
      assert.equal(report.pairId, pairId);
      assert.equal(report.reporterId, mentee.id);
      assert.equal(await store.reports.isReported(message.id), true);
      assert.deepEqual(
        (await store.reports.list({ all: false, limit: 10 })).items.map((r) => r.id),
        [report.id],
      );
      const resolved = await store.reports.resolve(report.id, 'admin', 'talked to them');
      assert.equal(resolved.resolution, 'talked to them');
      assert.ok(resolved.resolvedAt instanceof Date);
      await rejectsWith(store.reports.resolve(report.id, 'admin', 'again'), 'not_found');
      assert.deepEqual((await store.reports.list({ all: false, limit: 10 })).items, []);
      assert.deepEqual(
        (await store.reports.list({ all: true, limit: 10 })).items.map((r) => r.id),
        [report.id],
      );
    });

    test('a reporter learns which of a page of messages they reported, and no one else does', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const { message: rude } = await send(store, pairId, mentor, 'rude');
      const { message: kind } = await send(store, pairId, mentor, 'kind');
      assert.deepEqual(await store.reports.reportedBy(mentee.id, []), []);
      assert.deepEqual(await store.reports.reportedBy(mentee.id, [rude.id, kind.id]), []);
      await store.reports.create(rude.id, mentee.id, 'it was rude');
      await store.reports.create(rude.id, mentee.id, 'and again');
      assert.deepEqual(await store.reports.reportedBy(mentee.id, [rude.id, kind.id]), [rude.id]);
      assert.deepEqual(await store.reports.reportedBy(mentee.id, [kind.id]), []);
      assert.deepEqual(await store.reports.reportedBy(mentor.id, [rude.id, kind.id]), []);
    });

    test('the audit log pages newest first', async (store) => {
      const written = [];
      for (let i = 0; i < 5; i++)
        written.push(await store.audit.record({ actor: 'admin@example.test', action: 'view', target: `pair:${i}`, detail: i === 0 ? null : { i } }));
      const first = await store.audit.page(2);
      assert.deepEqual(
        first.items.map((e) => e.target),
        ['pair:4', 'pair:3'],
      );
      assert.equal(first.hasMore, true);
      const last = await store.audit.page(10, first.items[1]!.id);
      assert.deepEqual(
        last.items.map((e) => e.target),
        ['pair:2', 'pair:1', 'pair:0'],
      );
      assert.equal(last.hasMore, false);
      assert.deepEqual(last.items[1]!.detail, { i: 1 });
      assert.equal(last.items[2]!.detail, null);
      assert.ok(last.items[0]!.at instanceof Date);
    });
  });
}
