/** The chat over HTTP: conversations, history paging across boundaries, marking read (HTTP and socket alike). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../src/store/index.js';
import { type Agent, createUser, loginAdmin, match, matchedPair } from './helpers/http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';
import { connectChat, type TestSocket } from './helpers/socket.js';

/** The pair of two agents as the store sees it. */
async function pairOf(store: Store, mentor: Agent, mentee: Agent) {
  const mentorUser = (await store.accounts.byEmail(mentor.email))!;
  const menteeUser = (await store.accounts.byEmail(mentee.email))!;
  const found = (await store.matches.activePairWith(mentorUser, mentee.email))!;
  return { pairId: found.pair.id, mentorUser, menteeUser };
}

/** Stores `n` messages, the mentee sending odd seqs; returns their ids as the wire shows them, by seq. */
async function seedMessages(store: Store, mentor: Agent, mentee: Agent, n: number, interleave?: () => Promise<unknown>): Promise<string[]> {
  const { pairId, mentorUser, menteeUser } = await pairOf(store, mentor, mentee);
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const sender = i % 2 ? menteeUser : mentorUser;
    ids.push(String((await store.messages.append({ pairId, senderId: sender.id, content: `m${i}` })).message.id));
    await interleave?.();
  }
  return ids;
}

const history = (agent: Agent, partner: Agent, query = '') => agent.get(`/api/chat/${encodeURIComponent(partner.email)}/messages${query}`);
const contents = (reply: { body: { messages: Array<{ content: string }> } }) => reply.body.messages.map((m) => m.content);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);
const nextOf = (socket: TestSocket, type: string) => socket.until((frame) => frame.type === type).then(({ frame }) => frame);

