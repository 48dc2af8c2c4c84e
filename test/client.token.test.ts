/**
 * The typed client with `getToken()` (AUTH=jwt): every request and every (re)connect asks for
 * the token; a socket whose token expires reconnects with a fresh one by itself, and a
 * message written while it is away stays in the outbox and is delivered once it is back.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import WebSocket from 'ws';
import { TandemClient, type ConnectionState, type Conversation } from '../src/client/index.js';
import { Agent, loginAdmin, match } from './helpers/http.js';
import { claimsOf, mint, platformUser } from './helpers/platform.js';
import { startServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

const SECRET = 'a-platform-secret-of-at-least-32-characters';

/** Resolves at the next state of `kind` the conversation's connection enters. */
function nextState(conversation: Conversation, kind: ConnectionState['kind']): Promise<ConnectionState> {
  return new Promise((resolve) => {
    const off = conversation.connection.on('state', (state) => {
      if (state.kind !== kind) return;
      off();
      resolve(state);
    });
  });
}

it('getToken: a token that expires under an open socket is replaced, and the outbox survives', async (t) => {
  const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: SECRET });
  const mentor = platformUser('MENTOR');
  const mentee = platformUser('MENTEE');
  const mentorToken = await mint(claimsOf(mentor), SECRET);
  assert.equal((await new Agent(server.http).get('/api/me', { authorization: `Bearer ${mentorToken}` })).status, 200);
  assert.equal((await new Agent(server.http).get('/api/me', { authorization: `Bearer ${await mint(claimsOf(mentee), SECRET)}` })).status, 200);
  await match(await loginAdmin(server.http), { email: mentor.email } as Agent, { email: mentee.email } as Agent);
  const partner = await connectChat(server.ws, mentee.email, undefined, { query: `?token=${mentorToken}` });

  // Tokens that live 3 s; the second socket token waits until the test lets it go.
  let asked = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const urls: string[] = [];
  const client = new TandemClient({
    httpBase: server.http,
    // The chat socket's tokens only: the event stream would open sockets of its own.
    userEvents: false,
    createSocket: (url) => {
      urls.push(url);
      return new WebSocket(url) as never;
    },
    getToken: async () => {
      asked++;
      if (urls.length === 1) await held; // the reconnect after the first socket's token expired
      return mint(claimsOf(mentee, 3), SECRET);
    },
  });
  t.after(() => client.close());
  assert.equal((await client.restore())?.email, mentee.email, 'HTTP with the token');
  const [conversation] = await client.loadConversations();
  assert.ok(conversation);
  if (!conversation.connection.isOpen) await nextState(conversation, 'open');
  // Listened for before anything else, so that the expiry cannot slip past on a slow machine.
  const expired = nextState(conversation, 'connecting');
  conversation.send('before the token expires');
  assert.equal((await partner.until((f) => f.type === 'chat_message')).frame.content, 'before the token expires');

  const connecting = await expired;
  assert.deepEqual(connecting, { kind: 'connecting', attempt: 0 }, 'token_expired reconnects at once, not as a failure');
  const sent = conversation.send('while the token is renewed');
  assert.ok(sent.ok);
  assert.equal(conversation.connection.outbox.unsent.length, 1, 'kept in the outbox');
  release();
  await nextState(conversation, 'open');
  const { frame } = await partner.until((f) => f.type === 'chat_message');
  assert.equal(frame.content, 'while the token is renewed');
  assert.equal(urls.length, 2);
  const tokens = urls.map((url) => new URL(url).searchParams.get('token'));
  assert.ok(tokens[0] && tokens[1] && tokens[0] !== tokens[1], 'each connect carries its own, fresh token');
  assert.ok(asked >= 4, `asked for every request and connect (${asked})`);
  assert.notEqual(conversation.connection.state.kind, 'ended');
  await partner.close();
});
