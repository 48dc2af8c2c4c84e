/**
 * Edit, delete, reply and reactions (PROTOCOL.md Part 8) over real sockets, written once
 * against a `Cluster` as the chat suite is: the mentee on `side(0)`, the mentor on `side(1)`,
 * under `moderated` (the filter holds an edit as it holds a message). Each check that nothing
 * arrived uses a later message as a barrier: the next frame is that message.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type Agent, matchedPair } from '../helpers/http.js';
import { connectChat, connectStream, type Frame, type TestSocket } from '../helpers/socket.js';
import type { Cluster } from './chat.js';

const enc = encodeURIComponent;

export function changesSuite(
  name: string,
  makeCluster: (cleanup: { after(fn: () => unknown): void }) => Promise<Cluster>,
  cleanup: { after(fn: () => unknown): void },
): void {
  describe(name, () => {
    let cluster: Cluster;
    before(async () => {
      cluster = await makeCluster(cleanup);
    });

    async function setup() {
      const { mentor, mentee } = await matchedPair(cluster.admin, cluster.side(0).http);
      const menteeSocket = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      const mentorSocket = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      assert.deepEqual(await menteeSocket.next(), { type: 'presence', email: mentor.email, online: true });
      return { mentor, mentee, menteeSocket, mentorSocket };
    }

    /** Sends a message from `from`; resolves with the frame both sockets got (each once, next). */
    async function say(from: TestSocket, to: TestSocket, content: string, extra: Record<string, unknown> = {}): Promise<Frame> {
      from.send({ type: 'chat_message', content, ...extra });
      const echo = await from.expect('chat_message');
      assert.deepEqual(await to.expect('chat_message'), echo);
      return echo;
    }

    const historyOf = async (agent: Agent, partner: Agent, base = cluster.side(0).http) =>
      (await fetch(`${base}/api/chat/${enc(partner.email)}/messages`, { headers: { cookie: agent.cookie! } }).then((r) => r.json())) as {
        messages: Frame[];
      };

    it('an edit reaches every connection of the pair once, in seq order after its message; history carries edited_at', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const first = await say(menteeSocket, mentorSocket, 'helo');
      menteeSocket.send({ type: 'edit_message', message_id: first.message_id, content: '  hello  ' });
      const edited = await mentorSocket.expect('message_edited');
      assert.deepEqual(Object.keys(edited).sort(), ['content', 'edited_at', 'message_id', 'seq', 'type']);
      assert.deepEqual([edited.message_id, edited.seq, edited.content], [first.message_id, 2, 'hello']);
      assert.deepEqual(await menteeSocket.expect('message_edited'), edited);
      const next = await say(mentorSocket, menteeSocket, 'next');
      assert.equal(next.seq, 3, 'the seqs stay contiguous across messages and changes');
      for (const side of [0, 1] as const) {
        const page = await historyOf(mentor, mentee, cluster.side(side).http);
        assert.deepEqual(
          page.messages.map((m) => [m.seq, m.content, m.edited_at === undefined]),
          [
            [1, 'hello', false],
            [3, 'next', true],
          ],
        );
        assert.equal(page.messages[0]!.edited_at, edited.edited_at);
      }
    });

    it('refusals: a clear error for each, the connection stays usable, nothing reaches the partner', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const mine = await say(menteeSocket, mentorSocket, 'mine');
      const theirs = await say(mentorSocket, menteeSocket, 'theirs');
      const other = await setup();
      const elsewhere = await say(other.menteeSocket, other.mentorSocket, 'another pair');
      const cases: Array<[string, Record<string, unknown>, string | undefined, string]> = [
        [
          "another's message",
          { type: 'edit_message', message_id: theirs.message_id, content: 'x' },
          'not_own_message',
          'You can only change your own messages',
        ],
        ["another's message (delete)", { type: 'delete_message', message_id: theirs.message_id }, 'not_own_message', 'You can only change your own messages'],
        [
          "another pair's message",
          { type: 'edit_message', message_id: elsewhere.message_id, content: 'x' },
          'message_not_found',
          'No such message in this conversation',
        ],
        [
          "another pair's message (react)",
          { type: 'react', message_id: elsewhere.message_id, emoji: '👍', on: true },
          'message_not_found',
          'No such message in this conversation',
        ],
        ['an unknown id', { type: 'delete_message', message_id: '999999999' }, 'message_not_found', 'No such message in this conversation'],
        [
          'an emoji outside the set',
          { type: 'react', message_id: theirs.message_id, emoji: '🍕', on: true },
          'unknown_reaction',
          'This reaction is not one of the published set',
        ],
        [
          'a reply to another pair',
          { type: 'chat_message', content: 'x', reply_to: elsewhere.message_id },
          'message_not_found',
          'reply_to must be a message of this conversation',
        ],
        ['an empty edit', { type: 'edit_message', message_id: mine.message_id, content: '   ' }, undefined, 'Message content cannot be empty'],
        ['a message_id that is no id', { type: 'edit_message', message_id: 'h1', content: 'x' }, undefined, 'message_id must be a message id'],
        ['a non-boolean on', { type: 'react', message_id: mine.message_id, emoji: '👍', on: 'yes' }, undefined, 'on must be a boolean'],
      ];
      for (const [label, frame, code, message] of cases) {
        menteeSocket.send(frame);
        const error = await menteeSocket.expect('error');
        assert.equal(error.message, message, label);
        assert.equal(error.code, code, label);
      }
      // The partner got none of it: their next frame is this message.
      assert.equal((await say(menteeSocket, mentorSocket, 'barrier')).content, 'barrier');

      // A deleted message can be neither edited, deleted again nor reacted to.
      menteeSocket.send({ type: 'delete_message', message_id: mine.message_id });
      await mentorSocket.expect('message_deleted');
      await menteeSocket.expect('message_deleted');
      for (const frame of [
        { type: 'edit_message', message_id: mine.message_id, content: 'again' },
        { type: 'delete_message', message_id: mine.message_id },
        { type: 'react', message_id: mine.message_id, emoji: '👍', on: true },
      ]) {
        menteeSocket.send(frame);
        assert.equal((await menteeSocket.expect('error')).code, 'message_deleted');
      }

      // Paused: every change is refused with match_paused.
      assert.equal((await cluster.admin.post(`/api/matches/${enc(mentee.email)}/pause`)).status, 200);
      await menteeSocket.expect('match_state');
      await mentorSocket.expect('match_state');
      for (const frame of [
        { type: 'edit_message', message_id: theirs.message_id, content: 'x' },
        { type: 'react', message_id: theirs.message_id, emoji: '👍', on: true },
      ]) {
        menteeSocket.send(frame);
        assert.equal((await menteeSocket.expect('error')).code, 'match_paused');
      }
      assert.equal((await cluster.admin.post(`/api/matches/${enc(mentee.email)}/resume`)).status, 200);
      void mentor;
    });

    it('a delete keeps the row and its seq, empties it for the participants at once, and an admin sees it through a report', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const said = await say(mentorSocket, menteeSocket, 'something I regret');
      mentorSocket.send({ type: 'delete_message', message_id: said.message_id });
      const deleted = await menteeSocket.expect('message_deleted');
      assert.deepEqual(deleted, { type: 'message_deleted', message_id: said.message_id, seq: 2 });
      assert.deepEqual(await mentorSocket.expect('message_deleted'), deleted);
      for (const [agent, partner] of [
        [mentee, mentor],
        [mentor, mentee],
      ] as const) {
        const page = await historyOf(agent, partner);
        assert.deepEqual(
          page.messages.map((m) => [m.seq, m.content, m.deleted]),
          [[1, '', true]],
        );
      }
      const exported = JSON.stringify((await mentee.get(`/api/users/${enc(mentee.email)}/export`)).body);
      assert.ok(!exported.includes('something I regret'), 'not in the partner export');
      const rows = (await mentee.get('/api/chat/conversations')).body.conversations;
      assert.equal(rows[0].last_message.content, '');

      const reported = await mentee.post(`/api/chat/${enc(mentor.email)}/messages/${said.message_id}/report`, { reason: 'it frightened me' });
      assert.equal(reported.status, 201, JSON.stringify(reported.body));
      const seen = (await cluster.admin.get(`/api/reports/${reported.body.report_id}`)).body;
      assert.equal(seen.message.deleted, true);
      assert.deepEqual(
        seen.message.versions.map((v: { content: string; cause: string }) => [v.content, v.cause]),
        [['something I regret', 'delete']],
      );
    });

    it('a reply carries reply_to and a preview of at most 100 characters, emptied once the message it answers is deleted', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const long = 'é'.repeat(150);
      const first = await say(mentorSocket, menteeSocket, long);
      const reply = await say(menteeSocket, mentorSocket, 'answering', { reply_to: first.message_id });
      assert.equal(reply.reply_to, first.message_id);
      assert.deepEqual(reply.reply_preview, { message_id: first.message_id, sender_email: mentor.email, content: 'é'.repeat(100) });
      mentorSocket.send({ type: 'delete_message', message_id: first.message_id });
      await menteeSocket.expect('message_deleted');
      await mentorSocket.expect('message_deleted');
      const page = await historyOf(mentee, mentor);
      assert.deepEqual(page.messages[1]!.reply_preview, { message_id: first.message_id, sender_email: mentor.email, content: '' });
      // A reply to a deleted message shows nothing of it either.
      const late = await say(menteeSocket, mentorSocket, 'late answer', { reply_to: first.message_id });
      assert.equal(late.reply_preview.content, '');
    });

    it('reactions: from the published set, idempotent, in history', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const published = (await mentee.get('/api/chat/reactions')).body.reactions;
      assert.deepEqual(published, ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '✅']);
      const said = await say(mentorSocket, menteeSocket, 'good news');
      menteeSocket.send({ type: 'react', message_id: said.message_id, emoji: '🎉', on: true });
      const reaction = await mentorSocket.expect('reaction');
      assert.deepEqual(reaction, { type: 'reaction', message_id: said.message_id, emoji: '🎉', user_email: mentee.email, on: true, seq: 2 });
      assert.deepEqual(await menteeSocket.expect('reaction'), reaction);
      // The same reaction again changes nothing and sends nothing: the next frame is the barrier.
      menteeSocket.send({ type: 'react', message_id: said.message_id, emoji: '🎉', on: true });
      assert.equal((await say(menteeSocket, mentorSocket, 'barrier')).seq, 3);
      mentorSocket.send({ type: 'react', message_id: said.message_id, emoji: '🎉', on: true });
      await menteeSocket.expect('reaction');
      await mentorSocket.expect('reaction');
      const page = await historyOf(mentee, mentor);
      assert.deepEqual(page.messages[0]!.reactions, { '🎉': [mentee.email, mentor.email] });
      menteeSocket.send({ type: 'react', message_id: said.message_id, emoji: '🎉', on: false });
      assert.equal((await mentorSocket.expect('reaction')).on, false);
      await menteeSocket.expect('reaction');
      menteeSocket.send({ type: 'react', message_id: said.message_id, emoji: '🎉', on: false });
      assert.equal((await say(menteeSocket, mentorSocket, 'barrier 2')).seq, 6);
      assert.deepEqual((await historyOf(mentee, mentor)).messages[0]!.reactions, { '🎉': [mentor.email] });
    });

    it('resume with ?after=: what changed while a connection was away reaches it, once, in seq order, with the later messages', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const a = await say(menteeSocket, mentorSocket, 'a');
      const b = await say(menteeSocket, mentorSocket, 'b');
      await mentorSocket.close();
      assert.equal((await menteeSocket.expect('presence')).online, false);
      menteeSocket.send({ type: 'edit_message', message_id: a.message_id, content: 'a, edited' });
      await menteeSocket.expect('message_edited');
      menteeSocket.send({ type: 'delete_message', message_id: b.message_id });
      await menteeSocket.expect('message_deleted');
      menteeSocket.send({ type: 'react', message_id: a.message_id, emoji: '👍', on: true });
      await menteeSocket.expect('reaction');
      menteeSocket.send({ type: 'chat_message', content: 'c' });
      await menteeSocket.expect('chat_message');
      const back = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie, { query: `?after=${b.message_id}` });
      const got: Array<[string, number]> = [];
      for (let i = 0; i < 4; i++) {
        const frame = await back.next();
        got.push([frame.type, frame.seq]);
      }
      assert.deepEqual(got, [
        ['message_edited', 3],
        ['message_deleted', 4],
        ['reaction', 5],
        ['chat_message', 6],
      ]);
      await back.close();
    });

    it("deleting an unread message takes it out of the partner's unread count, on their event stream too", async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const stream = await connectStream(cluster.side(1).ws, mentor.cookie);
      const one = await say(menteeSocket, mentorSocket, 'one');
      assert.equal((await stream.until((f) => f.type === 'unread' && f.unread_count === 1)).frame.partner_email, mentee.email);
      await say(menteeSocket, mentorSocket, 'two');
      await stream.until((f) => f.type === 'unread' && f.unread_count === 2);
      menteeSocket.send({ type: 'delete_message', message_id: one.message_id });
      await mentorSocket.expect('message_deleted');
      await stream.until((f) => f.type === 'unread' && f.unread_count === 1);
      const rows = (await mentor.get('/api/chat/conversations')).body.conversations;
      assert.equal(rows.find((row: { partner: { email: string } }) => row.partner.email === mentee.email).unread_count, 1);
      await stream.close();
    });

    it('under moderated, an edit that adds a phone number is held: the partner keeps the old text until an admin approves', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const said = await say(menteeSocket, mentorSocket, 'see you soon');
      menteeSocket.send({ type: 'edit_message', message_id: said.message_id, content: 'call me on 07911 123456' });
      const status = await menteeSocket.expect('message_status');
      assert.deepEqual([status.message_id, status.status, status.rule], [said.message_id, 'held', 'phone']);
      assert.match(status.held_id!, /^h\d+$/);
      // The partner got nothing, and history still has the old text.
      assert.equal((await say(menteeSocket, mentorSocket, 'barrier')).seq, 2);
      assert.equal((await historyOf(mentor, mentee)).messages[0]!.content, 'see you soon');
      const approved = await cluster.admin.post(`/api/moderation/${status.held_id}/approve`);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.message.content, 'call me on 07911 123456');
      const edited = await mentorSocket.expect('message_edited');
      assert.deepEqual([edited.seq, edited.content], [3, 'call me on 07911 123456']);
      assert.deepEqual(await menteeSocket.expect('message_edited'), edited);
    });
  });
}
