/**
 * The typed client from Node (with the `ws` package) against a real Tandem: chatting,
 * typing and read state, a send whose echo is lost, resume after a pause, unmatch and
 * logout. The browser suite drives the same client inside the page.
 */
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { TandemClient, type Conversation, type WebSocketLike } from '../src/client/index.js';
import { createUser, loginAdmin, match, type Agent } from './helpers/http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';
import { passwordOf } from './helpers/accounts.js';

const LIMIT_MS = 5000;

/** Opens `url` with the client's session cookie; `intercept` may swallow a frame (and act on the socket). */
function nodeSocket(client: TandemClient, url: string, intercept?: (frame: any, real: WebSocket) => boolean): WebSocketLike {
  const real = new WebSocket(url, { headers: { cookie: client.api.sessionCookie ?? '' } });
  if (!intercept) return real;
  const wrapper: WebSocketLike = {
    get readyState() {
      return real.readyState;
    },
    send: (data) => real.send(data),
    close: (code, reason) => real.close(code, reason),
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  };
  real.onmessage = (event) => {
    if (!intercept(JSON.parse(String(event.data)), real)) (wrapper.onmessage as (e: unknown) => void)(event);
  };
  real.onclose = (event) => (wrapper.onclose as (e: unknown) => void)(event);
  real.onerror = () => {};
  return wrapper;
}

