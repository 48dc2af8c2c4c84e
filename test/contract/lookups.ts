/**
 * The Store contract's look-ups that a person's data export and the admin pages read, run
 * against every engine: a user's messages in every pair they were ever in, their pairs, their
 * held messages and reports, and single rows by id (null when there is none).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HeldMessage, HoldResult } from '../../src/store/index.js';
import { seed, send, user, withStore, type Body, type StoreFactory } from './harness.js';

function heldOf(result: HoldResult): HeldMessage {
  assert.ok('held' in result, `expected a held message, got ${JSON.stringify(result)}`);
  return result.held;
}

export function lookupsContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name} look-ups`, () => {
    test("messagesOf: the user's messages sent and received in every pair, ended ones too, by id, paged after an id", async (store) => {
      const { mentor, mentee, other, pairId } = await seed(store);
      const sam = await user(store, 'sam@example.test', 'MENTEE');
      const { pairId: samPair } = await store.matches.create(other.email, sam.email);
      const one = (await send(store, pairId, mentee, 'one')).message;
      const two = (await send(store, one.pairId, mentor, 'two')).message;
      await send(store, samPair, sam, 'not theirs');
      await store.matches.end(mentee.email);
      const { pairId: again } = await store.matches.create(other.email, mentee.email);
      const three = (await send(store, again, other, 'three')).message;
      const all = await store.dataRights.messagesOf(mentee.id, 0, 10);
      assert.deepEqual(
        all.map((m) => [m.id, m.content]),
        [
          [one.id, 'one'],
          [two.id, 'two'],
          [three.id, 'three'],
        ],
      );
      assert.deepEqual(
        (await store.dataRights.messagesOf(mentee.id, one.id, 1)).map((m) => m.content),
        ['two'],
      );
      assert.deepEqual(await store.dataRights.messagesOf(mentee.id, three.id, 10), []);
      assert.deepEqual(
        (await store.dataRights.messagesOf(sam.id, 0, 10)).map((m) => m.content),
        ['not theirs'],
      );
    });

    test('pairSummariesOf: every pair the user was ever in, ended ones included, with counts', async (store) => {
      const { mentor, mentee, other, loner, pairId } = await seed(store);
      await send(store, pairId, mentee, 'hello');
      await send(store, pairId, mentor, 'hi');
      await store.matches.end(mentee.email);
      const { pairId: second } = await store.matches.create(other.email, mentee.email);
      const summaries = (await store.dataRights.pairSummariesOf(mentee.id)).sort((a, b) => a.pairId - b.pairId);
      assert.deepEqual(
        summaries.map((s) => [s.pairId, s.mentorId, s.menteeId, s.active, s.messageCount]),
        [
          [pairId, mentor.id, mentee.id, false, 2],
          [second, other.id, mentee.id, true, 0],
        ],
      );
      assert.ok(summaries[0]!.lastActivity instanceof Date);
      assert.deepEqual(await store.dataRights.pairSummariesOf(loner.id), []);
    });

    test('heldOf and heldById: held and rejected messages of the sender only; null for an unknown id', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const hold = (sender: typeof mentee, content: string) =>
        store.moderation.hold({ pairId, senderId: sender.id, content, clientId: null, rule: 'email', matched: content });
      const kept = heldOf(await hold(mentee, 'a@example.com'));
      const refused = heldOf(await hold(mentee, 'b@example.com'));
      await store.moderation.reject(refused.id, 'admin@example.test', 'no addresses');
      heldOf(await hold(mentor, 'c@example.com'));
      assert.deepEqual((await store.dataRights.heldOf(mentee.id)).map((h) => [h.content, h.status]).sort(), [
        ['a@example.com', 'held'],
        ['b@example.com', 'rejected'],
      ]);
      const found = await store.moderation.heldById(refused.id);
      assert.deepEqual([found?.id, found?.content, found?.status, found?.reason], [refused.id, 'b@example.com', 'rejected', 'no addresses']);
      assert.deepEqual(await store.moderation.heldById(kept.id), kept);
      assert.equal(await store.moderation.heldById(refused.id + 1000), null);
    });

    test("reportsBy: the reports the user made, no one else's", async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const first = (await send(store, pairId, mentor, 'first')).message;
      const second = (await send(store, pairId, mentee, 'second')).message;
      const byMentee = await store.reports.create(first.id, mentee.id, 'scary');
      await store.reports.create(second.id, mentor.id, 'rude');
      assert.deepEqual(
        (await store.dataRights.reportsBy(mentee.id)).map((r) => [r.id, r.messageId, r.reporterId, r.reason]),
        [[byMentee.id, first.id, mentee.id, 'scary']],
      );
      assert.deepEqual(await store.dataRights.reportsBy((await user(store, 'quiet@example.test', 'MENTEE')).id), []);
    });

    test('byId and byIds: the row, or null (none) for an id that does not exist', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const message = (await send(store, pairId, mentee, 'here')).message;
      const report = await store.reports.create(message.id, mentor.id, 'why');
      assert.equal((await store.messages.byId(message.id))?.content, 'here');
      assert.equal(await store.messages.byId(message.id + 1000), null);
      assert.equal((await store.reports.byId(report.id))?.reason, 'why');
      assert.equal(await store.reports.byId(report.id + 1000), null);
      assert.deepEqual((await store.accounts.byIds([mentee.id, mentor.id + 1000, mentor.id])).map((u) => u.email).sort(), [mentee.email, mentor.email].sort());
      assert.deepEqual(await store.accounts.byIds([]), []);
    });
  });
}
