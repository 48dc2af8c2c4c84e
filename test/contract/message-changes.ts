/** The Store contract's changes to messages (store/message-changes.ts): edits, deletions, reactions, replies and their place in the pair's timeline; run from storeContract. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timelineAfter } from '../../src/store/index.js';
import { rejectsWith, seed, send, withStore, type Body, type StoreFactory } from './harness.js';

const WINDOW = 60_000;

export function messageChangesContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: message changes`, () => {
    test('an edit replaces the content, keeps the old text as a version and takes the pair’s next seq', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const { message } = await send(store, pairId, mentee, 'helo');
      const { change, message: edited } = await store.changes.edit({ pairId, messageId: message.id, actorId: mentee.id, content: 'hello', windowMs: WINDOW });
      assert.deepEqual([change.kind, change.seq, change.messageId, change.actorId, change.content], ['edit', 2, message.id, mentee.id, 'hello']);
      assert.deepEqual([edited.seq, edited.content, edited.editedAt instanceof Date], [1, 'hello', true]);
      assert.equal((await store.messages.byId(message.id))!.content, 'hello');
      const next = await send(store, pairId, mentor, 'next');
      assert.equal(next.message.seq, 3, 'messages and changes share one contiguous sequence');
      assert.equal((await store.matches.pairById(pairId))!.lastSeq, 3);
      assert.deepEqual(
        (await store.changes.after(pairId, 0, 10)).map((c) => c.seq),
        [2],
      );
      assert.deepEqual(
        (await timelineAfter(store.messages, store.changes, pairId, 0, 10)).map((entry) => entry.seq),
        [1, 2, 3],
      );
      assert.deepEqual(
        (await timelineAfter(store.messages, store.changes, pairId, 1, 1)).map((entry) => entry.seq),
        [2],
      );
      const versions = (await store.changes.versions([message.id])).get(message.id)!;
      assert.deepEqual(
        versions.map((v) => [v.content, v.cause]),
        [['helo', 'edit']],
      );
      assert.deepEqual(await store.changes.versions([]), new Map());
    });

    test('refusals, in order: not matched, paused, unknown or another pair’s message, not one’s own, deleted, past the window', async (store) => {
      const { mentor, mentee, loner, other, pairId } = await seed(store);
      const mine = (await send(store, pairId, mentee, 'mine')).message;
      const theirs = (await send(store, pairId, mentor, 'theirs')).message;
      const elsewhere = await store.matches.create(other.email, loner.email);
      const foreign = (await send(store, elsewhere.pairId, loner, 'foreign')).message;
      const edit = (messageId: number, actorId: number, windowMs = WINDOW) => store.changes.edit({ pairId, messageId, actorId, content: 'x', windowMs });
      await rejectsWith(edit(mine.id, loner.id), 'not_matched');
      await rejectsWith(edit(foreign.id, mentee.id), 'message_not_found');
      await rejectsWith(edit(999_999, mentee.id), 'message_not_found');
      await rejectsWith(edit(theirs.id, mentee.id), 'not_own_message');
      await rejectsWith(store.changes.delete({ pairId, messageId: theirs.id, actorId: mentee.id, keep: true }), 'not_own_message');
      await rejectsWith(edit(mine.id, mentee.id, 0), 'edit_window_passed');
      await rejectsWith(store.changes.react({ pairId, messageId: foreign.id, actorId: mentee.id, emoji: '👍', on: true }), 'message_not_found');
      await store.changes.delete({ pairId, messageId: mine.id, actorId: mentee.id, keep: true });
      await rejectsWith(edit(mine.id, mentee.id), 'message_deleted');
      await rejectsWith(store.changes.delete({ pairId, messageId: mine.id, actorId: mentee.id, keep: true }), 'message_deleted');
      await rejectsWith(store.changes.react({ pairId, messageId: mine.id, actorId: mentor.id, emoji: '👍', on: true }), 'message_deleted');
      await store.matches.setPaused(mentee.email, true);
      await rejectsWith(edit(theirs.id, mentor.id), 'match_paused');
      await rejectsWith(store.changes.react({ pairId, messageId: theirs.id, actorId: mentee.id, emoji: '👍', on: true }), 'match_paused');
      await store.matches.setPaused(mentee.email, false);
      await store.matches.end(mentee.email);
      await rejectsWith(edit(theirs.id, mentor.id), 'not_matched');
      await rejectsWith(store.changes.delete({ pairId, messageId: theirs.id, actorId: mentor.id, keep: true }), 'not_matched');
      // Refusals take no seq: the pair's messages and changes stay contiguous.
      assert.equal((await store.matches.pairById(pairId))!.lastSeq, 3);
    });

    test('a delete keeps the row and its seq, empties it, marks it read, blanks replies’ previews and earlier edits, and keeps the text unless told not to', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const first = (await send(store, pairId, mentee, 'first')).message;
      await store.changes.edit({ pairId, messageId: first.id, actorId: mentee.id, content: 'first, edited', windowMs: WINDOW });
      const reply = (await store.messages.append({ pairId, senderId: mentor.id, content: 'answer', replyTo: first.id })).message;
      assert.deepEqual(reply.replyTo, { id: first.id, senderId: mentee.id, preview: 'first, edited' });
      assert.equal(await store.messages.unreadCount(pairId, mentor.id), 1);
      const { change, message } = await store.changes.delete({ pairId, messageId: first.id, actorId: mentee.id, keep: true });
      assert.deepEqual([change.kind, change.seq, change.content], ['delete', 4, '']);
      assert.deepEqual([message.seq, message.content, message.deleted, message.isRead], [1, '', true, true]);
      assert.equal(await store.messages.unreadCount(pairId, mentor.id), 0);
      assert.equal((await store.messages.byId(reply.id))!.replyTo!.preview, '');
      const changes = await store.changes.after(pairId, 0, 10);
      assert.deepEqual(
        changes.map((c) => [c.kind, c.content]),
        [
          ['edit', ''],
          ['delete', ''],
        ],
      );
      assert.deepEqual(
        (await store.changes.versions([first.id])).get(first.id)!.map((v) => [v.content, v.cause]),
        [
          ['first', 'edit'],
          ['first, edited', 'delete'],
        ],
      );
      // DELETED_RETENTION_DAYS=0: nothing kept.
      const second = (await send(store, pairId, mentee, 'second')).message;
      await store.changes.edit({ pairId, messageId: second.id, actorId: mentee.id, content: 'second, edited', windowMs: WINDOW });
      await store.changes.delete({ pairId, messageId: second.id, actorId: mentee.id, keep: false });
      assert.equal((await store.changes.versions([second.id])).get(second.id), undefined);
    });

    test('the kept text of a deleted message is erased after the retention, unless under an open report', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const a = (await send(store, pairId, mentee, 'a')).message;
      const b = (await send(store, pairId, mentee, 'b')).message;
      await store.reports.create(b.id, mentor.id, 'worrying');
      await store.changes.delete({ pairId, messageId: a.id, actorId: mentee.id, keep: true });
      await store.changes.delete({ pairId, messageId: b.id, actorId: mentee.id, keep: true });
      assert.equal(await store.changes.eraseDeletedBefore(new Date(Date.now() - 60_000)), 0);
      assert.equal(await store.changes.eraseDeletedBefore(new Date(Date.now() + 60_000)), 1);
      assert.equal((await store.changes.versions([a.id])).get(a.id), undefined);
      assert.equal((await store.changes.versions([b.id])).get(b.id)!.length, 1);
    });

    test('retention that deletes an edited message leaves its changes in the timeline, emptied: no gap', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      // An hour old, by import: retention's cutoff falls between it and the next message.
      const hourAgo = new Date(Date.now() - 3_600_000);
      await store.messages.importHistory([
        { externalId: 'old-1', senderEmail: mentee.email, receiverEmail: mentor.email, content: 'old', createdAt: hourAgo, isRead: false },
      ]);
      const [old] = await store.messages.after(pairId, 0, 1);
      await send(store, pairId, mentor, 'kept');
      await store.changes.edit({ pairId, messageId: old!.id, actorId: mentee.id, content: 'old, edited', windowMs: 2 * 3_600_000 });
      await store.changes.react({ pairId, messageId: old!.id, actorId: mentor.id, emoji: '👍', on: true });
      assert.equal(await store.dataRights.deleteBefore(new Date(Date.now() - 60_000), 10), 1);
      const left = await timelineAfter(store.messages, store.changes, pairId, 1, 10);
      assert.deepEqual(
        left.map((entry) => [entry.seq, entry.content]),
        [
          [2, 'kept'],
          [3, ''],
          [4, '👍'],
        ],
      );
    });

    test('reactions: one per user, emoji and message; a repeat changes nothing and takes no seq', async (store) => {
      const { mentor, mentee, pairId } = await seed(store);
      const said = (await send(store, pairId, mentor, 'news')).message;
      const react = (actorId: number, emoji: string, on: boolean) => store.changes.react({ pairId, messageId: said.id, actorId, emoji, on });
      const on = await react(mentee.id, '🎉', true);
      assert.deepEqual([on?.kind, on?.seq, on?.content, on?.actorId], ['react', 2, '🎉', mentee.id]);
      assert.equal(await react(mentee.id, '🎉', true), null);
      assert.equal((await react(mentor.id, '🎉', true))?.seq, 3);
      assert.equal((await react(mentee.id, '👍', true))?.seq, 4);
      assert.deepEqual(
        (await store.changes.reactions([said.id])).get(said.id),
        new Map([
          ['🎉', [mentee.id, mentor.id]],
          ['👍', [mentee.id]],
        ]),
      );
      const off = await react(mentee.id, '🎉', false);
      assert.deepEqual([off?.kind, off?.seq], ['unreact', 5]);
      assert.equal(await react(mentee.id, '🎉', false), null);
      assert.deepEqual((await store.changes.reactions([said.id])).get(said.id)!.get('🎉'), [mentor.id]);
      assert.equal((await store.matches.pairById(pairId))!.lastSeq, 5);
    });

    test('a reply must name a message of its own pair; refused, it takes no seq', async (store) => {
      const { mentor, mentee, loner, other, pairId } = await seed(store);
      const elsewhere = await store.matches.create(other.email, loner.email);
      const foreign = (await send(store, elsewhere.pairId, loner, 'foreign')).message;
      const long = 'x'.repeat(99) + '😀' + 'y';
      const target = (await send(store, pairId, mentor, long)).message;
      await rejectsWith(store.messages.append({ pairId, senderId: mentee.id, content: 'r', replyTo: foreign.id }), 'message_not_found');
      await rejectsWith(store.messages.append({ pairId, senderId: mentee.id, content: 'r', replyTo: 123_456_789 }), 'message_not_found');
      const reply = (await store.messages.append({ pairId, senderId: mentee.id, content: 'r', replyTo: target.id })).message;
      assert.deepEqual([reply.seq, reply.replyTo], [2, { id: target.id, senderId: mentor.id, preview: 'x'.repeat(99) + '😀' }]);
      assert.deepEqual((await store.messages.after(pairId, 1, 1))[0]!.replyTo, reply.replyTo);
    });

    test('a held edit waits apart; approving it edits the message with the next seq; it is refused once decided', async (store) => {
      const { mentee, pairId } = await seed(store);
      const said = (await send(store, pairId, mentee, 'see you')).message;
      const held = await store.changes.holdEdit({
        pairId,
        messageId: said.id,
        actorId: mentee.id,
        content: 'call 07911 123456',
        windowMs: WINDOW,
        rule: 'phone',
        matched: '07911123456',
      });
      assert.deepEqual([held.status, held.editOf, held.content], ['held', said.id, 'call 07911 123456']);
      assert.equal((await store.messages.byId(said.id))!.content, 'see you');
      await rejectsWith(store.moderation.approve(held.id, 'admin@example.test'), 'not_found');
      const approved = await store.changes.approveEdit(held.id, 'admin@example.test');
      assert.deepEqual([approved.change.seq, approved.message.content, approved.held.status], [2, 'call 07911 123456', 'approved']);
      await rejectsWith(store.changes.approveEdit(held.id, 'admin@example.test'), 'not_found');
    });

    test('search follows changes: an edit is found by the words it kept and its new ones, not the replaced ones; a held edit not at all; a deletion leaves search and deletes its files', async (store) => {
      const { mentee, pairId } = await seed(store);
      const ids = async (...terms: string[]) => (await store.search.find(pairId, terms, 10)).map((hit) => hit.message.id);
      const said = (await send(store, pairId, mentee, 'meet at the library')).message;
      await store.changes.edit({ pairId, messageId: said.id, actorId: mentee.id, content: 'meet at the station', windowMs: WINDOW });
      assert.deepEqual([await ids('meet'), await ids('station'), await ids('library')], [[said.id], [said.id], []]);
      await store.changes.holdEdit({
        pairId,
        messageId: said.id,
        actorId: mentee.id,
        content: 'meet at 07911 123456',
        windowMs: WINDOW,
        rule: 'phone',
        matched: '07911123456',
      });
      assert.deepEqual([await ids('station'), await ids('07911')], [[said.id], []], 'the partner finds the text they see');
      const file = await store.attachments.create({
        pairId,
        uploaderId: mentee.id,
        name: 'map.txt',
        contentType: 'text/plain',
        bytes: new TextEncoder().encode('map'),
        dailyLimitBytes: 1024,
      });
      const withFile = (await store.messages.append({ pairId, senderId: mentee.id, content: 'the map', attachmentIds: [file.id] })).message;
      assert.equal(withFile.attachments?.length, 1);
      await store.changes.delete({ pairId, messageId: withFile.id, actorId: mentee.id, keep: true });
      assert.deepEqual(await ids('map'), []);
      assert.equal(await store.attachments.byId(file.id), null, 'its file is deleted');
      assert.equal((await store.messages.byId(withFile.id))!.attachments, undefined);
    });
  });
}
