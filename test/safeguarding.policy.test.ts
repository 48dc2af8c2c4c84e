/**
 * Conversation policy and reports (PROTOCOL.md Part 7): under `private` an admin gets no
 * content but a reported message; under `oversight` each opening is audited and both
 * participants see an `admin_viewed` notice, live and in history; reports come from either
 * participant only, with 10 messages of context, audited; the filter holds nothing unless
 * the policy is `moderated`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordOf } from './helpers/accounts.js';
import { Agent, createUser } from './helpers/http.js';
import { connectedPair, startWithConnectedPair, startWithPair } from './helpers/pair.js';
import { startServer } from './helpers/server.js';
import { connectChat, type TestSocket } from './helpers/socket.js';
import { UNLIMITED } from './suites/chat.js';

const enc = encodeURIComponent;

/** Sends `count` messages, alternating sides, and reads every echo; resolves with their ids. */
async function chat(menteeSocket: TestSocket, mentorSocket: TestSocket, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    (i % 2 ? menteeSocket : mentorSocket).send({ type: 'chat_message', content: `m${i}` });
    const [frame] = await Promise.all([menteeSocket.expect('chat_message'), mentorSocket.expect('chat_message')]);
    ids.push(frame.message_id);
  }
  return ids;
}

async function pairIdOf(admin: Agent, menteeEmail: string): Promise<string> {
  const rows = (await admin.get('/api/conversations')).body.conversations as Array<{ pair_id: string; mentee: { email: string } }>;
  return rows.find((row) => row.mentee.email === menteeEmail)!.pair_id;
}

describe('policy private', () => {
  it('gives admins metadata and reported messages only', async (t) => {
    const { admin, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, UNLIMITED);
    const ids = await chat(menteeSocket, mentorSocket, 3);
    const listed = (await admin.get('/api/conversations')).body;
    assert.equal(listed.policy, 'private');
    const row = listed.conversations.find((r: { mentee: { email: string } }) => r.mentee.email === mentee.email);
    assert.deepEqual([row.mentor.email, row.active, row.message_count], [mentor.email, true, 3]);
    assert.equal(JSON.stringify(listed).includes('m1'), false, 'metadata holds no content');
    const opened = await admin.post(`/api/conversations/${row.pair_id}/messages`);
    assert.equal(opened.status, 403);
    assert.equal(opened.body.error, 'conversation_private');
    assert.deepEqual(
      (await admin.get('/api/audit')).body.entries.filter((e: { action: string }) => e.action === 'view'),
      [],
    );

    // The mentee reports the mentor's message: now the admin reads it, with its context.
    const reported = await mentee.post(`/api/chat/${enc(mentor.email)}/messages/${ids[1]}/report`, { reason: 'made me uneasy' });
    assert.equal(reported.status, 201);
    const report = await admin.get(`/api/reports/${reported.body.report_id}`);
    assert.equal(report.status, 200);
    assert.deepEqual([report.body.message.content, report.body.reporter.email, report.body.reason], ['m2', mentee.email, 'made me uneasy']);
    assert.deepEqual(
      report.body.context.map((m: { content: string }) => m.content),
      ['m1', 'm2'],
    );
    // Nothing reached the pair: no notice under private.
    menteeSocket.send({ type: 'chat_message', content: 'barrier' });
    assert.equal((await mentorSocket.next()).content, 'barrier');
    await Promise.all([menteeSocket.close(), mentorSocket.close()]);
  });

  it('holds nothing: contact details are delivered as they are', async (t) => {
    const { menteeSocket, mentorSocket } = await startWithConnectedPair(t, UNLIMITED);
    menteeSocket.send({ type: 'chat_message', content: 'call 07911 123456' });
    const received = await mentorSocket.expect('chat_message');
    assert.deepEqual([received.seq, received.status], [1, undefined]);
    await Promise.all([menteeSocket.close(), mentorSocket.close()]);
  });
});

