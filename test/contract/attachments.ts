/**
 * The Store contract for attachments and search (PROTOCOL.md Part 8): files kept in the
 * database and sent with one message (also through a held message and its approval), the
 * daily quota, unsent files swept, erasure and retention removing files; search stemmed,
 * accent- and case-insensitive, newest first, never a held, forgotten or erased message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIGHLIGHT_END, HIGHLIGHT_START, type Store } from '../../src/store/index.js';
import { rejectsWith, seed, send, withStore, type Body, type StoreFactory } from './harness.js';

const MiB = 1024 * 1024;
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

async function upload(store: Store, pairId: number, uploaderId: number, text = 'hello file', dailyLimitBytes = 10 * MiB) {
  return store.attachments.create({ pairId, uploaderId, name: 'notes.txt', contentType: 'text/plain', bytes: bytes(text), dailyLimitBytes });
}

export function attachmentsContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: attachments`, () => {
    test('create stores the bytes; byId reads them back with where they belong; unsent lists the uploader’s own unsent files in order', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const one = await upload(store, pairId, mentee.id, 'first');
      const two = await upload(store, pairId, mentee.id, 'second');
      assert.deepEqual(one, { id: one.id, name: 'notes.txt', contentType: 'text/plain', size: 5 });
      const file = await store.attachments.byId(one.id);
      assert.equal(Buffer.from(file!.bytes).toString(), 'first');
      assert.deepEqual([file!.pairId, file!.uploaderId, file!.messageId, file!.heldId], [pairId, mentee.id, null, null]);
      assert.equal(await store.attachments.byId(one.id + 1000), null);
      assert.deepEqual(
        (await store.attachments.unsent(pairId, mentee.id, [two.id, one.id, 999999])).map((f) => f.id),
        [two.id, one.id],
      );
      assert.deepEqual(await store.attachments.unsent(pairId, mentor.id, [one.id]), [], "another's upload");
    });

    test('a message takes its sender’s unsent files once; history carries them; another’s or a sent file is ignored', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const mine = await upload(store, pairId, mentee.id);
      const theirs = await upload(store, pairId, mentor.id);
      const { message } = await store.messages.append({ pairId, senderId: mentee.id, content: '', attachmentIds: [mine.id, theirs.id] });
      assert.deepEqual(message.attachments, [mine]);
      assert.deepEqual((await store.messages.byId(message.id))!.attachments, [mine]);
      assert.deepEqual((await store.messages.history(pairId, { limit: 5 })).messages[0]!.attachments, [mine]);
      assert.equal((await store.attachments.byId(mine.id))!.messageId, message.id);
      assert.deepEqual((await store.messages.conversations(mentee.id))[0]!.lastMessage!.attachments, [mine], 'the conversation list shows them');
      const again = await store.messages.append({ pairId, senderId: mentee.id, content: 'again', attachmentIds: [mine.id] });
      assert.equal(again.message.attachments, undefined, 'a sent file is not sent twice');
      assert.deepEqual(await store.attachments.unsent(pairId, mentee.id, [mine.id]), []);
    });

    test('a held message takes its files; approval hands them to the delivered message', async (store) => {
      const { mentee, pairId } = await seed(store);
      const file = await upload(store, pairId, mentee.id);
      const outcome = await store.moderation.hold({
        pairId,
        senderId: mentee.id,
        content: 'see file',
        rule: 'attachment',
        matched: '',
        attachmentIds: [file.id],
      });
      assert.ok('held' in outcome);
      assert.deepEqual(outcome.held.attachments, [file]);
      assert.equal((await store.attachments.byId(file.id))!.heldId, outcome.held.id);
      assert.deepEqual((await store.moderation.heldById(outcome.held.id))!.attachments, [file]);
      const { message } = await store.moderation.approve(outcome.held.id, 'admin@example.test');
      assert.deepEqual(message.attachments, [file]);
      assert.deepEqual((await store.messages.byId(message.id))!.attachments, [file]);
      const stored = await store.attachments.byId(file.id);
      assert.deepEqual([stored!.messageId, stored!.heldId], [message.id, null]);
    });

    test('the daily quota counts the uploader’s last 24 hours: past it, attachment_quota; another user is not counted', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      await upload(store, pairId, mentee.id, '12345', 10);
      await upload(store, pairId, mentee.id, '12345', 10);
      await rejectsWith(upload(store, pairId, mentee.id, '1', 10), 'attachment_quota');
      await upload(store, pairId, mentor.id, '12345', 10);
    });

    test('only a participant of an active pair may upload', async (store) => {
      const { loner, mentee, pairId } = await seed(store);
      await rejectsWith(upload(store, pairId, loner.id), 'not_matched');
      await store.matches.end(mentee.email);
      await rejectsWith(upload(store, pairId, mentee.id), 'not_matched');
    });

    test('unsent files older than the cutoff are swept; sent ones stay', async (store) => {
      const { mentee, pairId } = await seed(store);
      const sent = await upload(store, pairId, mentee.id);
      await store.messages.append({ pairId, senderId: mentee.id, content: 'x', attachmentIds: [sent.id] });
      const unsent = await upload(store, pairId, mentee.id);
      assert.equal(await store.attachments.deleteUnsentBefore(new Date(Date.now() - 60_000), 100), 0);
      assert.equal(await store.attachments.deleteUnsentBefore(new Date(Date.now() + 60_000), 100), 1);
      assert.equal(await store.attachments.byId(unsent.id), null);
      assert.notEqual(await store.attachments.byId(sent.id), null);
    });

    test('erasure removes the user’s files and their summaries; retention removes a message’s files with it', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const file = await upload(store, pairId, mentee.id);
      const { message } = await store.messages.append({ pairId, senderId: mentee.id, content: 'x', attachmentIds: [file.id] });
      const kept = await upload(store, pairId, mentor.id);
      await store.messages.append({ pairId, senderId: mentor.id, content: 'y', attachmentIds: [kept.id] });
      await store.dataRights.erase(mentee.id);
      assert.equal(await store.attachments.byId(file.id), null);
      assert.equal((await store.messages.byId(message.id))!.attachments, undefined);
      assert.notEqual(await store.attachments.byId(kept.id), null, "the partner's file stays");
      await store.dataRights.deleteBefore(new Date(Date.now() + 60_000), 100);
      assert.equal(await store.attachments.byId(kept.id), null);
    });

    test('forgetMessage deletes the message’s files and takes it out of search', async (store) => {
      const { mentee, pairId } = await seed(store);
      const file = await upload(store, pairId, mentee.id);
      const { message } = await store.messages.append({ pairId, senderId: mentee.id, content: 'forgettable words', attachmentIds: [file.id] });
      assert.equal((await store.search.find(pairId, ['forgettable'], 10)).length, 1);
      assert.equal(await store.search.forgetMessage(message.id), true);
      assert.equal(await store.attachments.byId(file.id), null);
      assert.deepEqual(await store.search.find(pairId, ['forgettable'], 10), []);
      assert.equal((await store.messages.byId(message.id))!.content, 'forgettable words', 'the text stays for admins');
      assert.equal(await store.search.forgetMessage(message.id + 1000), false);
    });
  });

  describe(`${name}: search`, () => {
    test('stemmed, case- and accent-insensitive, every word required, newest first, bounded by limit and before, marked', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const runs = await send(store, pairId, mentee, 'She runs every morning');
      const cafe = await send(store, pairId, mentor, 'Meet at the Café Crème');
      const ran = await send(store, pairId, mentor, 'RUNNING late, sorry');
      const find = (terms: string[], limit = 10, before?: number) =>
        store.search.find(pairId, terms, limit, before).then((hits) => hits.map((h) => h.message.id));
      assert.deepEqual(await find(['running']), [ran.message.id, runs.message.id]);
      assert.deepEqual(await find(['cafe', 'creme']), [cafe.message.id]);
      assert.deepEqual(await find(['CAFÉ']), [cafe.message.id]);
      assert.deepEqual(await find(['running', 'morning']), [runs.message.id]);
      assert.deepEqual(await find(['running'], 1), [ran.message.id]);
      assert.deepEqual(await find(['running'], 10, ran.message.id), [runs.message.id]);
      assert.deepEqual(await find(['absent']), []);
      const [hit] = await store.search.find(pairId, ['cafe'], 1);
      assert.equal(hit!.marked, `Meet at the ${HIGHLIGHT_START}Café${HIGHLIGHT_END} Crème`);
    });

    test('only the pair’s messages; never a held one until approved; never an erased one', async (store) => {
      const { mentor, mentee, other, pairId } = await seed(store);
      await store.matches.create(other.email, 'loner@example.test');
      const otherPair = (await store.matches.list()).find((m) => m.mentor.id === other.id)!.pairId;
      await send(store, otherPair, other, 'elsewhere secret');
      const outcome = await store.moderation.hold({ pairId, senderId: mentee.id, content: 'held secret', rule: 'phone', matched: '' });
      assert.deepEqual(await store.search.find(pairId, ['secret'], 10), []);
      assert.ok('held' in outcome);
      const { message } = await store.moderation.approve(outcome.held.id, 'admin@example.test');
      assert.deepEqual(
        (await store.search.find(pairId, ['secret'], 10)).map((h) => h.message.id),
        [message.id],
      );
      await send(store, pairId, mentor, 'mentor secret stays');
      await store.dataRights.erase(mentee.id);
      assert.deepEqual(
        (await store.search.find(pairId, ['secret'], 10)).map((h) => h.message.content),
        ['mentor secret stays'],
      );
    });
  });
}
