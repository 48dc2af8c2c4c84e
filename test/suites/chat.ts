/**
 * The chat protocol (PROTOCOL.md Part 1 inbound/outbound tables), written once against a
 * `Cluster`: one instance, or several sharing backends, with the mentee on `side(0)` and
 * the mentor on `side(1)`. Each test makes its own pair, so tests never see each other.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ErrorText } from '../../src/protocol/frames.js';
import { type Agent, matchedPair } from '../helpers/http.js';
import { chatWith, connectChat, chatUrl, TestSocket, type Frame } from '../helpers/socket.js';
import { passwordOf } from '../helpers/accounts.js';
import { exactlyOnceTests } from './exactly-once.js';

/** The suite sends bursts on purpose; per-connection rate limits are tested in limits.test.ts. */
export const UNLIMITED = {
  WS_RATE_PER_SECOND: '1000000',
  WS_RATE_BURST: '1000000',
  WS_USER_RATE_PER_SECOND: '1000000',
  WS_USER_RATE_BURST: '1000000',
} as const;

export interface Cluster {
  admin: Agent;
  /** Base URLs of the instance serving side `i` (0: mentee, 1: mentor). */
  side(i: 0 | 1): { http: string; ws: string };
}

export function chatSuite(
  name: string,
  makeCluster: (cleanup: { after(fn: () => unknown): void }) => Promise<Cluster>,
  cleanup: { after(fn: () => unknown): void },
): void {
  describe(name, () => {
    let cluster: Cluster;
    before(async () => {
      cluster = await makeCluster(cleanup);
    });

    exactlyOnceTests(() => cluster);

    async function setup() {
      const { mentor, mentee } = await matchedPair(cluster.admin, cluster.side(0).http);
      // The mentor's agent logged in on side 0's instance; sessions are shared through the store.
      const menteeSocket = await connectChat(cluster.side(0).ws, mentor.email, mentee.cookie);
      const mentorSocket = await connectChat(cluster.side(1).ws, mentee.email, mentor.cookie);
      // The mentee sees the mentor come online (PROTOCOL Part 2, presence).
      assert.deepEqual(await menteeSocket.next(), { type: 'presence', email: mentor.email, online: true });
      return { mentor, mentee, menteeSocket, mentorSocket };
    }

    it('stores then broadcasts a chat_message to both participants, with the exact fields', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      menteeSocket.send({ type: 'chat_message', content: '  Hello!\n' });
      const echo = await menteeSocket.expect('chat_message');
      const received = await mentorSocket.expect('chat_message');
      assert.deepEqual(received, echo);
      assert.deepEqual(Object.keys(echo).sort(), ['content', 'message_id', 'sender_email', 'sender_name', 'seq', 'timestamp', 'type']);
      assert.equal(echo.content, 'Hello!');
      assert.equal(echo.sender_email, mentee.email);
      assert.equal(echo.sender_name, 'Mentee Person');
      assert.equal(typeof echo.message_id, 'string');
      assert.match(echo.message_id, /^\d+$/);
      assert.equal(echo.seq, 1);
      assert.equal(new Date(echo.timestamp).toISOString(), echo.timestamp);

      mentorSocket.send({ type: 'chat_message', content: 'Hi there' });
      const reply = await menteeSocket.expect('chat_message');
      assert.deepEqual(await mentorSocket.expect('chat_message'), reply);
      assert.equal(reply.sender_email, mentor.email);
      assert.equal(reply.sender_name, 'Mentor Person');
      assert.equal(reply.seq, 2);
      assert.ok(Number(reply.message_id) > Number(echo.message_id));
      await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    });

    it('fans out to every connection of both participants (two tabs each)', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const menteeTab2 = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      const mentorTab2 = await connectChat(cluster.side(0).ws, mentee.email, mentor.cookie);
      const all = [menteeSocket, menteeTab2, mentorSocket, mentorTab2];
      menteeTab2.send({ type: 'chat_message', content: 'from the second tab' });
      const frames = await Promise.all(all.map((s) => s.expect('chat_message')));
      for (const frame of frames) assert.deepEqual(frame, frames[0]);
      mentorSocket.send({ type: 'chat_message', content: 'answer' });
      const answers = await Promise.all(all.map((s) => s.expect('chat_message')));
      for (const frame of answers) assert.equal(frame.content, 'answer');
      // Exactly once: a later marker is the next frame on every tab, so no late copy was on its way.
      mentorTab2.send({ type: 'chat_message', content: 'marker' });
      await Promise.all(all.map((s) => s.nothingBefore(chatWith('marker'))));
      await Promise.all(all.map((s) => s.close()));
    });

    it('forwards typing to the partner only, never to any tab of the typer', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const menteeTab2 = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      menteeSocket.send({ type: 'typing', is_typing: true });
      assert.deepEqual(await mentorSocket.next(), { type: 'typing', sender_email: mentee.email, is_typing: true });
      menteeSocket.send({ type: 'typing' });
      assert.deepEqual(await mentorSocket.next(), { type: 'typing', sender_email: mentee.email, is_typing: false });
      // Events of one sender keep their order, so a message sent after the typing frames is
      // the next thing the typer's tabs see: typing was never echoed to them.
      menteeSocket.send({ type: 'chat_message', content: 'done typing' });
      assert.equal((await menteeSocket.next()).type, 'chat_message');
      assert.equal((await menteeTab2.next()).type, 'chat_message');
      assert.equal((await mentorSocket.next()).type, 'chat_message');
      mentorSocket.send({ type: 'typing', is_typing: true });
      assert.deepEqual(await menteeTab2.next(), { type: 'typing', sender_email: mentor.email, is_typing: true });
      await Promise.all([menteeSocket.close(), menteeTab2.close(), mentorSocket.close()]);
    });

    it('marks the partner’s messages read and sends read_receipt to the partner only', async () => {
      const { mentor, menteeSocket, mentorSocket } = await setup();
      for (const content of ['one', 'two', 'three']) menteeSocket.send({ type: 'chat_message', content });
      const sent: Frame[] = [];
      for (let i = 0; i < 3; i++) sent.push(await mentorSocket.expect('chat_message'));
      for (let i = 0; i < 3; i++) await menteeSocket.expect('chat_message');
      mentorSocket.send({ type: 'chat_message', content: 'mine stays unread' });
      await mentorSocket.expect('chat_message');
      await menteeSocket.expect('chat_message');

      mentorSocket.send({ type: 'mark_read' });
      const receipt = await menteeSocket.expect('read_receipt');
      assert.equal(receipt.reader_email, mentor.email);
      assert.equal(receipt.count, 3);
      assert.equal(receipt.last_read_id, sent[2]!.message_id);
      // A mark_read that marks nothing sends nothing: the partner's next receipt is the next real one.
      mentorSocket.send({ type: 'mark_read' });
      menteeSocket.send({ type: 'chat_message', content: 'after' });
      assert.equal((await mentorSocket.next()).content, 'after');
      mentorSocket.send({ type: 'mark_read' });
      const { frame: again, skipped } = await menteeSocket.until((f) => f.type === 'read_receipt');
      assert.deepEqual(
        skipped.map((f) => f.content),
        ['after'],
      );
      assert.equal(again.count, 1);
      await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    });

    describe('rejections: an error frame, and the connection stays usable', () => {
      const cases: Array<[string, unknown, string]> = [
        ['empty content', { type: 'chat_message', content: '' }, 'Message content cannot be empty'],
        ['whitespace-only content', { type: 'chat_message', content: ' \t\n\u3000\u00a0' }, 'Message content cannot be empty'],
        ['missing content', { type: 'chat_message' }, 'Message content cannot be empty'],
        ['5001 code points', { type: 'chat_message', content: 'x'.repeat(5001) }, 'Message too long (max 5000 characters)'],
        ['5001 emoji (astral, two UTF-16 units each)', { type: 'chat_message', content: '😀'.repeat(5001) }, 'Message too long (max 5000 characters)'],
        ['unknown type', { type: 'shout', content: 'hi' }, 'Unknown message type'],
        ['missing type', { content: 'hi' }, 'Unknown message type'],
        ['not JSON', 'hello there', 'Invalid JSON format'],
        ['truncated JSON', '{"type":"chat_message"', 'Invalid JSON format'],
        ['a JSON array', '[{"type":"chat_message","content":"x"}]', ErrorText.notObject],
        ['a JSON string', '"chat_message"', ErrorText.notObject],
        ['JSON null', 'null', ErrorText.notObject],
        ['numeric content', { type: 'chat_message', content: 42 }, ErrorText.contentNotString],
        ['object content', { type: 'chat_message', content: { text: 'x' } }, ErrorText.contentNotString],
        ['null content', { type: 'chat_message', content: null }, ErrorText.contentNotString],
        ['content with a lone surrogate', '{"type":"chat_message","content":"a\\ud800b"}', ErrorText.badCharacters],
        ['content with a NUL character', '{"type":"chat_message","content":"a\\u0000b"}', ErrorText.badCharacters],
        ['empty client_id', { type: 'chat_message', content: 'x', client_id: '' }, ErrorText.badClientId],
        ['65-character client_id', { type: 'chat_message', content: 'x', client_id: 'c'.repeat(65) }, ErrorText.badClientId],
        ['numeric client_id', { type: 'chat_message', content: 'x', client_id: 7 }, ErrorText.badClientId],
        ['non-boolean is_typing', { type: 'typing', is_typing: 'yes' }, ErrorText.badTyping],
      ];
      for (const [label, frame, text] of cases) {
        it(label, async () => {
          const { menteeSocket, mentorSocket } = await setup();
          menteeSocket.send(frame);
          assert.deepEqual(await menteeSocket.next(), { type: 'error', message: text });
          menteeSocket.send({ type: 'chat_message', content: 'still here' });
          const echo = await menteeSocket.expect('chat_message');
          assert.equal(echo.content, 'still here');
          assert.equal(echo.seq, 1, 'the rejected frame stored nothing');
          // The partner saw no error, only the valid message.
          assert.equal((await mentorSocket.next()).type, 'chat_message');
          await Promise.all([menteeSocket.close(), mentorSocket.close()]);
        });
      }

      it('the error reaches only the connection that sent the bad frame, not another tab of the sender', async () => {
        const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
        const menteeTab2 = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
        menteeSocket.send('not json at all');
        assert.deepEqual(await menteeSocket.next(), { type: 'error', message: 'Invalid JSON format' });
        // A later marker is the next frame of the other tab and of the partner: no error before it.
        menteeSocket.send({ type: 'chat_message', content: 'marker' });
        await Promise.all([menteeSocket, menteeTab2, mentorSocket].map((socket) => socket.nothingBefore(chatWith('marker'))));
        await Promise.all([menteeSocket.close(), menteeTab2.close(), mentorSocket.close()]);
      });

      it('a binary frame', async () => {
        const { menteeSocket, mentorSocket } = await setup();
        menteeSocket.ws.send(Buffer.from('{"type":"chat_message","content":"x"}'), { binary: true });
        assert.deepEqual(await menteeSocket.next(), { type: 'error', message: ErrorText.binaryFrame });
        menteeSocket.send({ type: 'chat_message', content: 'text works' });
        assert.equal((await menteeSocket.expect('chat_message')).seq, 1);
        await Promise.all([menteeSocket.close(), mentorSocket.close()]);
      });

      it('sends an error after the echoes of the same connection’s earlier messages', async () => {
        const { menteeSocket, mentorSocket } = await setup();
        menteeSocket.send({ type: 'chat_message', content: 'first' });
        menteeSocket.send({ type: 'chat_message', content: 'second' });
        menteeSocket.send({ type: 'chat_message', content: '' });
        assert.equal((await menteeSocket.next()).content, 'first');
        assert.equal((await menteeSocket.next()).content, 'second');
        assert.deepEqual(await menteeSocket.next(), { type: 'error', message: 'Message content cannot be empty' });
        await Promise.all([menteeSocket.close(), mentorSocket.close()]);
      });
    });

    describe('the 5000-character limit counts code points after trimming', () => {
      const accepted: Array<[string, string]> = [
        ['5000 ASCII characters', 'x'.repeat(5000)],
        ['5000 emoji (10000 UTF-16 units)', '😀'.repeat(5000)],
        ['4999 characters and one emoji', 'x'.repeat(4999) + '😀'],
        ['5000 characters inside surrounding whitespace', `   ${'y'.repeat(5000)} \n`],
      ];
      for (const [label, content] of accepted) {
        it(`accepts ${label}`, async () => {
          const { menteeSocket, mentorSocket } = await setup();
          menteeSocket.send({ type: 'chat_message', content });
          const echo = await mentorSocket.expect('chat_message');
          assert.equal(echo.content, content.trim());
          assert.equal([...echo.content].length, 5000);
          await Promise.all([menteeSocket.close(), mentorSocket.close()]);
        });
      }
    });

    it("two mentees whose emails the seed's room scheme made one name never share a room", async () => {
      // `.`→`_dot_` made `jane.doe.N@` and `jane_dot_doe.N@` one room with the same mentor:
      // the second mentee received the first pair's messages, typing and presence live.
      const { Agent, match } = await import('../helpers/http.js');
      const tag = `${process.pid}.${Date.now()}`;
      const people = await Promise.all(
        ['jane.doe', 'jane_dot_doe', 'mentor'].map(async (local, index) => {
          const email = `${local}.${tag}@x.test`;
          const role = index < 2 ? 'MENTEE' : 'MENTOR';
          const created = await cluster.admin.post('/api/users', { email, password: passwordOf(email), first_name: local, last_name: 'Doe', role });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          return new Agent(cluster.side(index === 1 ? 1 : 0).http).login(email, passwordOf(email));
        }),
      );
      const [janeDot, janeUnderscore, mentor] = people as [InstanceType<typeof Agent>, InstanceType<typeof Agent>, InstanceType<typeof Agent>];
      await match(cluster.admin, mentor, janeDot);
      await match(cluster.admin, mentor, janeUnderscore);
      const mentorToDot = await connectChat(cluster.side(1).ws, janeDot.email, mentor.cookie);
      const mentorToUnderscore = await connectChat(cluster.side(0).ws, janeUnderscore.email, mentor.cookie);
      const underscore = await connectChat(cluster.side(1).ws, mentor.email, janeUnderscore.cookie);
      const dot = await connectChat(cluster.side(0).ws, mentor.email, janeDot.cookie);
      dot.send({ type: 'typing', is_typing: true });
      dot.send({ type: 'chat_message', content: 'only for my mentor' });
      assert.equal((await dot.expect('chat_message')).content, 'only for my mentor');
      assert.equal((await mentorToDot.until((f) => f.type === 'chat_message')).frame.content, 'only for my mentor');
      // A later message in the other pair marks the end: nothing of the first pair came before it.
      mentorToUnderscore.send({ type: 'chat_message', content: 'marker' });
      const { frame, skipped } = await underscore.until((f) => f.type === 'chat_message');
      assert.equal(frame.content, 'marker');
      assert.equal(frame.seq, 1, "the pair's first message");
      assert.deepEqual(skipped, [], 'no typing, presence or message of the other pair');
      await Promise.all([mentorToDot, mentorToUnderscore, underscore, dot].map((s) => s.close()));
    });

    it('allocates a contiguous seq when both sides send concurrently', async () => {
      const { mentee, mentor, menteeSocket, mentorSocket } = await setup();
      const perSide = 150;
      for (let i = 0; i < perSide; i++) {
        menteeSocket.send({ type: 'chat_message', content: `mentee ${i}` });
        mentorSocket.send({ type: 'chat_message', content: `mentor ${i}` });
      }
      for (const socket of [menteeSocket, mentorSocket]) {
        const frames: Frame[] = [];
        for (let i = 0; i < 2 * perSide; i++) frames.push(await socket.expect('chat_message'));
        assert.deepEqual(
          frames.map((f) => f.seq),
          Array.from({ length: 2 * perSide }, (_, i) => i + 1),
        );
        assert.equal(new Set(frames.map((f) => f.message_id)).size, 2 * perSide);
        for (const [email, label] of [
          [mentee.email, 'mentee'],
          [mentor.email, 'mentor'],
        ] as const) {
          const own = frames.filter((f) => f.sender_email === email).map((f) => f.content);
          assert.deepEqual(
            own,
            Array.from({ length: perSide }, (_, i) => `${label} ${i}`),
            'each sender keeps its order',
          );
        }
      }
      await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    });

    it('unmatch sends force_disconnect to every connection of the pair, then closes; reconnecting gets 4003', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const menteeTab2 = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      const mentorTab2 = await connectChat(cluster.side(0).ws, mentee.email, mentor.cookie);
      const all = [menteeSocket, menteeTab2, mentorSocket, mentorTab2];
      const reply = await cluster.admin.delete(`/api/matches/${encodeURIComponent(mentee.email)}`);
      assert.equal(reply.status, 204);
      for (const socket of all) {
        assert.deepEqual(await socket.next(), { type: 'force_disconnect', reason: 'unmatched' });
        assert.equal((await socket.closedWithin()).code, 1000);
      }
      for (const [side, partner, cookie] of [
        [0, mentor.email, mentee.cookie],
        [1, mentee.email, mentor.cookie],
      ] as const) {
        const again = new TestSocket(chatUrl(cluster.side(side).ws, partner), { cookie });
        await again.opened;
        assert.equal((await again.closedWithin()).code, 4003);
      }
    });

    it('logout closes that session’s sockets with force_disconnect (logged_out), and only those', async () => {
      const { mentor, mentee, menteeSocket, mentorSocket } = await setup();
      const { Agent } = await import('../helpers/http.js');
      const phone = await new Agent(cluster.side(1).http).login(mentee.email, passwordOf(mentee.email));
      const phoneSocket = await connectChat(cluster.side(1).ws, mentor.email, phone.cookie);
      // The same browser session also has a tab on the other instance.
      const sameSessionTab = await connectChat(cluster.side(1).ws, mentor.email, mentee.cookie);
      assert.equal((await mentee.post('/api/auth/logout')).status, 204);
      for (const socket of [menteeSocket, sameSessionTab]) {
        assert.deepEqual(await socket.next(), { type: 'force_disconnect', reason: 'logged_out' });
        assert.equal((await socket.closedWithin()).code, 1000);
      }
      const again = new TestSocket(chatUrl(cluster.side(1).ws, mentor.email), { cookie: mentee.cookie });
      await again.opened;
      assert.equal((await again.closedWithin()).code, 4001, 'a revoked session cannot reconnect');
      phoneSocket.send({ type: 'chat_message', content: 'still signed in here' });
      assert.equal((await phoneSocket.expect('chat_message')).content, 'still signed in here');
      assert.equal((await mentorSocket.expect('chat_message')).content, 'still signed in here');
      await Promise.all([phoneSocket.close(), mentorSocket.close()]);
    });
  });
}
