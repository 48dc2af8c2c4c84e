/** PROTOCOL.md Part 1, "Handshake outcomes": every row, with real sockets. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Agent, createUser, matchedPair } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';
import { suiteCleanup, type TestServer } from './helpers/server.js';
import { chatUrl, connectChat, TestSocket } from './helpers/socket.js';

/** Connects and returns how the server closed the socket (it must accept first). */
async function refusal(server: TestServer, partner: string, cookie?: string): Promise<{ code: number; reason: string; frames: number }> {
  const socket = new TestSocket(chatUrl(server.ws, partner), { cookie });
  await socket.opened; // accepted: the code reaches the client
  const closed = await socket.closedWithin();
  return { ...closed, frames: socket.frames.length };
}

describe('handshake', () => {
  let server: TestServer;
  let admin: Agent;
  let pair: { mentor: Agent; mentee: Agent };

  const cleanup = suiteCleanup();
  before(async () => {
    ({ server, admin, ...pair } = await startWithPair(cleanup));
  });

  it('accepts a matched pair and sends connection_established first', async () => {
    const socket = new TestSocket(chatUrl(server.ws, pair.mentor.email), { cookie: pair.mentee.cookie });
    await socket.opened;
    assert.deepEqual(await socket.next(), { type: 'connection_established', message: 'Connected to chat', partner_online: false });
    await socket.close();
  });

  it('accepts the mentor side, without the trailing slash and with a raw @', async () => {
    const socket = new TestSocket(`${server.ws}/ws/chat/${pair.mentee.email}`, { cookie: pair.mentor.cookie });
    await socket.opened;
    assert.equal((await socket.next()).type, 'connection_established');
    await socket.close();
  });

  it('compares the partner email case-insensitively', async () => {
    const socket = await connectChat(server.ws, pair.mentor.email.toUpperCase(), pair.mentee.cookie);
    await socket.close();
  });

  it('closes with 4001 without a cookie', async () => {
    const closed = await refusal(server, pair.mentor.email);
    assert.equal(closed.code, 4001);
    assert.equal(closed.frames, 0);
  });

  it('closes with 4001 for a garbage session cookie', async () => {
    assert.equal((await refusal(server, pair.mentor.email, 'sessionid=not-a-real-session')).code, 4001);
    assert.equal((await refusal(server, pair.mentor.email, 'sessionid=%E0%A4%A')).code, 4001);
    assert.equal((await refusal(server, pair.mentor.email, 'other=1')).code, 4001);
  });

  it('closes with 4001 for a logged-out session', async () => {
    const { mentor, mentee } = await matchedPair(admin);
    const cookie = mentee.cookie;
    assert.equal((await mentee.post('/api/auth/logout')).status, 204);
    assert.equal((await refusal(server, mentor.email, cookie)).code, 4001);
  });

  it('closes with 4001 for an expired session', async (t) => {
    const { server: short, mentor, mentee } = await startWithPair(t, { SESSION_TTL_SECONDS: '60' });
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 61_000 });
    const closed = await refusal(short, mentor.email, mentee.cookie);
    t.mock.timers.reset();
    assert.equal(closed.code, 4001);
  });

  describe('4003 with one reason whatever the cause', () => {
    const reasons: string[] = [];

    it('a mentee with no match at all', async () => {
      const loner = await createUser(admin, { role: 'MENTEE' });
      const closed = await refusal(server, pair.mentor.email, loner.cookie);
      assert.equal(closed.code, 4003);
      reasons.push(closed.reason);
    });

    it('a mentor with no mentee at all', async () => {
      const loner = await createUser(admin, { role: 'MENTOR' });
      const closed = await refusal(server, pair.mentee.email, loner.cookie);
      assert.equal(closed.code, 4003);
      reasons.push(closed.reason);
    });

    it('an unknown partner email', async () => {
      const closed = await refusal(server, 'nobody@tandem.test', pair.mentee.cookie);
      assert.equal(closed.code, 4003);
      reasons.push(closed.reason);
    });

    it("someone else's partner", async () => {
      const other = await matchedPair(admin);
      const asMentee = await refusal(server, other.mentor.email, pair.mentee.cookie);
      const asMentor = await refusal(server, other.mentee.email, pair.mentor.cookie);
      assert.equal(asMentee.code, 4003);
      assert.equal(asMentor.code, 4003);
      reasons.push(asMentee.reason, asMentor.reason);
    });

    it('a partner of the wrong role', async () => {
      const otherMentee = await createUser(admin, { role: 'MENTEE' });
      const otherMentor = await createUser(admin, { role: 'MENTOR' });
      const menteeToMentee = await refusal(server, otherMentee.email, pair.mentee.cookie);
      const mentorToMentor = await refusal(server, otherMentor.email, pair.mentor.cookie);
      const toAdmin = await refusal(server, admin.email, pair.mentee.cookie);
      for (const closed of [menteeToMentee, mentorToMentor, toAdmin]) {
        assert.equal(closed.code, 4003);
        reasons.push(closed.reason);
      }
    });

    it('an admin, who chats with nobody', async () => {
      const closed = await refusal(server, pair.mentee.email, admin.cookie);
      assert.equal(closed.code, 4003);
      reasons.push(closed.reason);
    });

    it('an undecodable partner email', async () => {
      const socket = new TestSocket(`${server.ws}/ws/chat/%E0%A4%A/`, { cookie: pair.mentee.cookie });
      await socket.opened;
      const closed = await socket.closedWithin();
      assert.equal(closed.code, 4003);
      reasons.push(closed.reason);
    });

    it('gives every refusal the same reason', () => {
      assert.ok(reasons.length >= 8);
      assert.equal(new Set(reasons).size, 1, `reasons differ: ${JSON.stringify(reasons)}`);
    });
  });

  it('answers 404 to an upgrade on another path', async () => {
    const socket = new TestSocket(`${server.ws}/ws/other/`, { cookie: pair.mentee.cookie });
    await assert.rejects(socket.opened, /HTTP 404/);
  });

  it('refuses a handshake from a foreign Origin with HTTP 403, and allows its own', async () => {
    const foreign = new TestSocket(chatUrl(server.ws, pair.mentor.email), { cookie: pair.mentee.cookie, origin: 'https://evil.example' });
    await assert.rejects(foreign.opened, /HTTP 403/);
    const own = new TestSocket(chatUrl(server.ws, pair.mentor.email), { cookie: pair.mentee.cookie, origin: server.http });
    await own.opened;
    assert.equal((await own.next()).type, 'connection_established');
    await own.close();
  });
});