describe('TandemClient from Node against a real Tandem', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup);
    admin = await loginAdmin(server.http);
  });

  async function signedIn(
    t: TestContext,
    person: Agent,
    intercept?: (frame: any, real: WebSocket) => boolean,
  ): Promise<{ client: TandemClient; conversation: Conversation }> {
    const client: TandemClient = new TandemClient({
      httpBase: server.http,
      rememberCookie: true,
      createSocket: (url) => nodeSocket(client, url, intercept),
      connection: { backoff: { initialMs: 50, maxMs: 400 } },
    });
    t.after(() => client.close());
    await client.signIn(person.email, passwordOf(person.email));
    const [conversation] = await client.loadConversations();
    assert.ok(conversation, `${person.email} has a partner`);
    await until('the connection to open', () => conversation.connection.isOpen, LIMIT_MS);
    return { client, conversation };
  }

  async function pairOfAgents() {
    const mentorAgent = await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const menteeAgent = await createUser(admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    await match(admin, mentorAgent, menteeAgent);
    return { mentorAgent, menteeAgent };
  }

  async function pair(t: TestContext, options: { menteeIntercept?: (frame: any, real: WebSocket) => boolean } = {}) {
    const { mentorAgent, menteeAgent } = await pairOfAgents();
    const mentee = await signedIn(t, menteeAgent, options.menteeIntercept);
    const mentor = await signedIn(t, mentorAgent);
    return { mentee, mentor, menteeAgent, mentorAgent };
  }

  const contents = (conversation: Conversation) => conversation.messages.map((message) => message.content);

  it('chats both ways, shows typing and read state', async (t) => {
    const { mentee, mentor } = await pair(t);
    assert.equal(mentee.conversation.partnerOnline, true, 'the mentor is connected');
    assert.ok(mentee.conversation.send('Hello Tom').ok);
    await until('the mentor to receive it', () => contents(mentor.conversation).includes('Hello Tom'), LIMIT_MS);
    await until('the echo to clear the outbox', () => mentee.conversation.pending.length === 0, LIMIT_MS);
    assert.equal(mentor.conversation.unread, 1);
    assert.equal(mentee.conversation.messages[0]?.mine, true);
    assert.equal(mentor.conversation.messages[0]?.mine, false);

    mentor.conversation.send('Hi Mia');
    await until('the mentee to receive the reply', () => contents(mentee.conversation).includes('Hi Mia'), LIMIT_MS);

    mentee.conversation.typing(true);
    await until('typing to show', () => mentor.conversation.partnerTyping, LIMIT_MS);
    mentee.conversation.typing(false);
    await until('typing to clear', () => !mentor.conversation.partnerTyping, LIMIT_MS);

    assert.equal(mentee.conversation.messages[0]?.is_read, false);
    mentor.conversation.setActive(true);
    assert.equal(mentor.conversation.unread, 0);
    await until('the read tick', () => mentee.conversation.messages[0]?.is_read === true, LIMIT_MS);
  });

  it('edits, deletes, replies and reacts; both conversations apply each change once, and a reload shows them from history', async (t) => {
    const { mentee, mentor, menteeAgent } = await pair(t);
    assert.ok(mentee.conversation.send('helo Tom').ok);
    await until('the mentor to receive it', () => contents(mentor.conversation).includes('helo Tom'), LIMIT_MS);
    const id = mentee.conversation.messages[0]!.message_id;
    const changed: string[] = [];
    mentor.conversation.on('changed', (message) => changed.push(message.content));
    assert.deepEqual(mentee.conversation.connection.edit(id, 'hello Tom'), { ok: true });
    await until('the edit to reach the mentor', () => mentor.conversation.messages[0]?.content === 'hello Tom', LIMIT_MS);
    assert.ok(mentor.conversation.messages[0]!.edited_at);
    assert.ok(mentor.conversation.send('hi!', { replyTo: id }).ok);
    await until('the reply', () => mentee.conversation.messages[1]?.reply_preview?.content === 'hello Tom', LIMIT_MS);
    assert.deepEqual(mentor.conversation.connection.react(id, '👍'), { ok: true });
    await until('the reaction', () => mentee.conversation.messages[0]?.reactions?.['👍']?.[0] === mentor.conversation.messages[1]?.sender_email, LIMIT_MS);
    assert.deepEqual(mentee.conversation.connection.deleteMessage(id), { ok: true });
    await until('the deletion', () => mentor.conversation.messages[0]?.deleted === true, LIMIT_MS);
    assert.equal(mentor.conversation.messages[0]!.content, '');
    assert.equal(mentor.conversation.messages[1]!.reply_preview!.content, '');
    assert.deepEqual(changed, ['hello Tom', 'hello Tom', '']);
    const again = await signedIn(t, menteeAgent);
    assert.deepEqual(
      again.conversation.messages.map((m) => [m.content, m.deleted ?? false, m.reply_preview?.content ?? null]),
      [
        ['', true, null],
        ['hi!', false, ''],
      ],
    );
  });

  it('uploads a file, sends it with a message (content empty), and finds messages by search', async (t) => {
    const { mentee, mentor, mentorAgent } = await pair(t);
    const file = await mentee.client.api.uploadAttachment(mentorAgent.email, new TextEncoder().encode('reading list'), {
      name: 'list.txt',
      contentType: 'text/plain',
    });
    assert.deepEqual([file.name, file.content_type, file.size], ['list.txt', 'text/plain', 12]);
    assert.ok(mentee.conversation.send('', { attachments: [file.attachment_id] }).ok);
    await until(
      'the mentor to receive the file',
      () => mentor.conversation.messages.some((m) => m.attachments?.[0]?.attachment_id === file.attachment_id),
      LIMIT_MS,
    );
    await until('the echo to clear the outbox', () => mentee.conversation.pending.length === 0, LIMIT_MS);
    const download = await fetch(mentor.client.api.attachmentUrl(file.attachment_id), { headers: { cookie: mentor.client.api.sessionCookie ?? '' } });
    assert.equal(await download.text(), 'reading list');
    await assert.rejects(
      mentee.client.api.uploadAttachment(mentorAgent.email, Uint8Array.from([0x4d, 0x5a, 0, 0x90]), { name: 'x.png', contentType: 'image/png' }),
      (error: { code?: string; status?: number }) => error.code === 'attachment_type' && error.status === 415,
    );
    mentor.conversation.send('She was running late');
    await until('the mentee to receive it', () => contents(mentee.conversation).includes('She was running late'), LIMIT_MS);
    const found = await mentee.client.api.search(mentorAgent.email, 'runs');
    assert.deepEqual(
      found.messages.map((m) => m.highlight),
      ['She was <mark>running</mark> late'],
    );
    assert.equal(found.has_more, false);
  });

  it('sends a message whose echo was lost again, and it is stored once', async (t) => {
    let dropped = 0;
    const { mentee, mentor, mentorAgent } = await pair(t, {
      menteeIntercept: (frame, real) => {
        if (frame.type !== 'chat_message' || dropped > 0) return false;
        dropped++;
        real.terminate(); // stored on the server, but the echo never reaches the client
        return true;
      },
    });
    assert.ok(mentee.conversation.send('exactly once').ok);
    await until('the outbox to empty after the resend', () => mentee.conversation.pending.length === 0, LIMIT_MS);
    await until('the mentor to receive it', () => contents(mentor.conversation).includes('exactly once'), LIMIT_MS);
    assert.equal(dropped, 1);
    // A later marker on both sides: no second copy was on its way before it.
    assert.ok(mentee.conversation.send('marker').ok);
    await until('the mentor to have the marker', () => contents(mentor.conversation).includes('marker'), LIMIT_MS);
    await until('the mentee to have the marker echoed', () => mentee.conversation.pending.length === 0, LIMIT_MS);
    assert.deepEqual(contents(mentee.conversation), ['exactly once', 'marker']);
    assert.deepEqual(contents(mentor.conversation), ['exactly once', 'marker']);
    const history = await mentorAgent.get(`/api/chat/${encodeURIComponent(mentee.client.user!.email)}/messages`);
    assert.equal(history.status, 200);
    assert.deepEqual(
      history.body.messages.map((message: { content: string }) => message.content),
      ['exactly once', 'marker'],
    );
  });

  it('catches up after a pause with what it missed, in order and once', async (t) => {
    const { mentee, mentor } = await pair(t);
    mentee.conversation.send('before');
    await until('the mentor to receive the first', () => contents(mentor.conversation).length === 1, LIMIT_MS);
    mentor.client.pause();
    for (const text of ['one', 'two', 'three']) mentee.conversation.send(text);
    await until('the mentee to have all acknowledged', () => mentee.conversation.pending.length === 0, LIMIT_MS);
    assert.deepEqual(contents(mentor.conversation), ['before']);
    mentor.client.resume();
    // Once: a later marker arrives right after the three, with no late copy before it.
    mentee.conversation.send('marker');
    await until('the mentor to have the marker', () => contents(mentor.conversation).includes('marker'), LIMIT_MS);
    assert.deepEqual(contents(mentor.conversation), ['before', 'one', 'two', 'three', 'marker']);
    assert.deepEqual(
      mentor.conversation.messages.map((message) => message.seq),
      [1, 2, 3, 4, 5],
    );
  });

  it('ends both conversations when the pair is unmatched', async (t) => {
    const { mentee, mentor, menteeAgent } = await pair(t);
    assert.equal((await admin.delete(`/api/matches/${encodeURIComponent(menteeAgent.email)}`)).status, 204);
    await until('both to end', () => mentee.conversation.ended === 'unmatched' && mentor.conversation.ended === 'unmatched', LIMIT_MS);
    assert.deepEqual(mentee.conversation.send('anyone there?'), { ok: false, error: 'You are no longer matched with this partner' });
  });

  it('reports the end of its session when it is revoked', async (t) => {
    const { mentee } = await pair(t);
    let reason: string | null = null;
    mentee.client.on('signedOut', (why) => (reason = why));
    await mentee.client.api.logout();
    await until('the client to notice', () => reason !== null, LIMIT_MS);
    assert.equal(reason, 'logged_out');
    assert.equal(mentee.client.user, null);
    assert.equal(mentee.client.conversations.length, 0);
  });

  it('starts nothing once closed while its conversations were loading: no socket, no event stream', async (t) => {
    const { menteeAgent } = await pairOfAgents();
    let sockets = 0;
    const client: TandemClient = new TandemClient({
      httpBase: server.http,
      rememberCookie: true,
      createSocket: (url) => {
        sockets++;
        return nodeSocket(client, url);
      },
      connection: { backoff: { initialMs: 50, maxMs: 400 } },
    });
    t.after(() => client.close());
    await client.signIn(menteeAgent.email, passwordOf(menteeAgent.email));
    const loading = client.loadConversations();
    client.close();
    assert.deepEqual(await loading, [], 'the load the close cut short added nothing');
    assert.equal(client.conversations.length, 0);
    assert.equal(sockets, 0, 'and opened no socket');
    // Closed is not signed out: a load after the close is a fresh one, and connects.
    const [conversation] = await client.loadConversations();
    await until('the fresh load to connect', () => conversation!.connection.isOpen, LIMIT_MS);
    await until("the fresh load's event stream", () => sockets === 2, LIMIT_MS);
  });

  it("follows the user's event stream: a new match is added without a reload, a pause and a resume reach the conversation", async (t) => {
    const mentorAgent = await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const menteeAgent = await createUser(admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    const client: TandemClient = new TandemClient({
      httpBase: server.http,
      rememberCookie: true,
      createSocket: (url) => nodeSocket(client, url),
      connection: { backoff: { initialMs: 50, maxMs: 400 } },
    });
    t.after(() => client.close());
    await client.signIn(menteeAgent.email, passwordOf(menteeAgent.email));
    assert.deepEqual(await client.loadConversations(), []);
    // Whether the match lands before or after the stream is live, it is seen: announced, or re-read at the connect.
    await match(admin, mentorAgent, menteeAgent);
    await until('the new conversation', () => client.conversations.some((c) => c.partner.email === mentorAgent.email && c.connection.isOpen), LIMIT_MS);
    const conversation = client.conversationFor(mentorAgent.email)!;
    await admin.post(`/api/matches/${encodeURIComponent(menteeAgent.email)}/pause`);
    await until('the pause', () => conversation.matchPaused, LIMIT_MS);
    await admin.post(`/api/matches/${encodeURIComponent(menteeAgent.email)}/resume`);
    await until('the resume', () => !conversation.matchPaused, LIMIT_MS);
  });
});
