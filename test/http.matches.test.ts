/** Admin user creation and matching: every success and rejection. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Agent, createUser, loginAdmin, matchedPair, uniqueEmail } from './helpers/http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';

describe('HTTP users and matches', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup);
    admin = await loginAdmin(server.http);
  });

  describe('POST /api/users', () => {
    it('an admin creates users of every role, ADMIN included, who can log in', async () => {
      for (const role of ['MENTOR', 'MENTEE', 'ADMIN'] as const) {
        const user = await createUser(admin, { role });
        assert.equal((await user.get('/api/me')).body.user.role, role);
      }
    });

    it('401 signed out, 403 for a mentor or mentee, 409 for a taken email, 400 for bad fields', async () => {
      const body = { email: uniqueEmail('u'), password: 'long enough', first_name: 'A', last_name: 'B', role: 'MENTOR' };
      assert.equal((await new Agent(server.http).post('/api/users', body)).status, 401);
      const mentor = await createUser(admin, { role: 'MENTOR' });
      const forbidden = await mentor.post('/api/users', body);
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.error, 'forbidden');
      assert.equal((await admin.post('/api/users', body)).status, 201);
      assert.equal((await admin.post('/api/users', body)).status, 409);
      const bad = await admin.post('/api/users', { ...body, email: uniqueEmail('v'), role: 'OWNER' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'invalid_request');
    });
  });

  describe('POST /api/matches', () => {
    it('201 with the match; the mentee sees the mentor as partner', async () => {
      const mentor = await createUser(admin, { role: 'MENTOR' });
      const mentee = await createUser(admin, { role: 'MENTEE' });
      const reply = await admin.post('/api/matches', { mentor_email: mentor.email.toUpperCase(), mentee_email: mentee.email });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.mentor.email, mentor.email);
      assert.equal(reply.body.mentee.email, mentee.email);
      assert.equal(new Date(reply.body.matched_at).toISOString(), reply.body.matched_at);
    });

    it('409 when the mentee already has a mentor (the same one or another)', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      const other = await createUser(admin, { role: 'MENTOR' });
      for (const mentorEmail of [mentor.email, other.email]) {
        const reply = await admin.post('/api/matches', { mentor_email: mentorEmail, mentee_email: mentee.email });
        assert.equal(reply.status, 409);
        assert.equal(reply.body.error, 'already_matched');
      }
    });

    it('a mentor may have several mentees', async () => {
      const mentor = await createUser(admin, { role: 'MENTOR' });
      for (let i = 0; i < 3; i++) {
        const mentee = await createUser(admin, { role: 'MENTEE' });
        assert.equal((await admin.post('/api/matches', { mentor_email: mentor.email, mentee_email: mentee.email })).status, 201);
      }
      assert.equal((await mentor.get('/api/matches')).body.matches.length, 3);
    });

    it('400 for swapped roles or an admin, 404 for an unknown user, 400 for bad fields', async () => {
      const mentor = await createUser(admin, { role: 'MENTOR' });
      const mentee = await createUser(admin, { role: 'MENTEE' });
      const swapped = await admin.post('/api/matches', { mentor_email: mentee.email, mentee_email: mentor.email });
      assert.equal(swapped.status, 400);
      assert.equal(swapped.body.error, 'wrong_role');
      const withAdmin = await admin.post('/api/matches', { mentor_email: admin.email, mentee_email: mentee.email });
      assert.equal(withAdmin.status, 400);
      const unknown = await admin.post('/api/matches', { mentor_email: uniqueEmail('ghost'), mentee_email: mentee.email });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, 'user_not_found');
      assert.equal((await admin.post('/api/matches', { mentor_email: mentor.email })).status, 400);
      assert.equal((await admin.post('/api/matches', { mentor_email: 'nope', mentee_email: mentee.email })).status, 400);
    });

    it('401 signed out, 403 for a mentor or mentee', async () => {
      const mentor = await createUser(admin, { role: 'MENTOR' });
      const mentee = await createUser(admin, { role: 'MENTEE' });
      const body = { mentor_email: mentor.email, mentee_email: mentee.email };
      assert.equal((await new Agent(server.http).post('/api/matches', body)).status, 401);
      assert.equal((await mentor.post('/api/matches', body)).status, 403);
      assert.equal((await mentee.post('/api/matches', body)).status, 403);
    });
  });

  describe('GET /api/matches', () => {
    it('admin sees all active matches, others only their own', async () => {
      const a = await matchedPair(admin);
      const b = await matchedPair(admin);
      const all = (await admin.get('/api/matches')).body.matches.map((m: any) => m.mentee.email);
      assert.ok(all.includes(a.mentee.email) && all.includes(b.mentee.email));
      const own = (await a.mentee.get('/api/matches')).body.matches;
      assert.deepEqual(
        own.map((m: any) => [m.mentor.email, m.mentee.email]),
        [[a.mentor.email, a.mentee.email]],
      );
      assert.deepEqual(
        (await b.mentor.get('/api/matches')).body.matches.map((m: any) => m.mentee.email),
        [b.mentee.email],
      );
      assert.equal((await new Agent(server.http).get('/api/matches')).status, 401);
    });
  });

  describe('DELETE /api/matches/{mentee_email}', () => {
    it('204 for the admin, the mentor or the mentee; the match is gone', async () => {
      for (const who of ['admin', 'mentor', 'mentee'] as const) {
        const pair = await matchedPair(admin);
        const actor = who === 'admin' ? admin : pair[who];
        const reply = await actor.delete(`/api/matches/${encodeURIComponent(pair.mentee.email)}`);
        assert.equal(reply.status, 204, who);
        assert.deepEqual((await pair.mentee.get('/api/matches')).body.matches, []);
        assert.deepEqual((await pair.mentee.get('/api/me')).body.partners, []);
      }
    });

    it('a former pair can be matched again', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      await admin.delete(`/api/matches/${encodeURIComponent(mentee.email)}`);
      assert.equal((await admin.post('/api/matches', { mentor_email: mentor.email, mentee_email: mentee.email })).status, 201);
    });

    it('404 when the mentee has no match, 403 for someone outside the match, 401 signed out', async () => {
      const { mentee } = await matchedPair(admin);
      const loner = await createUser(admin, { role: 'MENTEE' });
      const none = await admin.delete(`/api/matches/${encodeURIComponent(loner.email)}`);
      assert.equal(none.status, 404);
      assert.equal(none.body.error, 'match_not_found');
      const stranger = await createUser(admin, { role: 'MENTOR' });
      const forbidden = await stranger.delete(`/api/matches/${encodeURIComponent(mentee.email)}`);
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.error, 'not_matched');
      assert.equal((await new Agent(server.http).delete(`/api/matches/${encodeURIComponent(mentee.email)}`)).status, 401);
      assert.equal((await mentee.get('/api/matches')).body.matches.length, 1, 'the refused calls ended nothing');
    });
  });
});
