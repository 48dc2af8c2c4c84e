/**
 * The main routes answer the shapes PROTOCOL.md (Part 3) and docs/http-api.md write out,
 * checked by hand beside openapi.test.ts, which checks every response against the server's
 * own generated document: a field dropped from both the route and its schema fails here.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Agent, matchedPair, loginAdmin } from './helpers/http.js';
import { passwordOf } from './helpers/accounts.js';
import { startServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

const keys = (value: object) => Object.keys(value).sort();
const enc = encodeURIComponent;

it('login, me, conversations, history, read, report and audit answer the documented shapes', async (t) => {
  const server = await startServer(t);
  const admin = await loginAdmin(server.http);
  const { mentor, mentee } = await matchedPair(admin);

  // Login: 200 with the user (its fields, as in /api/me), and a session cookie that is HttpOnly, SameSite=Lax, Path=/.
  const login = await fetch(`${server.http}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: mentee.email, password: passwordOf(mentee.email) }),
  });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^sessionid=[^;]+;/);
  for (const attribute of [/;\s*HttpOnly/i, /;\s*SameSite=Lax/i, /;\s*Path=\//i]) assert.match(cookie, attribute);
  const user = (await login.json()) as Record<string, unknown>;
  assert.deepEqual([user.email, user.role, user.first_name, user.last_name], [mentee.email, 'MENTEE', 'Mentee', 'Person'], 'the user');

  // GET /api/me: the user, their current partners, and what coordinators can see (no safeguarding contact is set here).
  const me = (await mentee.get('/api/me')).body;
  assert.deepEqual(keys(me), ['conversation_policy', 'partners', 'user']);
  assert.equal(me.user.email, mentee.email);
  assert.deepEqual(
    me.partners.map((p: { email: string }) => p.email),
    [mentor.email],
  );

  const socket = await connectChat(server.ws, mentor.email, mentee.cookie);
  socket.send({ type: 'chat_message', content: 'Hello!' });
  const echo = await socket.expect('chat_message');

  // History: {messages: [{message_id, seq, sender_email, sender_name, content, timestamp, is_read}], has_more}.
  const history = (await mentor.get(`/api/chat/${enc(mentee.email)}/messages`)).body;
  // Tandem adds the reader's own held messages (`undelivered`, docs/safeguarding.md).
  assert.deepEqual(keys(history), ['has_more', 'messages', 'undelivered']);
  assert.equal(history.has_more, false);
  const [message] = history.messages;
  assert.deepEqual(keys(message), ['content', 'is_read', 'message_id', 'sender_email', 'sender_name', 'seq', 'timestamp']);
  assert.deepEqual(
    [message.message_id, message.seq, message.content, message.sender_email, message.is_read],
    [echo.message_id, 1, 'Hello!', mentee.email, false],
  );
  assert.equal(typeof message.message_id, 'string');
  assert.equal(new Date(message.timestamp).toISOString(), message.timestamp);

  // Conversations: one row per partner, {partner: {email, first_name, last_name, role}, last_message (as in history), unread_count, partner_online}.
  const { conversations } = (await mentor.get('/api/chat/conversations')).body;
  assert.equal(conversations.length, 1);
  const [row] = conversations;
  for (const field of ['partner', 'last_message', 'unread_count', 'partner_online', 'paused', 'archived'])
    assert.ok(field in row, `conversation rows have ${field}`);
  assert.deepEqual(keys(row.partner), ['email', 'first_name', 'last_name', 'role']);
  assert.deepEqual(row.partner, { email: mentee.email, first_name: 'Mentee', last_name: 'Person', role: 'MENTEE' });
  assert.deepEqual(row.last_message, message, 'the last message as in history');
  assert.deepEqual([row.unread_count, row.partner_online, row.paused, row.archived], [1, true, false, false]);

  // Read: {count}.
  assert.deepEqual((await mentor.post(`/api/chat/${enc(mentee.email)}/read`)).body, { count: 1 });

  // Report: 201 {report_id}.
  const report = await mentor.post(`/api/chat/${enc(mentee.email)}/messages/${echo.message_id}/report`, { reason: 'a test' });
  assert.equal(report.status, 201);
  assert.deepEqual(keys(report.body), ['report_id']);
  assert.equal(typeof report.body.report_id, 'string');

  // Audit: {entries: [{id, at, actor, action, target, detail}], has_more}, newest first.
  const audit = (await admin.get('/api/audit')).body;
  assert.deepEqual(keys(audit), ['entries', 'has_more']);
  assert.deepEqual(keys(audit.entries[0]), ['action', 'actor', 'at', 'detail', 'id', 'names', 'target']);
  assert.deepEqual([audit.entries[0].action, audit.entries[0].actor], ['report', mentor.email]);
  assert.deepEqual(Object.keys(audit.entries[0].names).sort(), ['actor', 'mentee', 'mentor', 'user']);
  assert.equal(typeof audit.entries[0].names.actor, 'string', 'the reporting mentor, by name');

  // A signed-out caller is refused with 401.
  assert.equal((await new Agent(server.http).get('/api/me')).status, 401);
  await socket.close();
});
