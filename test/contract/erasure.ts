/**
 * The Store contract's erasure part, run against every engine: an erasure leaves none of the
 * user's words in what the store keeps (messages, held messages and their reasons, reports
 * and their resolutions, the audit log's details, their address anywhere), except the message
 * an open report points at, which is kept until the report is resolved; the audit log is
 * read by user id, so the next owner of an erased address reads none of the old one's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { erasedEmailOf } from '../../src/protocol/erased-email.js';
import { withStore, type Body, type StoreFactory } from './harness.js';
import { seed, send } from './store.js';

/** Everything the store hands back about the pair and the user, as one text to search. */
async function everything(store: Store, pairId: number, userId: number): Promise<string> {
  const messages = await store.messages.after(pairId, 0, 1000);
  return JSON.stringify([
    messages,
    await store.dataRights.heldOf(userId),
    await store.reports.list({ all: true, limit: 1000 }),
    (await store.audit.page(1000)).items,
    await store.moderation.pending(1000),
  ]);
}

export function erasureContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name} erasure`, () => {
    test("leaves none of the user's words or address: messages, held reasons, reports and resolutions, audit details", async (store) => {
      const { mentor, mentee, admin, pairId } = await seed(store);
      const word = `qv${Math.random().toString(36).slice(2, 10)}`;
      const { message: theirs } = await send(store, pairId, mentee, `${word} in a message`);
      const { message: partners } = await send(store, pairId, mentor, 'the mentor speaks');
      const held = await store.moderation.hold({ pairId, senderId: mentee.id, content: `${word} call 07911 123456`, rule: 'phone', matched: `${word} 07911` });
      assert.ok('held' in held);
      await store.moderation.reject(held.held.id, admin.email, `${word} was a phone number`);
      const byThem = await store.reports.create(partners.id, mentee.id, `${word} reported by them`);
      await store.reports.resolve(byThem.id, admin.email, `${word} resolved their report`);
      const ofThem = await store.reports.create(theirs.id, mentor.id, 'reported by the mentor');
      await store.reports.resolve(ofThem.id, admin.email, `${word} resolved a report of them`);
      for (const [actor, action, target, detail] of [
        [mentee.email, 'report', `message:${partners.id}`, { word }],
        [admin.email, 'reject', `held:${held.held.id}`, { reason: word }],
        [admin.email, 'resolve', `report:${ofThem.id}`, { note: word }],
        [admin.email, 'view', `pair:${pairId}`, { mentee: mentee.email }],
        [admin.email, 'export', `user:${mentee.email}`, { word }],
        [mentee.email, 'export', `user:${mentee.email}`, null],
      ] as const)
        await store.audit.record({ actor, action, target, detail });
      const before = await everything(store, pairId, mentee.id);
      assert.ok(before.includes(word) && before.includes(mentee.email));

      await store.dataRights.erase(mentee.id);
      const after = await everything(store, pairId, mentee.id);
      assert.equal(after.includes(word), false, after);
      assert.equal(after.includes(mentee.email), false);
      assert.ok(after.includes('the mentor speaks') && after.includes('reported by the mentor'), "their partner's words stay");
      const entries = (await store.audit.page(100)).items;
      assert.equal(entries.length, 6, 'no entry is removed');
      assert.deepEqual(
        entries.filter((e) => e.actorId === mentee.id).map((e) => e.actor),
        [erasedEmailOf(mentee.id), erasedEmailOf(mentee.id)],
      );
      assert.deepEqual(
        entries.filter((e) => e.action === 'export').map((e) => e.target),
        [`user:${erasedEmailOf(mentee.id)}`, `user:${erasedEmailOf(mentee.id)}`],
      );
    });

    test('a message under an open report keeps its content until the report is resolved, then it goes', async (store) => {
      const { mentor, mentee, admin, pairId } = await seed(store);
      const { message: evidence } = await send(store, pairId, mentor, 'something abusive');
      const { message: other } = await send(store, pairId, mentor, 'something else');
      const first = await store.reports.create(evidence.id, mentee.id, 'it scared me');
      const second = await store.reports.create(evidence.id, mentee.id, 'and again');
      await store.dataRights.erase(mentor.id);
      assert.equal((await store.messages.byId(other.id))?.content, '');
      assert.equal((await store.messages.byId(evidence.id))?.content, 'something abusive', 'the coordinator still sees what was reported');
      assert.equal((await store.reports.byId(first.id))?.reason, 'it scared me', "the reporter's words are theirs");
      await store.reports.resolve(first.id, admin.email, 'account closed');
      assert.equal((await store.messages.byId(evidence.id))?.content, 'something abusive', 'another report of it is still open');
      const resolved = await store.reports.resolve(second.id, admin.email, 'account closed');
      assert.equal(resolved.resolution, 'account closed');
      assert.equal((await store.messages.byId(evidence.id))?.content, '', 'resolved: the evidence goes');
    });

    test('resolving a report of a user who is not erased changes no message', async (store) => {
      const { mentor, mentee, admin, pairId } = await seed(store);
      const { message } = await send(store, pairId, mentor, 'unkind');
      const report = await store.reports.create(message.id, mentee.id, 'unkind');
      await store.reports.resolve(report.id, admin.email, 'talked to them');
      assert.equal((await store.messages.byId(message.id))?.content, 'unkind');
    });

    test("the audit log by id: the next owner of an erased address reads none of the old owner's entries", async (store) => {
      const { mentee, admin, pairId } = await seed(store);
      await store.audit.record({ actor: mentee.email, action: 'export', target: `user:${mentee.email}`, detail: null });
      await store.audit.record({ actor: admin.email, action: 'view', target: `pair:${pairId}`, detail: { mentee: mentee.email } });
      assert.deepEqual(
        (await store.dataRights.auditOf(mentee.id, [pairId])).map((e) => e.action),
        ['export', 'view'],
      );
      await store.dataRights.erase(mentee.id);
      await store.audit.record({ actor: admin.email, action: 'erase', target: `user:${mentee.email}`, detail: null, userId: mentee.id });
      assert.equal(await store.dataRights.wasErased(mentee.email), true);
      assert.equal(await store.dataRights.wasErased('someone@example.test'), false);

      const next = await store.accounts.create({ email: mentee.email, passwordHash: 'h', firstName: 'New', lastName: 'Owner', role: 'MENTEE' });
      assert.notEqual(next.id, mentee.id);
      assert.deepEqual(await store.dataRights.auditOf(next.id, []), []);
      await store.audit.record({ actor: next.email, action: 'export', target: `user:${next.email}`, detail: null });
      assert.deepEqual(
        (await store.dataRights.auditOf(next.id, [])).map((e) => [e.action, e.actorId, e.userId]),
        [['export', next.id, next.id]],
      );
      assert.deepEqual(
        (await store.dataRights.auditOf(mentee.id, [])).map((e) => e.action),
        ['export', 'erase'],
        "the old entries stay the old owner's",
      );
    });

    test('retention: finished webhook events past the cutoff go, and one still owed keeps no saved body', async (store) => {
      const { mentee, pairId } = await seed(store);
      await send(store, pairId, mentee, 'old words');
      const events = await store.outbox.claim(100, 60_000);
      assert.ok(events.length >= 2);
      await store.outbox.saveBodies(events.map((event) => ({ id: event.id, data: `{"copy":"old words","id":${event.id}}`, erased: 0 })));
      const [owed, ...finished] = events;
      await store.outbox.recordAttempts(finished.map((event) => ({ id: event.id, attempt: { delivered: true } })));
      // A cutoff after everything (which side of it a row falls is the messages' rule, tested with them).
      await store.dataRights.deleteBefore(new Date(Date.now() + 60_000), 1000);
      assert.deepEqual(await store.outbox.list('delivered', 100), []);
      const pending = await store.outbox.list('pending', 100);
      assert.deepEqual(
        pending.map((event) => [event.id, event.data]),
        [[owed!.id, null]],
      );
    });

    test('an audit entry finds its user and pair from its target', async (store) => {
      const { mentor, mentee, admin, pairId } = await seed(store);
      const { message } = await send(store, pairId, mentee, 'hello');
      const report = await store.reports.create(message.id, mentor.id, 'why');
      const held = await store.moderation.hold({ pairId, senderId: mentee.id, content: 'x@example.com', rule: 'email', matched: 'x@example.com' });
      assert.ok('held' in held);
      const ids = async (target: string) => {
        const entry = await store.audit.record({ actor: admin.email, action: 'view', target, detail: null });
        return [entry.actorId, entry.userId, entry.pairId];
      };
      assert.deepEqual(await ids(`user:${mentee.email}`), [admin.id, mentee.id, null]);
      assert.deepEqual(await ids(`pair:${pairId}`), [admin.id, null, pairId]);
      assert.deepEqual(await ids(`message:${message.id}`), [admin.id, null, pairId]);
      assert.deepEqual(await ids(`report:${report.id}`), [admin.id, null, pairId]);
      assert.deepEqual(await ids(`held:${held.held.id}`), [admin.id, null, pairId]);
      for (const target of ['history', 'user:nobody@example.test', 'pair:999999', 'pair:x', 'message:1e3', ''])
        assert.deepEqual(await ids(target), [admin.id, null, null], target);
      assert.deepEqual((await store.audit.record({ actor: 'api:platform', action: 'import', target: 'history', detail: null })).actorId, null);
    });
  });
}
