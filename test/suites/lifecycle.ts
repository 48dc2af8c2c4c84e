/**
 * The match lifecycle (PROTOCOL.md Part 7, "Lifecycle"), written once against a cluster: one
 * instance, or two sharing PostgreSQL and Redis, with the mentee on `side(0)` and the mentor
 * on `side(1)`. The event stream, pause (and its race), the archive under a clock the test
 * moves, and read state on every device. Each test makes its own pair.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Agent, createUser, match, matchedPair } from '../helpers/http.js';
import { chatUrl, chatWith, connectChat, connectStream, TestSocket, type Frame } from '../helpers/socket.js';

export interface LifecycleCluster {
  admin: Agent;
  /** Base URLs of the instance serving side `i` (0: mentee, 1: mentor). */
  side(i: 0 | 1): { http: string; ws: string };
  /** Moves every instance's clock (the archive's age) forward. */
  advanceClock(ms: number): void;
}

const DAY_MS = 24 * 3600 * 1000;
const enc = encodeURIComponent;
const partnerEmails = (reply: { body: { conversations: Array<{ partner: { email: string }; archived: boolean }> } }) =>
  reply.body.conversations.map((row) => [row.partner.email, row.archived]);

/** The next frame of `socket` that is not presence or typing. */
async function nextSignal(socket: TestSocket): Promise<Frame> {
  return (await socket.until((frame) => frame.type !== 'presence' && frame.type !== 'typing')).frame;
}

