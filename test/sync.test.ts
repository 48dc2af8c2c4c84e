/**
 * The platform's sync calls (PROTOCOL.md Part 5): `PUT /api/users/{email}` and
 * `PUT /api/matches/{mentee_email}` with an API key — idempotent under retries and under two
 * identical calls at once, and `replace` ending the old match with its sockets closed on
 * every instance. Run on one SQLite instance, and on two instances sharing PostgreSQL and Redis.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent, createUser, loginAdmin, uniqueEmail } from './helpers/http.js';
import { startServer, type Hooks, type TestServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

const KEY = 'platform-sync-key-0123456789';
const ENV = { API_KEYS: `platform:${KEY}` };
const enc = encodeURIComponent;

function api(server: TestServer) {
  const agent = new Agent(server.http);
  return (method: string, path: string, body?: unknown) => agent.request(method, path, body, { authorization: `Bearer ${KEY}` });
}

function syncSuite(name: string, start: (t: Hooks) => Promise<[TestServer, TestServer]>): void {
  describe(name, () => {
    it('PUT /api/users: 201 created, 200 on every retry, updates names and role; the user has no password', async (t) => {
      const [one, two] = await start(t);
      const email = uniqueEmail('Sync');
      const body = { first_name: 'Sam', last_name: 'Lee', role: 'MENTEE' };
      const first = await api(one)('PUT', `/api/users/${enc(email)}`, body);
      assert.equal(first.status, 201);
      assert.deepEqual(first.body, { email: email.toLowerCase(), first_name: 'Sam', last_name: 'Lee', role: 'MENTEE' });
      for (const server of [one, two, one]) assert.equal((await api(server)('PUT', `/api/users/${enc(email)}`, body)).status, 200, 'a retry');
      const changed = await api(two)('PUT', `/api/users/${enc(email.toUpperCase())}`, { first_name: 'Samantha', last_name: '', role: 'MENTOR' });
      assert.deepEqual([changed.status, changed.body.first_name, changed.body.last_name, changed.body.role], [200, 'Samantha', '', 'MENTOR']);
      const login = await new Agent(one.http).post('/api/auth/login', { email, password: 'any password at all' });
      assert.equal(login.status, 401, 'no password: no local sign-in');
      assert.equal((await api(one)('PUT', '/api/users/not-an-email', body)).status, 400);
      assert.equal((await api(one)('PUT', `/api/users/${enc(uniqueEmail('x'))}`, { ...body, first_name: '\u202Eevil' })).status, 400);
      assert.equal((await api(one)('PUT', `/api/users/${enc(uniqueEmail('x'))}`, { ...body, role: 'OWNER' })).status, 400);
    });

    it('two identical PUT /api/users at once, on two instances: one user, one 201', async (t) => {
      const [one, two] = await start(t);
      for (let round = 0; round < 5; round++) {
        const email = uniqueEmail('race');
        const body = { first_name: 'Ra', last_name: 'Ce', role: 'MENTOR' };
        const statuses = await Promise.all([api(one)('PUT', `/api/users/${enc(email)}`, body), api(two)('PUT', `/api/users/${enc(email)}`, body)]);
        assert.deepEqual(statuses.map((reply) => reply.status).sort(), [200, 201]);
      }
    });

    it('PUT /api/matches: 201 made, 200 already so, 409 another mentor, and the refusals', async (t) => {
      const [one, two] = await start(t);
      const admin = await loginAdmin(one.http);
      const mentor = await createUser(admin, { role: 'MENTOR' });
      const other = await createUser(admin, { role: 'MENTOR' });
      const mentee = await createUser(admin, { role: 'MENTEE' });
      const put = (server: TestServer, mentorEmail: string, replace?: boolean) =>
        api(server)('PUT', `/api/matches/${enc(mentee.email)}`, replace === undefined ? { mentor_email: mentorEmail } : { mentor_email: mentorEmail, replace });
      const made = await put(one, mentor.email);
      assert.equal(made.status, 201);
      assert.deepEqual([made.body.mentor.email, made.body.mentee.email], [mentor.email, mentee.email]);
      assert.deepEqual([(await put(two, mentor.email)).status, (await put(one, mentor.email, true)).status], [200, 200], 'retries');
      const taken = await put(two, other.email);
      assert.deepEqual([taken.status, taken.body.error], [409, 'already_matched']);
      assert.equal((await api(one)('PUT', `/api/matches/${enc(uniqueEmail('nobody'))}`, { mentor_email: mentor.email })).status, 404);
      assert.equal((await api(one)('PUT', `/api/matches/${enc(other.email)}`, { mentor_email: mentor.email })).body.error, 'wrong_role');
      assert.equal((await api(one)('PUT', `/api/matches/${enc(mentee.email)}`, { mentor_email: mentor.email, replace: 'yes' })).status, 400);
      assert.equal((await mentee.get('/api/me')).body.partners[0].email, mentor.email);
    });

    it('two identical PUT /api/matches at once, on two instances: one match, one 201', async (t) => {
      const [one, two] = await start(t);
      const admin = await loginAdmin(one.http);
      for (let round = 0; round < 5; round++) {
        const mentor = await createUser(admin, { role: 'MENTOR' });
        const mentee = await createUser(admin, { role: 'MENTEE' });
        const body = { mentor_email: mentor.email };
        const replies = await Promise.all([one, two].map((server) => api(server)('PUT', `/api/matches/${enc(mentee.email)}`, body)));
        assert.deepEqual(replies.map((reply) => reply.status).sort(), [200, 201]);
      }
    });

    it('replace ends the old match first, and its sockets on both instances get force_disconnect unmatched', async (t) => {
      const [one, two] = await start(t);
      const admin = await loginAdmin(one.http);
      const oldMentor = await createUser(admin, { role: 'MENTOR' });
      const newMentor = await createUser(admin, { role: 'MENTOR' });
      const mentee = await createUser(admin, { role: 'MENTEE' });
      assert.equal((await api(one)('PUT', `/api/matches/${enc(mentee.email)}`, { mentor_email: oldMentor.email })).status, 201);
      const menteeSocket = await connectChat(one.ws, oldMentor.email, mentee.cookie);
      const mentorSocket = await connectChat(two.ws, mentee.email, oldMentor.cookie);
      const replaced = await api(two)('PUT', `/api/matches/${enc(mentee.email)}`, { mentor_email: newMentor.email, replace: true });
      assert.deepEqual([replaced.status, replaced.body.mentor.email], [201, newMentor.email]);
      for (const socket of [menteeSocket, mentorSocket]) {
        const { frame } = await socket.until((f) => f.type === 'force_disconnect');
        assert.deepEqual(frame, { type: 'force_disconnect', reason: 'unmatched' });
        await socket.closedWithin();
      }
      const fresh = await connectChat(two.ws, newMentor.email, mentee.cookie);
      assert.equal(fresh.established?.type, 'connection_established', 'the new pair chats');
      await fresh.close();
      assert.equal(
        (await api(one)('PUT', `/api/matches/${enc(mentee.email)}`, { mentor_email: newMentor.email, replace: true })).status,
        200,
        'a retry of the replace',
      );
      const entries = (await api(one)('GET', '/api/audit?limit=50')).body.entries
        .filter((entry: any) => entry.detail?.mentee === mentee.email)
        .map((entry: any) => [entry.actor, entry.action, entry.detail.mentor]);
      assert.deepEqual(
        entries,
        [
          ['api:platform', 'match', newMentor.email],
          ['api:platform', 'unmatch', oldMentor.email],
          ['api:platform', 'match', oldMentor.email],
        ],
        'audited as api:<name>, newest first; the retries not at all',
      );
    });
  });
}

syncSuite('sync on one SQLite instance', async (t) => {
  const server = await startServer(t, ENV);
  return [server, server];
});

withBackends('sync on two instances (PostgreSQL + Redis)', { postgres: true, redis: true }, () => {
  syncSuite('sync across instances', async (t) => {
    const [one, two] = await startInstances(t, 2, ENV);
    return [one!, two!];
  });
});