describe('policy oversight', () => {
  it('audits each opening and shows the pair an admin_viewed notice, live and in history', async (t) => {
    const { server, admin, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { ...UNLIMITED, CONVERSATION_POLICY: 'oversight' });
    await chat(menteeSocket, mentorSocket, 2);
    const pairId = await pairIdOf(admin, mentee.email);
    const opened = await admin.post(`/api/conversations/${pairId}/messages`);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assert.deepEqual(opened.body.messages.map((m: { content: string }) => m.content).slice(0, 2), ['m1', 'm2']);
    for (const socket of [menteeSocket, mentorSocket]) {
      const notice = await socket.expect('notice');
      assert.deepEqual([notice.kind, notice.actor_name, notice.seq], ['admin_viewed', 'Admin', 3]);
      assert.equal(new Date(notice.timestamp).toISOString(), notice.timestamp);
    }
    // A link on another site makes the admin's browser send a GET (with the Lax cookie), and
    // a cross-site form a POST from a foreign origin: neither opens the conversation.
    assert.equal((await admin.get(`/api/conversations/${pairId}/messages`)).status, 404, 'no GET opens a conversation');
    assert.equal((await admin.post(`/api/conversations/${pairId}/messages`, {}, { origin: 'https://evil.example' })).status, 403);
    // A second opening is audited again; while nothing was said in between, the pair is not told twice.
    assert.equal((await admin.post(`/api/conversations/${pairId}/messages`, { limit: '1' })).status, 200);
    const views = (await admin.get('/api/audit')).body.entries.filter(
      (e: { action: string; target: string }) => e.action === 'view' && e.target === `pair:${pairId}`,
    );
    assert.equal(views.length, 2);
    assert.deepEqual([views[0].actor, views[0].detail.mentee], [admin.email, mentee.email]);
    menteeSocket.send({ type: 'chat_message', content: 'after the visit' });
    for (const socket of [menteeSocket, mentorSocket]) assert.deepEqual([(await socket.next()).seq], [4]);

    for (const [agent, partner] of [
      [mentee, mentor],
      [mentor, mentee],
    ] as const) {
      const page = (await agent.get(`/api/chat/${enc(partner.email)}/messages`)).body;
      assert.deepEqual(
        page.messages.map((m: { kind?: string; content: string }) => m.kind ?? m.content),
        ['m1', 'm2', 'admin_viewed', 'after the visit'],
      );
      assert.equal(page.messages[2].actor_name, 'Admin');
      const rows = (await agent.get('/api/chat/conversations')).body.conversations;
      assert.equal(rows[0].last_message.content, 'after the visit', 'a notice is no last message');
    }
    // A connection that resumes gets the notice in its place.
    const resumed = await connectChat(server.ws, mentee.email, mentor.cookie, { query: '?after=0' });
    const replayed = [await resumed.next(), await resumed.next(), await resumed.next(), await resumed.next()];
    assert.deepEqual(
      replayed.map((f) => f.type),
      ['chat_message', 'chat_message', 'notice', 'chat_message'],
    );
    await Promise.all([resumed.close(), menteeSocket.close(), mentorSocket.close()]);
  });
});

