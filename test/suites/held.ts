/**
 * A held message never reaches the partner (PROTOCOL.md Part 7, "The filter"), written once
 * against a `Cluster` as the chat suite is: the mentee on `side(0)`, the mentor on `side(1)`.
 * Each check that nothing arrived is made with a later message as a barrier: the partner's
 * next frame is that message, so nothing came between.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../../src/store/index.js';
import { type Agent, matchedPair } from '../helpers/http.js';
import { chatWith, connectChat, type Frame, type TestSocket } from '../helpers/socket.js';
import type { Cluster } from './chat.js';

export const MODERATED = { CONVERSATION_POLICY: 'moderated' } as const;

/** The next `chat_message` frames of `socket`, as [seq, content]; anything else first fails. */
async function messages(socket: TestSocket, count: number): Promise<Array<[number, string]>> {
  const got: Array<[number, string]> = [];
  for (let i = 0; i < count; i++) {
    const frame = await socket.expect('chat_message');
    got.push([frame.seq, frame.content]);
  }
  return got;
}

/** Every message of the pair a fresh connection of `agent` replays with `?after=0`, then the barrier `sendBarrier` makes. */
async function replay(base: string, agent: Agent, partnerEmail: string, count: number): Promise<Array<[number, string]>> {
  const socket = await connectChat(base, partnerEmail, agent.cookie, { query: '?after=0' });
  try {
    return await messages(socket, count);
  } finally {
    await socket.close();
  }
}