describe('HTTP chat', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup, { HISTORY_LIMIT_DEFAULT: '10', HISTORY_LIMIT_MAX: '15' });
    admin = await loginAdmin(server.http);
  });

  describe('GET /api/chat/{partner}/messages', () => {
    it('pages back and forth across page boundaries, in id order, with has_more, for both sides', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      const other = await matchedPair(admin);
      // Another pair's messages between each of ours: ids are not contiguous within the pair.
      const ids = await seedMessages(server.tandem.store, mentor, mentee, 25, () => seedMessages(server.tandem.store, other.mentor, other.mentee, 1));
      const id = (seq: number) => ids[seq - 1]!;

      const newest = await history(mentee, mentor);
      assert.equal(newest.status, 200);
      assert.deepEqual(contents(newest), range(16, 25), 'the default limit, newest page');
      assert.equal(newest.body.has_more, true);
      assert.deepEqual(
        newest.body.messages.map((m: { seq: number }) => m.seq),
        Array.from({ length: 10 }, (_, i) => 16 + i),
      );
      assert.deepEqual(contents(await history(mentor, mentee)), range(16, 25), 'the mentor sees the same history');

      const back = await history(mentee, mentor, `?before=${id(16)}`);
      assert.deepEqual([contents(back), back.body.has_more], [range(6, 15), true]);
      const oldest = await history(mentee, mentor, `?before=${id(6)}&limit=10`);
      assert.deepEqual([contents(oldest), oldest.body.has_more], [range(1, 5), false]);
      const none = await history(mentee, mentor, `?before=${id(1)}`);
      assert.deepEqual([contents(none), none.body.has_more], [[], false]);

      const forward = await history(mentee, mentor, `?after=${id(5)}`);
      assert.deepEqual([contents(forward), forward.body.has_more], [range(6, 15), true]);
      const tail = await history(mentee, mentor, `?after=${id(20)}`);
      assert.deepEqual([contents(tail), tail.body.has_more], [range(21, 25), false]);
      const past = await history(mentee, mentor, `?after=${id(25)}`);
      assert.deepEqual([contents(past), past.body.has_more], [[], false]);
      const first = await history(mentee, mentor, '?after=0&limit=3');
      assert.deepEqual([contents(first), first.body.has_more], [range(1, 3), true]);

      const between = await history(mentee, mentor, `?after=${id(5)}&before=${id(9)}`);
      assert.deepEqual([contents(between), between.body.has_more], [range(6, 8), false]);
      const betweenShort = await history(mentee, mentor, `?after=${id(5)}&before=${id(9)}&limit=2`);
      assert.deepEqual([contents(betweenShort), betweenShort.body.has_more], [range(6, 7), true]);
      assert.deepEqual(contents(await history(mentee, mentor, `?after=${id(9)}&before=${id(5)}`)), []);

      // A cursor that is the other pair's id sits between two of ours.
      const foreign = String(Number(id(10)) + 1);
      assert.deepEqual(contents(await history(mentee, mentor, `?before=${foreign}&limit=2`)), range(9, 10));
      assert.deepEqual(contents(await history(mentee, mentor, `?after=${foreign}&limit=2`)), range(11, 12));
    });

    it('walking every page back, then forward, yields each message once', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      await seedMessages(server.tandem.store, mentor, mentee, 23);
      const seen: string[] = [];
      let page = await history(mentor, mentee, '?limit=4');
      for (;;) {
        seen.unshift(...contents(page));
        if (!page.body.has_more) break;
        page = await history(mentor, mentee, `?limit=4&before=${page.body.messages[0].message_id}`);
      }
      assert.deepEqual(seen, range(1, 23));
      const forward: string[] = [];
      page = await history(mentor, mentee, '?limit=5&after=0');
      for (;;) {
        forward.push(...contents(page));
        if (!page.body.has_more) break;
        page = await history(mentor, mentee, `?limit=5&after=${page.body.messages.at(-1).message_id}`);
      }
      assert.deepEqual(forward, range(1, 23));
    });

    it('caps limit at HISTORY_LIMIT_MAX; rows carry the wire fields plus is_read', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      await seedMessages(server.tandem.store, mentor, mentee, 20);
      const capped = await history(mentee, mentor, '?limit=1000');
      assert.equal(capped.body.messages.length, 15);
      assert.equal(capped.body.has_more, true);
      const [row] = (await history(mentee, mentor, '?limit=1&after=0')).body.messages;
      assert.deepEqual(Object.keys(row).sort(), ['content', 'is_read', 'message_id', 'sender_email', 'sender_name', 'seq', 'timestamp']);
      assert.deepEqual([row.seq, row.sender_email, row.sender_name, row.content, row.is_read], [1, mentee.email, 'Mentee Person', 'm1', false]);
      assert.match(row.message_id, /^\d+$/);
      assert.equal(new Date(row.timestamp).toISOString(), row.timestamp);
    });

    it('403 not_matched for a stranger and an unknown email; a former pair reads its archive, and the rematch continues it', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      await seedMessages(server.tandem.store, mentor, mentee, 2);
      const stranger = await createUser(admin, { role: 'MENTEE' });
      for (const [agent, partner] of [
        [stranger, mentor.email],
        [mentee, 'nobody@tandem.test'],
        [mentee, stranger.email],
      ] as const) {
        const reply = await agent.get(`/api/chat/${encodeURIComponent(partner)}/messages`);
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.body, { error: 'not_matched', message: 'You are not matched with this user' });
      }
      await admin.delete(`/api/matches/${encodeURIComponent(mentee.email)}`);
      assert.deepEqual(contents(await history(mentee, mentor)), ['m1', 'm2'], 'the archive (ARCHIVE_DAYS, lifecycle tests)');
      assert.equal((await history(stranger, mentor)).status, 403);
      await match(admin, mentor, mentee);
      assert.deepEqual(contents(await history(mentee, mentor)), ['m1', 'm2']);
    });
  });

  it('ARCHIVE_DAYS=0: no archive, a former pair reads nothing and reports nothing once unmatched', async (t) => {
    const noArchive = await startServer(t, { ARCHIVE_DAYS: '0' });
    const noArchiveAdmin = await loginAdmin(noArchive.http);
    const { mentor, mentee } = await matchedPair(noArchiveAdmin);
    const [first] = await seedMessages(noArchive.tandem.store, mentor, mentee, 2);
    assert.deepEqual(contents(await history(mentee, mentor)), ['m1', 'm2'], 'while matched');
    await noArchiveAdmin.delete(`/api/matches/${encodeURIComponent(mentee.email)}`);
    assert.equal((await history(mentee, mentor)).status, 403);
    assert.equal((await history(mentor, mentee)).status, 403);
    const listed = await mentee.get('/api/chat/conversations?include=archived');
    assert.deepEqual(listed.body.conversations, []);
    const report = await mentee.post(`/api/chat/${encodeURIComponent(mentor.email)}/messages/${first}/report`, { reason: 'too late' });
    assert.equal(report.status, 403);
  });

  describe('GET /api/chat/conversations and marking read', () => {
    it('one row per partner: last message as in history, unread counts, presence, newest activity first', async () => {
      const mentor = await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
      const quiet = await createUser(admin, { role: 'MENTEE' });
      const talker = await createUser(admin, { role: 'MENTEE' });
      await match(admin, mentor, quiet);
      await match(admin, mentor, talker);
      const before = await mentor.get('/api/chat/conversations');
      assert.equal(before.status, 200);
      assert.deepEqual(
        before.body.conversations.map((c: any) => [c.partner.email, c.last_message, c.unread_count, c.partner_online]),
        [
          [talker.email, null, 0, false],
          [quiet.email, null, 0, false],
        ],
      );
      await seedMessages(server.tandem.store, mentor, quiet, 3);
      const socket = await connectChat(server.ws, mentor.email, talker.cookie);
      socket.send({ type: 'chat_message', content: 'hello Tom' });
      await nextOf(socket, 'chat_message');
      const rows = (await mentor.get('/api/chat/conversations')).body.conversations;
      assert.deepEqual(
        rows.map((c: any) => [c.partner.email, c.last_message?.content, c.unread_count, c.partner_online]),
        [
          [talker.email, 'hello Tom', 1, true],
          [quiet.email, 'm3', 2, false],
        ],
      );
      assert.deepEqual(rows[0].partner, { email: talker.email, first_name: 'Mentee', last_name: rows[0].partner.last_name, role: 'MENTEE' });
      assert.deepEqual(rows[0].last_message, (await history(mentor, talker)).body.messages.at(-1));
      const talkerView = (await talker.get('/api/chat/conversations')).body.conversations;
      assert.deepEqual(
        talkerView.map((c: any) => [c.partner.email, c.unread_count]),
        [[mentor.email, 0]],
      );
      assert.deepEqual((await admin.get('/api/chat/conversations')).body, { conversations: [] });
      await socket.close();
    });

    it('unread counts fall after mark_read over the socket and over HTTP; the receipt goes to the partner only', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      const unread = async () => (await mentee.get('/api/chat/conversations')).body.conversations[0].unread_count;
      const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
      const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
      for (let i = 0; i < 3; i++) mentorSocket.send({ type: 'chat_message', content: `from mentor ${i}` });
      for (let i = 0; i < 3; i++) await nextOf(menteeSocket, 'chat_message');
      assert.equal(await unread(), 3);

      menteeSocket.send({ type: 'mark_read' });
      const socketReceipt = await nextOf(mentorSocket, 'read_receipt');
      assert.deepEqual([socketReceipt.reader_email, socketReceipt.count], [mentee.email, 3]);
      assert.equal(await unread(), 0);

      mentorSocket.send({ type: 'chat_message', content: 'one more' });
      mentorSocket.send({ type: 'chat_message', content: 'and another' });
      const last = await nextOf(menteeSocket, 'chat_message').then(() => nextOf(menteeSocket, 'chat_message'));
      assert.equal(await unread(), 2);
      const read = await mentee.post(`/api/chat/${encodeURIComponent(mentor.email)}/read`);
      assert.deepEqual([read.status, read.body], [200, { count: 2 }]);
      const httpReceipt = await nextOf(mentorSocket, 'read_receipt');
      assert.deepEqual(httpReceipt, { type: 'read_receipt', reader_email: mentee.email, count: 2, last_read_id: last.message_id });
      assert.equal(await unread(), 0);
      assert.deepEqual(
        (await history(mentee, mentor)).body.messages.map((m: any) => m.is_read),
        [true, true, true, true, true],
      );
      // The reader gets no receipt; her socket hears of the read made over HTTP as read_state.
      assert.deepEqual((await menteeSocket.until((f) => f.type !== 'presence' && f.type !== 'typing')).frame, {
        type: 'read_state',
        partner_email: mentor.email,
        last_read_id: last.message_id,
        unread_count: 0,
      });
      mentorSocket.send({ type: 'chat_message', content: 'after the receipt' });
      assert.equal((await menteeSocket.until((f) => f.type !== 'presence' && f.type !== 'typing')).frame.content, 'after the receipt');

      const again = await mentee.post(`/api/chat/${encodeURIComponent(mentor.email)}/read`, {});
      assert.deepEqual([again.status, again.body], [200, { count: 1 }]);
      const empty = await mentee.post(`/api/chat/${encodeURIComponent(mentor.email)}/read`, {});
      assert.deepEqual(empty.body, { count: 0 });
      await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    });
  });
});