export function lifecycleSuite(
  name: string,
  makeCluster: (cleanup: { after(fn: () => unknown): void }) => Promise<LifecycleCluster>,
  cleanup: { after(fn: () => unknown): void },
): void {
  describe(name, () => {
    let cluster: LifecycleCluster;
    before(async () => {
      cluster = await makeCluster(cleanup);
    });

    /** A mentor and a mentee, not matched yet, each with an event stream: the mentee's on side 0, the mentor's on side 1. */
    async function twoPeople() {
      const mentor = await createUser(cluster.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
      const mentee = await createUser(cluster.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' }, cluster.side(0).http);
      const menteeStream = await connectStream(cluster.side(0).ws, mentee.cookie);
      const mentorStream = await connectStream(cluster.side(1).ws, mentor.cookie);
      return { mentor, mentee, menteeStream, mentorStream };
    }

    it('the event stream: 4001 without a live session, connection_established otherwise', async () => {
      for (const cookie of [undefined, 'sessionid=not-a-session']) {
        const socket = new TestSocket(`${cluster.side(0).ws}/ws/me/`, { cookie });
        assert.equal((await socket.closedWithin()).code, 4001);
      }
      const { menteeStream, mentorStream } = await twoPeople();
      assert.deepEqual(menteeStream.established, { type: 'connection_established', message: 'Connected to events' });
      await Promise.all([menteeStream.close(), mentorStream.close()]);
    });

    it('match_created reaches both people at once, on either instance; match_ended too, with force_disconnect on the chat sockets', async (t) => {
      const { mentor, mentee, menteeStream, mentorStream } = await twoPeople();
      const started = performance.now();
      await match(cluster.admin, mentor, mentee);
      const [forMentee, forMentor] = await Promise.all([menteeStream.next(), mentorStream.next()]);
      t.diagnostic(`match_created on both streams ${Math.round(performance.now() - started)} ms after the match API call was sent`);
      assert.deepEqual(forMentee, { type: 'match_created', partner: { email: mentor.email, first_name: 'Tom', last_name: 'Ng', role: 'MENTOR' } });
      assert.deepEqual(forMentor, { type: 'match_created', partner: { email: mentee.email, first_name: 'Mia', last_name: 'Lee', role: 'MENTEE' } });

      const chat = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      assert.equal((await cluster.admin.delete(`/api/matches/${enc(mentee.email)}`)).status, 204);
      assert.deepEqual(await menteeStream.next(), { type: 'match_ended', partner_email: mentor.email, reason: 'unmatched' });
      assert.deepEqual(await mentorStream.next(), { type: 'match_ended', partner_email: mentee.email, reason: 'unmatched' });
      assert.deepEqual(await nextSignal(chat), { type: 'force_disconnect', reason: 'unmatched' });
      assert.equal((await chat.closedWithin()).code, 1000);
      await Promise.all([menteeStream.close(), mentorStream.close()]);
    });

    it('nothing is missed across a reconnect: the state is re-read after connection_established, and later events arrive', async () => {
      const { mentor, mentee, menteeStream, mentorStream } = await twoPeople();
      await menteeStream.close();
      // While the mentee's stream is down: matched, and a first message.
      await match(cluster.admin, mentor, mentee);
      const chat = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      chat.send({ type: 'chat_message', content: 'Welcome!' });
      await chat.expect('chat_message');
      const back = await connectStream(cluster.side(0).ws, mentee.cookie);
      const state = await mentee.get('/api/chat/conversations');
      assert.deepEqual(
        state.body.conversations.map((row: any) => [row.partner.email, row.unread_count, row.last_message.content]),
        [[mentor.email, 1, 'Welcome!']],
      );
      // The subscription is live before connection_established: the very next change arrives.
      chat.send({ type: 'chat_message', content: 'Still there?' });
      assert.deepEqual(await back.next(), { type: 'unread', partner_email: mentor.email, unread_count: 2 });
      // The mentor's stream had match_created and nothing else: the mentee's marker message
      // (unread for the mentor) is the very next frame.
      assert.equal((await mentorStream.next()).type, 'match_created');
      const menteeChat = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      menteeChat.send({ type: 'chat_message', content: 'marker' });
      assert.deepEqual(await mentorStream.nothingBefore((f) => f.type === 'unread'), { type: 'unread', partner_email: mentee.email, unread_count: 1 });
      await Promise.all([back.close(), mentorStream.close(), chat.close(), menteeChat.close()]);
    });

    it("logout ends the session's event streams with force_disconnect", async () => {
      const { mentee, menteeStream, mentorStream } = await twoPeople();
      await mentee.post('/api/auth/logout');
      assert.deepEqual(await menteeStream.next(), { type: 'force_disconnect', reason: 'logged_out' });
      assert.equal((await menteeStream.closedWithin()).code, 1000);
      await mentorStream.close();
    });

    it('pause: both sides get match_state on chat sockets and streams; sending is refused with match_paused and nothing stored; resume', async () => {
      const { mentor, mentee, menteeStream, mentorStream } = await twoPeople();
      await match(cluster.admin, mentor, mentee);
      await Promise.all([menteeStream.next(), mentorStream.next()]);
      const menteeChat = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      const mentorChat = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      const paused = await cluster.admin.post(`/api/matches/${enc(mentee.email)}/pause`);
      assert.deepEqual([paused.status, paused.body.paused, paused.body.mentee.email], [200, true, mentee.email]);
      for (const chat of [menteeChat, mentorChat]) assert.deepEqual(await nextSignal(chat), { type: 'match_state', state: 'paused' });
      assert.deepEqual(await menteeStream.next(), { type: 'match_state', partner_email: mentor.email, state: 'paused' });
      assert.deepEqual(await mentorStream.next(), { type: 'match_state', partner_email: mentee.email, state: 'paused' });
      const listed = (await mentee.get('/api/chat/conversations')).body.conversations[0];
      assert.deepEqual([listed.paused, listed.archived], [true, false]);

      menteeChat.send({ type: 'chat_message', content: 'anyone?', client_id: 'p-1' });
      assert.deepEqual(await nextSignal(menteeChat), { type: 'error', message: 'This conversation is paused', code: 'match_paused', client_id: 'p-1' });
      const late = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      assert.equal(late.established?.match_state, 'paused', 'a connection to a paused pair says so');
      late.send({ type: 'typing', is_typing: true });
      assert.deepEqual(
        (await menteeChat.until((f) => f.type === 'typing')).frame,
        { type: 'typing', sender_email: mentor.email, is_typing: true },
        'the pair still connects',
      );
      assert.deepEqual((await mentee.get(`/api/chat/${enc(mentor.email)}/messages`)).body.messages, []);

      const resumed = await cluster.admin.post(`/api/matches/${enc(mentee.email)}/resume`);
      assert.deepEqual([resumed.status, resumed.body.paused], [200, false]);
      assert.deepEqual(await nextSignal(menteeChat), { type: 'match_state', state: 'active' });
      assert.deepEqual(await mentorStream.next(), { type: 'match_state', partner_email: mentee.email, state: 'active' });
      menteeChat.send({ type: 'chat_message', content: 'back again', client_id: 'p-1' });
      assert.equal((await nextSignal(menteeChat)).seq, 1);
      assert.equal((await cluster.admin.post(`/api/matches/${enc(mentor.email)}/pause`)).status, 404, 'a mentor names no match');
      await Promise.all([menteeChat, mentorChat, late, menteeStream, mentorStream].map((s) => s.close()));
    });

    it('a pause racing a burst of sends: every message is echoed and stored, or refused and not stored; none after the pause', async (t) => {
      const { mentor, mentee } = await matchedPair(cluster.admin, cluster.side(0).http);
      const chat = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      const count = 40;
      for (let i = 0; i < count; i++) chat.send({ type: 'chat_message', content: `m${i}`, client_id: `race-${i}` });
      // The pause goes to the other instance while the burst is being stored.
      const mentorSide = new Agent(cluster.side(1).http);
      mentorSide.session = cluster.admin.session;
      assert.equal((await mentorSide.post(`/api/matches/${enc(mentee.email)}/pause`)).status, 200);
      const outcomes = new Map<string, string>();
      while (outcomes.size < count) {
        const frame = await chat.next();
        if (frame.type === 'chat_message' || (frame.type === 'error' && frame.code === 'match_paused')) outcomes.set(String(frame.client_id), frame.type);
      }
      chat.send({ type: 'chat_message', content: 'after the pause', client_id: 'after' });
      assert.equal((await chat.until((f) => f.type === 'error' || f.type === 'chat_message')).frame.code, 'match_paused');
      const stored = (await mentee.get(`/api/chat/${enc(mentor.email)}/messages?limit=200`)).body.messages;
      const echoed = [...outcomes].filter(([, type]) => type === 'chat_message').map(([id]) => id);
      t.diagnostic(`${echoed.length} of ${count} stored before the pause, ${count - echoed.length} refused`);
      assert.deepEqual(stored.map((m: any) => m.client_id).sort(), echoed.sort(), 'stored exactly what was echoed');
      assert.deepEqual(
        stored.map((m: any) => m.seq),
        stored.map((_: unknown, i: number) => i + 1),
      );
      await chat.close();
    });

    it('archive: the former pair reads its history over HTTP, listed with include=archived; others never; gone after ARCHIVE_DAYS', async () => {
      const { mentor, mentee } = await matchedPair(cluster.admin, cluster.side(0).http);
      const chat = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      chat.send({ type: 'chat_message', content: 'kept for later' });
      await chat.expect('chat_message');
      await cluster.admin.delete(`/api/matches/${enc(mentee.email)}`);
      await chat.closedWithin();
      const stranger = await createUser(cluster.admin, { role: 'MENTEE' });
      const history = (agent: Agent, partner: Agent) => agent.get(`/api/chat/${enc(partner.email)}/messages`);
      assert.deepEqual(
        (await history(mentee, mentor)).body.messages.map((m: any) => m.content),
        ['kept for later'],
      );
      assert.deepEqual(
        (await history(mentor, mentee)).body.messages.map((m: any) => m.content),
        ['kept for later'],
      );
      assert.equal((await history(stranger, mentor)).status, 403);
      assert.equal((await mentee.post(`/api/chat/${enc(mentor.email)}/read`)).status, 403, 'the archive is read-only');
      assert.deepEqual(partnerEmails(await mentee.get('/api/chat/conversations')), []);
      assert.deepEqual(partnerEmails(await mentee.get('/api/chat/conversations?include=archived')), [[mentor.email, true]]);
      const refused = new TestSocket(chatUrl(cluster.side(1).ws, mentor.email), { cookie: mentee.cookie });
      assert.equal((await refused.closedWithin()).code, 4003, 'sending stays impossible');

      cluster.advanceClock(31 * DAY_MS);
      try {
        assert.equal((await history(mentee, mentor)).status, 403, 'past ARCHIVE_DAYS');
        assert.deepEqual(partnerEmails(await mentor.get('/api/chat/conversations?include=archived')), []);
      } finally {
        cluster.advanceClock(-31 * DAY_MS);
      }
    });

    it('reporting from the archive: a mentee unmatched from the mentor reports what was said; not a stranger, not past ARCHIVE_DAYS', async () => {
      const { mentor, mentee } = await matchedPair(cluster.admin, cluster.side(0).http);
      const chat = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      chat.send({ type: 'chat_message', content: 'something abusive' });
      const said = await chat.expect('chat_message');
      await cluster.admin.delete(`/api/matches/${enc(mentee.email)}`);
      await chat.closedWithin();
      const report = (agent: Agent, partner: Agent) =>
        new Agent(cluster.side(0).http).post(
          `/api/chat/${enc(partner.email)}/messages/${said.message_id}/report`,
          { reason: 'it frightened me' },
          { cookie: agent.cookie! },
        );
      const stranger = await createUser(cluster.admin, { role: 'MENTEE' });
      assert.equal((await report(stranger, mentor)).status, 403);
      const reported = await report(mentee, mentor);
      assert.equal(reported.status, 201, JSON.stringify(reported.body));
      const seen = (await cluster.admin.get(`/api/reports/${reported.body.report_id}`)).body;
      assert.equal(seen.message.content, 'something abusive');
      assert.equal(seen.reason, 'it frightened me');

      cluster.advanceClock(31 * DAY_MS);
      try {
        assert.equal((await report(mentee, mentor)).status, 403, 'past ARCHIVE_DAYS');
      } finally {
        cluster.advanceClock(-31 * DAY_MS);
      }
    });

    it('a re-match of the same pair continues the same conversation and seq', async () => {
      const { mentor, mentee } = await matchedPair(cluster.admin, cluster.side(0).http);
      const first = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      first.send({ type: 'chat_message', content: 'one' });
      await first.expect('chat_message');
      await cluster.admin.delete(`/api/matches/${enc(mentee.email)}`);
      await first.closedWithin();
      await match(cluster.admin, mentor, mentee);
      const again = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      again.send({ type: 'chat_message', content: 'two' });
      assert.equal((await again.expect('chat_message')).seq, 2);
      assert.deepEqual(partnerEmails(await mentee.get('/api/chat/conversations?include=archived')), [[mentor.email, false]]);
      assert.deepEqual(
        (await mentee.get(`/api/chat/${enc(mentor.email)}/messages`)).body.messages.map((m: any) => m.content),
        ['one', 'two'],
      );
      await again.close();
    });

    it("read state reaches the reader's other tab and streams on the other instance, never the partner; unread counts follow", async () => {
      const { mentor, mentee, menteeStream, mentorStream } = await twoPeople();
      await match(cluster.admin, mentor, mentee);
      await Promise.all([menteeStream.next(), mentorStream.next()]);
      const tab1 = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      const tab2 = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      const mentorChat = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      mentorChat.send({ type: 'chat_message', content: 'first' });
      mentorChat.send({ type: 'chat_message', content: 'second' });
      const last = (await tab1.until((f) => f.type === 'chat_message' && f.content === 'second')).frame;
      await tab2.until((f) => f.type === 'chat_message' && f.content === 'second');
      // A burst may be counted once or more; the counts only grow, up to the current one.
      const counted = await menteeStream.until((f) => f.unread_count === 2);
      assert.deepEqual(counted.frame, { type: 'unread', partner_email: mentor.email, unread_count: 2 });

      tab1.send({ type: 'mark_read' });
      const readState = { type: 'read_state', partner_email: mentor.email, last_read_id: last.message_id, unread_count: 0 };
      assert.deepEqual(await nextSignal(tab2), readState, 'the other tab, on the other instance');
      const streamed = await menteeStream.until((f) => f.type === 'read_state');
      assert.deepEqual(streamed.frame, readState);
      assert.ok(
        streamed.skipped.every((f) => f.type === 'unread' && f.unread_count === 2),
        JSON.stringify(streamed.skipped),
      );
      assert.equal((await mentorChat.until((f) => f.type === 'read_receipt')).frame.reader_email, mentee.email);
      // Over HTTP every tab of the reader hears of it; the partner only ever gets receipts.
      mentorChat.send({ type: 'chat_message', content: 'third' });
      const third = (await tab1.until((f) => f.type === 'chat_message')).frame;
      await tab2.until((f) => f.type === 'chat_message');
      assert.deepEqual(await menteeStream.next(), { type: 'unread', partner_email: mentor.email, unread_count: 1 });
      assert.equal((await mentee.post(`/api/chat/${enc(mentor.email)}/read`)).body.count, 1);
      const httpState = { ...readState, last_read_id: third.message_id };
      assert.deepEqual(await nextSignal(tab1), httpState);
      assert.deepEqual(await nextSignal(tab2), httpState);
      assert.deepEqual(await menteeStream.next(), httpState);
      assert.equal((await mentorChat.until((f) => f.type === 'read_receipt')).frame.reader_email, mentee.email);
      // Never the partner: the reader's marker message is the next frame of the mentor's chat
      // socket and (as unread) of the mentor's stream.
      tab1.send({ type: 'chat_message', content: 'marker' });
      await mentorChat.nothingBefore(chatWith('marker'));
      assert.deepEqual(await mentorStream.nothingBefore((f) => f.type === 'unread'), { type: 'unread', partner_email: mentee.email, unread_count: 1 });
      await Promise.all([tab1, tab2, mentorChat, menteeStream, mentorStream].map((s) => s.close()));
    });
  });
}