export function heldSuite(
  name: string,
  makeCluster: (cleanup: { after(fn: () => unknown): void }) => Promise<Cluster & { store: Store }>,
  cleanup: { after(fn: () => unknown): void },
): void {
  describe(name, () => {
    let cluster: Cluster & { store: Store };
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

    /** Stores a message as an instance that died before publishing it would have: a gap for every live connection. */
    async function storeUnpublished(email: string, content: string) {
      const sender = (await cluster.store.accounts.byEmail(email))!;
      const [match] = await cluster.store.matches.list(sender.id);
      return (await cluster.store.messages.append({ pairId: match!.pairId, senderId: sender.id, content })).message;
    }

    it('reaches no path of the partner until approved, then each exactly once and in seq order', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      menteeSocket.send({ type: 'chat_message', content: 'hello' });
      assert.deepEqual(await messages(mentorSocket, 1), [[1, 'hello']]);
      assert.deepEqual(await messages(menteeSocket, 1), [[1, 'hello']]);

      // Held: the sender's echo is marked and has no seq; the partner gets nothing live.
      menteeSocket.send({ type: 'chat_message', content: 'text me on 07911 123456', client_id: 'held-1' });
      const echo: Frame = await menteeSocket.expect('chat_message');
      assert.equal(echo.status, 'held');
      assert.equal(echo.rule, 'phone');
      assert.equal(echo.seq, undefined);
      assert.equal(echo.client_id, 'held-1');
      assert.match(echo.message_id, /^h\d+$/);
      // A retry with the same client_id is the same held message, not a second one.
      menteeSocket.send({ type: 'chat_message', content: 'text me on 07911 123456', client_id: 'held-1' });
      assert.deepEqual(await menteeSocket.expect('chat_message'), echo);
      menteeSocket.send({ type: 'chat_message', content: 'after' });
      assert.deepEqual(await messages(mentorSocket, 1), [[2, 'after']]);
      assert.deepEqual(await messages(menteeSocket, 1), [[2, 'after']]);

      // Resume from the start, on the other side's instance too.
      assert.deepEqual(await replay(cluster.side(1).ws, mentor, mentee.email, 2), [
        [1, 'hello'],
        [2, 'after'],
      ]);
      assert.deepEqual(await replay(cluster.side(0).ws, mentor, mentee.email, 2), [
        [1, 'hello'],
        [2, 'after'],
      ]);

      // A gap fill: seq 3 was never published, seq 4 reveals it; the held message is in neither.
      await storeUnpublished(mentee.email, 'unpublished');
      menteeSocket.send({ type: 'chat_message', content: 'live' });
      assert.deepEqual(await messages(mentorSocket, 2), [
        [3, 'unpublished'],
        [4, 'live'],
      ]);
      assert.deepEqual(await messages(menteeSocket, 2), [
        [3, 'unpublished'],
        [4, 'live'],
      ]);

      // History and conversations, on both instances.
      for (const side of [0, 1] as const) {
        const base = cluster.side(side).http;
        const page = await fetch(`${base}/api/chat/${encodeURIComponent(mentee.email)}/messages`, { headers: { cookie: mentor.cookie! } }).then(
          (r) => r.json() as Promise<any>,
        );
        assert.deepEqual(
          page.messages.map((m: { content: string }) => m.content),
          ['hello', 'after', 'unpublished', 'live'],
        );
        assert.deepEqual(page.undelivered, []);
        const rows = await fetch(`${base}/api/chat/conversations`, { headers: { cookie: mentor.cookie! } }).then((r) => r.json() as Promise<any>);
        assert.equal(rows.conversations[0].last_message.content, 'live');
        assert.equal(rows.conversations[0].unread_count, 4);
      }
      const own = (await mentee.get(`/api/chat/${encodeURIComponent(mentor.email)}/messages`)).body;
      assert.deepEqual(
        own.messages.map((m: { content: string }) => m.content),
        ['hello', 'after', 'unpublished', 'live'],
      );
      assert.deepEqual(
        own.undelivered.map((m: { message_id: string; status: string }) => [m.message_id, m.status]),
        [[echo.message_id, 'held']],
      );

      // Approval: the next seq, a normal chat_message to both sides.
      const approved = await cluster.admin.post(`/api/moderation/${echo.message_id}/approve`);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.message.seq, 5);
      const delivered = await mentorSocket.expect('chat_message');
      assert.deepEqual([delivered.seq, delivered.content, delivered.client_id, delivered.status], [5, 'text me on 07911 123456', 'held-1', undefined]);
      assert.match(delivered.message_id, /^\d+$/);
      assert.deepEqual(await menteeSocket.expect('chat_message'), delivered);
      assert.equal((await cluster.admin.post(`/api/moderation/${echo.message_id}/approve`)).status, 409);

      // After approval every path has it once, in order.
      menteeSocket.send({ type: 'chat_message', content: 'last' });
      assert.deepEqual(await messages(mentorSocket, 1), [[6, 'last']]);
      assert.deepEqual(await messages(menteeSocket, 1), [[6, 'last']]);
      const all: Array<[number, string]> = [
        [1, 'hello'],
        [2, 'after'],
        [3, 'unpublished'],
        [4, 'live'],
        [5, 'text me on 07911 123456'],
        [6, 'last'],
      ];
      assert.deepEqual(await replay(cluster.side(1).ws, mentor, mentee.email, 6), all);
      const page = (await mentor.get(`/api/chat/${encodeURIComponent(mentee.email)}/messages`)).body;
      assert.deepEqual(
        page.messages.map((m: { seq: number; content: string }) => [m.seq, m.content]),
        all,
      );
      assert.deepEqual((await mentee.get(`/api/chat/${encodeURIComponent(mentor.email)}/messages`)).body.undelivered, []);
      // A retry after approval is answered by the delivered message, nothing new: a socket
      // that had it already is not sent it again (the barrier is its next frame), a new one is.
      menteeSocket.send({ type: 'chat_message', content: 'text me on 07911 123456', client_id: 'held-1' });
      menteeSocket.send({ type: 'chat_message', content: 'barrier' });
      assert.deepEqual(await messages(menteeSocket, 1), [[7, 'barrier']]);
      assert.deepEqual(await messages(mentorSocket, 1), [[7, 'barrier']]);
      const fresh = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      fresh.send({ type: 'chat_message', content: 'text me on 07911 123456', client_id: 'held-1' });
      const again = await fresh.expect('chat_message');
      assert.deepEqual([again.seq, again.client_id], [5, 'held-1']);
      // The partner is sent no copy of the answer: a later marker is its next frame.
      fresh.send({ type: 'chat_message', content: 'marker' });
      await mentorSocket.nothingBefore(chatWith('marker'));
      await Promise.all([menteeSocket.close(), mentorSocket.close(), fresh.close()]);
    });

    it('an approval whose publish was lost reaches the partner by gap fill, once', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      menteeSocket.send({ type: 'chat_message', content: 'my email is jo@example.com' });
      const echo = await menteeSocket.expect('chat_message');
      assert.equal(echo.status, 'held');
      // Approved in the store without a publish: what an instance that died right after its commit leaves.
      await cluster.store.moderation.approve(Number(echo.message_id.slice(1)), 'admin');
      mentorSocket.send({ type: 'chat_message', content: 'reply' });
      assert.deepEqual(await messages(menteeSocket, 2), [
        [1, 'my email is jo@example.com'],
        [2, 'reply'],
      ]);
      assert.deepEqual(await messages(mentorSocket, 2), [
        [1, 'my email is jo@example.com'],
        [2, 'reply'],
      ]);
      assert.deepEqual(await replay(cluster.side(1).ws, mentor, mentee.email, 2), [
        [1, 'my email is jo@example.com'],
        [2, 'reply'],
      ]);
      await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    });

    it('a rejected message is never delivered, and its sender is told why', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const menteeTab2 = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      mentorSocket.send({ type: 'chat_message', content: 'add me on www.example.com' });
      const echo = await mentorSocket.expect('chat_message');
      assert.deepEqual([echo.status, echo.rule], ['held', 'link']);
      const rejected = await cluster.admin.post(`/api/moderation/${echo.message_id}/reject`, { reason: 'No links, please' });
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
      assert.equal(rejected.body.held.status, 'rejected');
      assert.deepEqual(await mentorSocket.expect('message_status'), {
        type: 'message_status',
        message_id: echo.message_id,
        status: 'rejected',
        reason: 'No links, please',
      });
      assert.equal((await cluster.admin.post(`/api/moderation/${echo.message_id}/approve`)).status, 409);
      assert.equal((await cluster.admin.post(`/api/moderation/${echo.message_id}/reject`, { reason: 'again' })).status, 409);
      mentorSocket.send({ type: 'chat_message', content: 'sorry' });
      for (const socket of [menteeSocket, menteeTab2]) assert.deepEqual(await messages(socket, 1), [[1, 'sorry']]);
      assert.deepEqual(await messages(mentorSocket, 1), [[1, 'sorry']]);
      assert.deepEqual(await replay(cluster.side(0).ws, mentee, mentor.email, 1), [[1, 'sorry']]);
      const own = (await mentor.get(`/api/chat/${encodeURIComponent(mentee.email)}/messages`)).body;
      assert.deepEqual(
        own.undelivered.map((m: { status: string; reason: string }) => [m.status, m.reason]),
        [['rejected', 'No links, please']],
      );
      assert.deepEqual(
        (await mentee.get(`/api/chat/${encodeURIComponent(mentor.email)}/messages`)).body.messages.map((m: { content: string }) => m.content),
        ['sorry'],
      );
      await Promise.all([menteeSocket.close(), menteeTab2.close(), mentorSocket.close()]);
    });

    it('the queue shows held messages with up to 10 messages of context, and decisions are audited', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      for (let i = 1; i <= 12; i++) {
        (i % 2 ? menteeSocket : mentorSocket).send({ type: 'chat_message', content: `m${i}` });
        await Promise.all([menteeSocket.expect('chat_message'), mentorSocket.expect('chat_message')]);
      }
      menteeSocket.send({ type: 'chat_message', content: 'jo [at] example [dot] com' });
      const echo = await menteeSocket.expect('chat_message');
      const reply = await cluster.admin.get('/api/moderation');
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const queue = reply.body;
      const item = queue.held.find((held: { message_id: string }) => held.message_id === echo.message_id);
      assert.ok(item, 'the held message is in the queue');
      assert.deepEqual(
        [item.sender.email, item.receiver.email, item.rule, item.matched, item.status],
        [mentee.email, mentor.email, 'email', 'jo@example.com', 'held'],
      );
      assert.deepEqual(
        item.context.map((m: { content: string }) => m.content),
        ['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12'],
      );
      assert.equal((await cluster.admin.post(`/api/moderation/${echo.message_id}/reject`, { reason: 'contact details' })).status, 200);
      const entries = (await cluster.admin.get('/api/audit?limit=5')).body.entries;
      const entry = entries.find((e: { target: string }) => e.target === `held:${echo.message_id.slice(1)}`);
      assert.deepEqual([entry.action, entry.actor, entry.detail.reason], ['reject', cluster.admin.email, 'contact details']);
      assert.ok(!JSON.stringify(entries).includes('jo [at] example'), 'the audit log holds no message content');
      await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    });

    it('a retry whose original is held (or rejected) gets the held original back, whatever its content, and stores nothing', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const otherTab = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      menteeSocket.send({ type: 'chat_message', content: 'text me on 07911 123456', client_id: 'retry-held' });
      const echo = await menteeSocket.expect('chat_message');
      assert.equal(echo.status, 'held');
      // The retry's content passes the filter (the client edited it, or the word list changed): still the held one.
      menteeSocket.send({ type: 'chat_message', content: 'text me later', client_id: 'retry-held' });
      assert.deepEqual(await menteeSocket.expect('chat_message'), echo);
      otherTab.send({ type: 'chat_message', content: 'text me later', client_id: 'retry-held' });
      assert.deepEqual(await otherTab.expect('chat_message'), echo);
      // Rejected: a retry still gets the answer its first attempt got.
      assert.equal((await cluster.admin.post(`/api/moderation/${echo.message_id}/reject`, { reason: 'No numbers' })).status, 200);
      assert.equal((await menteeSocket.expect('message_status')).status, 'rejected');
      menteeSocket.send({ type: 'chat_message', content: 'text me later', client_id: 'retry-held' });
      assert.deepEqual(await menteeSocket.expect('chat_message'), echo);
      // The barrier is the pair's first message: no retry was stored before it.
      menteeSocket.send({ type: 'chat_message', content: 'barrier', client_id: 'retry-barrier' });
      assert.deepEqual(await messages(mentorSocket, 1), [[1, 'barrier']]);
      assert.deepEqual(await messages(menteeSocket, 1), [[1, 'barrier']]);
      const page = (await mentor.get(`/api/chat/${encodeURIComponent(mentee.email)}/messages`)).body;
      assert.deepEqual(
        page.messages.map((m: { content: string }) => m.content),
        ['barrier'],
      );
      await Promise.all([menteeSocket.close(), otherTab.close(), mentorSocket.close()]);
    });
  });
}