describe('the audit log', () => {
  it('records every admin and API-key action on matches and conversations, with the actor', async (t) => {
    const KEY = 'audit-platform-key-0123456789';
    const server = await startServer(t, { ...UNLIMITED, CONVERSATION_POLICY: 'oversight', API_KEYS: `platform:${KEY}` });
    const { admin, mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(server);
    const pairId = await pairIdOf(admin, mentee.email);
    const bearer = { authorization: `Bearer ${KEY}` };
    const viewed = await new Agent(server.http).post(`/api/conversations/${pairId}/messages`, undefined, bearer);
    assert.equal(viewed.status, 200, JSON.stringify(viewed.body));
    const notice = await menteeSocket.expect('notice');
    assert.equal(notice.actor_name, 'api:platform');
    await mentorSocket.expect('notice');
    assert.equal((await admin.delete(`/api/matches/${enc(mentee.email)}`)).status, 204);
    const entries = (await admin.get('/api/audit')).body.entries as Array<{ actor: string; action: string; target: string; detail: Record<string, string> }>;
    assert.deepEqual(
      entries.slice(0, 3).map((e) => [e.actor, e.action, e.target]),
      [
        [admin.email, 'unmatch', `pair:${pairId}`],
        ['api:platform', 'view', `pair:${pairId}`],
        [admin.email, 'match', `pair:${pairId}`],
      ],
    );
    assert.deepEqual([entries[0]!.detail.mentor, entries[0]!.detail.mentee], [mentor.email, mentee.email]);
    await Promise.all([menteeSocket.closedWithin(), mentorSocket.closedWithin()]);
  });
});

describe('reports', () => {
  it('come from either participant only, with up to 10 messages of context, audited and resolved once', async (t) => {
    const server = await startServer(t, UNLIMITED);
    const { admin, mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(server);
    const ids = await chat(menteeSocket, mentorSocket, 12);
    const stranger = await createUser(admin, { role: 'MENTEE' });
    const other = await connectedPair(server);
    const url = (partner: string, id: string) => `/api/chat/${enc(partner)}/messages/${id}/report`;

    assert.equal((await stranger.post(url(mentor.email, ids[0]!), { reason: 'x' })).status, 403);
    assert.equal((await admin.post(url(mentee.email, ids[0]!), { reason: 'x' })).status, 403);
    assert.equal((await other.mentee.post(url(other.mentor.email, ids[0]!), { reason: 'x' })).status, 404, 'a message of another pair');
    assert.equal((await mentee.post(url(mentor.email, ids[0]!), { reason: '   ' })).status, 400);
    const byMentor = await mentor.post(url(mentee.email, ids[10]!), { reason: 'worrying' });
    assert.equal(byMentor.status, 201);
    const byMentee = await mentee.post(url(mentor.email, ids[1]!), { reason: 'rude' });
    assert.equal(byMentee.status, 201);

    const open = (await admin.get('/api/reports')).body.reports;
    const first = open.find((r: { report_id: string }) => r.report_id === byMentor.body.report_id);
    assert.deepEqual(
      first.context.map((m: { content: string }) => m.content),
      ['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11'],
    );
    assert.deepEqual([first.message.content, first.reporter.email, first.pair.mentee.email, first.resolved_at], ['m11', mentor.email, mentee.email, null]);
    const second = open.find((r: { report_id: string }) => r.report_id === byMentee.body.report_id);
    assert.deepEqual(
      second.context.map((m: { content: string }) => m.content),
      ['m1', 'm2'],
    );

    const resolved = await admin.post(`/api/reports/${byMentor.body.report_id}/resolve`, { note: 'spoke with the mentor' });
    assert.equal(resolved.status, 200);
    assert.deepEqual([resolved.body.resolution, resolved.body.resolved_by], ['spoke with the mentor', admin.email]);
    assert.equal((await admin.post(`/api/reports/${byMentor.body.report_id}/resolve`, { note: 'again' })).status, 409);
    assert.deepEqual((await admin.get('/api/reports')).body.reports.map((r: { report_id: string }) => r.report_id).includes(byMentor.body.report_id), false);
    assert.equal((await admin.get('/api/reports?status=all')).body.reports.length, 2);

    const entries = (await admin.get('/api/audit')).body.entries as Array<{ actor: string; action: string; target: string }>;
    assert.deepEqual(
      entries.slice(0, 3).map((e) => [e.actor, e.action, e.target]),
      [
        [admin.email, 'resolve', `report:${byMentor.body.report_id}`],
        [mentee.email, 'report', `message:${ids[1]}`],
        [mentor.email, 'report', `message:${ids[10]}`],
      ],
    );
    const paged = (await admin.get(`/api/audit?limit=1&before=${(await admin.get('/api/audit?limit=1')).body.entries[0].id}`)).body;
    assert.deepEqual([paged.entries[0].action, paged.has_more], ['report', true]);
    await Promise.all([menteeSocket.close(), mentorSocket.close(), other.menteeSocket.close(), other.mentorSocket.close()]);
  });
});

describe('what the chat page is told', () => {
  it('history marks the messages the reader reported, for the reporter alone, after signing in again', async (t) => {
    const server = await startServer(t, UNLIMITED);
    const { mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(server);
    const ids = await chat(menteeSocket, mentorSocket, 4);
    // m1 and m3 come from the mentor (chat alternates, the mentee first).
    assert.equal((await mentee.post(`/api/chat/${enc(mentor.email)}/messages/${ids[1]}/report`, { reason: 'rude' })).status, 201);
    const again = await new Agent(server.http).login(mentee.email, passwordOf(mentee.email));
    const page = (await again.get(`/api/chat/${enc(mentor.email)}/messages`)).body.messages as Array<{ message_id: string; reported?: boolean }>;
    assert.deepEqual(
      page.filter((m) => m.reported).map((m) => m.message_id),
      [ids[1]],
    );
    const mentorsPage = (await mentor.get(`/api/chat/${enc(mentee.email)}/messages`)).body.messages as Array<{ reported?: boolean }>;
    assert.equal(mentorsPage.filter((m) => m.reported).length, 0, 'the reported sender never learns of it');
    const older = (await again.get(`/api/chat/${enc(mentor.email)}/messages?before=${ids[3]}`)).body.messages as Array<{
      message_id: string;
      reported?: boolean;
    }>;
    assert.deepEqual(
      older.filter((m) => m.reported).map((m) => m.message_id),
      [ids[1]],
    );
    await Promise.all([menteeSocket.close(), mentorSocket.close()]);
  });

  it('GET /api/me says what coordinators can see, and the safeguarding contact only when set', async (t) => {
    const { mentee } = await startWithPair(t, UNLIMITED);
    const me = (await mentee.get('/api/me')).body;
    assert.equal(me.conversation_policy, 'private');
    assert.equal('safeguarding_contact' in me, false);
    const contact = 'Call Sam Reed, safeguarding lead: 020 7946 0000';
    const second = await startWithPair(t, { ...UNLIMITED, CONVERSATION_POLICY: 'moderated', SAFEGUARDING_CONTACT: `  ${contact} ` });
    const told = (await second.mentee.get('/api/me')).body;
    assert.deepEqual([told.conversation_policy, told.safeguarding_contact], ['moderated', contact]);
  });
});
