/** Register, login, logout and /api/me: every success and rejection. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Agent, createUser, loginAdmin, matchedPair, person, uniqueEmail } from './helpers/http.js';
import { ADMIN, startServer, suiteCleanup, type TestServer } from './helpers/server.js';

describe('HTTP auth', () => {
  let server: TestServer;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup);
  });

  describe('POST /api/auth/register', () => {
    it('creates a MENTEE: 201 and the user, email lower-cased, no password echoed', async () => {
      const body = person({ role: 'MENTEE', email: uniqueEmail('Mixed.Case').toUpperCase() });
      const reply = await new Agent(server.http).post('/api/auth/register', body);
      assert.equal(reply.status, 201);
      assert.deepEqual(reply.body, { email: String(body.email).toLowerCase(), first_name: 'Ada', last_name: 'Lovelace', role: 'MENTEE' });
    });

    it('403 role_not_self_registered for a MENTOR by default, storing nothing; an admin still creates the mentor', async () => {
      const body = person({ role: 'MENTOR' });
      const reply = await new Agent(server.http).post('/api/auth/register', body);
      assert.equal(reply.status, 403);
      assert.deepEqual(reply.body, { error: 'role_not_self_registered', message: 'Mentors are vetted by the programme: an admin creates mentor accounts' });
      assert.equal(await server.tandem.store.accounts.byEmail(String(body.email)), null);
      const admin = await loginAdmin(server.http);
      assert.equal((await admin.post('/api/users', body)).status, 201);
    });

    it('creates a MENTOR when SELF_REGISTRATION_ROLES lists mentor; a mentee is refused when it lists only mentor', async (t) => {
      const both = await startServer(t, { SELF_REGISTRATION_ROLES: 'mentee,mentor' });
      const mentor = await new Agent(both.http).post('/api/auth/register', person({ role: 'MENTOR' }));
      assert.equal(mentor.status, 201);
      assert.equal(mentor.body.role, 'MENTOR');
      const mentorsOnly = await startServer(t, { SELF_REGISTRATION_ROLES: 'mentor' });
      const mentee = await new Agent(mentorsOnly.http).post('/api/auth/register', person({ role: 'MENTEE' }));
      assert.equal(mentee.status, 403);
      assert.equal(mentee.body.error, 'role_not_self_registered');
    });

    it('409 when the email is taken, whatever its case', async () => {
      const body = person();
      assert.equal((await new Agent(server.http).post('/api/auth/register', body)).status, 201);
      const again = await new Agent(server.http).post('/api/auth/register', { ...body, email: String(body.email).toUpperCase() });
      assert.equal(again.status, 409);
      assert.deepEqual(again.body, { error: 'email_taken', message: 'A user with this email already exists' });
    });

    const bad: Array<[string, unknown]> = [
      ['ADMIN role', person({ role: 'ADMIN' })],
      ['unknown role', person({ role: 'BOSS' })],
      ['malformed email', person({ email: 'not-an-email' })],
      ['short password', person({ password: 'short' })],
      ['empty first name', person({ first_name: '' })],
      ['blank last name', person({ last_name: '   ' })],
      ['numeric name', person({ first_name: 7 })],
      ['missing role', (({ role, ...rest }) => rest)(person())],
      ['unknown field', person({ is_admin: true })],
      ['a JSON array', [person()]],
      ['an overlong email', person({ email: `${'a'.repeat(250)}@x.io` })],
    ];
    for (const [label, body] of bad) {
      it(`400 for ${label}`, async () => {
        const reply = await new Agent(server.http).post('/api/auth/register', body);
        assert.equal(reply.status, 400);
        assert.equal(reply.body.error, 'invalid_request');
        assert.equal(typeof reply.body.message, 'string');
      });
    }

    it('400 for a body that is not JSON, 415 for a body that is not application/json', async () => {
      const agent = new Agent(server.http);
      const broken = await agent.post('/api/auth/register', '{"email":', { 'content-type': 'application/json' });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.error, 'invalid_json');
      const form = await agent.post('/api/auth/register', 'email=a@b.c', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(form.status, 415);
      assert.equal(form.body.error, 'unsupported_media_type');
      const text = await agent.post('/api/auth/register', JSON.stringify(person()), { 'content-type': 'text/plain' });
      assert.equal(text.status, 415);
    });

    it('413 for a body over the limit', async () => {
      const reply = await new Agent(server.http).post('/api/auth/register', person({ first_name: 'x'.repeat(70 * 1024) }));
      assert.equal(reply.status, 413);
      assert.equal(reply.body.error, 'body_too_large');
    });

    it('403 when registration is closed; admins still create users', async (t) => {
      const closed = await startServer(t, { REGISTRATION: 'closed' });
      const reply = await new Agent(closed.http).post('/api/auth/register', person());
      assert.equal(reply.status, 403);
      assert.equal(reply.body.error, 'registration_closed');
      const admin = await loginAdmin(closed.http);
      await createUser(admin, { role: 'MENTEE' });
    });
  });

  describe('POST /api/auth/login', () => {
    it('200 with the user and a session cookie: HttpOnly, SameSite=Lax, Path=/', async () => {
      const body = person();
      await new Agent(server.http).post('/api/auth/register', body);
      const agent = new Agent(server.http);
      const reply = await agent.post('/api/auth/login', { email: String(body.email).toUpperCase(), password: body.password });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.email, body.email);
      const cookie = reply.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^sessionid=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/);
      assert.equal((await agent.get('/api/me')).status, 200);
    });

    it('a new session id at every login, and both stay valid', async () => {
      const body = person();
      await new Agent(server.http).post('/api/auth/register', body);
      const first = await new Agent(server.http).login(String(body.email), String(body.password));
      const second = await new Agent(server.http).login(String(body.email), String(body.password));
      assert.notEqual(first.session, second.session);
      assert.equal((await first.get('/api/me')).status, 200);
      assert.equal((await second.get('/api/me')).status, 200);
    });

    it('401 with one message for an unknown email and a wrong password alike', async () => {
      const body = person();
      await new Agent(server.http).post('/api/auth/register', body);
      const wrong = await new Agent(server.http).post('/api/auth/login', { email: body.email, password: 'wrong password' });
      const unknown = await new Agent(server.http).post('/api/auth/login', { email: uniqueEmail('ghost'), password: 'whatever1' });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual(wrong.body, unknown.body);
      assert.deepEqual(wrong.body, { error: 'invalid_credentials', message: 'Invalid email or password' });
      assert.equal(wrong.headers.get('set-cookie'), null);
    });

    it('400 for missing fields', async () => {
      const reply = await new Agent(server.http).post('/api/auth/login', { email: 'a@b.io' });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.error, 'invalid_request');
    });

    it('adds Secure to the cookie when COOKIE_SECURE is set', async (t) => {
      const secure = await startServer(t, { COOKIE_SECURE: 'true' });
      const reply = await new Agent(secure.http).post('/api/auth/login', { email: 'admin@tandem.test', password: ADMIN.password });
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('set-cookie') ?? '', /; Secure/);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('204, revokes the session, clears the cookie; the session no longer works', async () => {
      const admin = await loginAdmin(server.http);
      const user = await createUser(admin, { role: 'MENTOR' });
      const stale = new Agent(server.http);
      stale.session = user.session;
      const reply = await user.post('/api/auth/logout');
      assert.equal(reply.status, 204);
      assert.match(reply.headers.get('set-cookie') ?? '', /sessionid=;.*Max-Age=0/);
      const after = await stale.get('/api/me');
      assert.equal(after.status, 401);
      assert.equal(after.body.error, 'unauthenticated');
    });

    it('401 when not signed in', async () => {
      const reply = await new Agent(server.http).post('/api/auth/logout');
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error, 'unauthenticated');
    });
  });

  describe('GET /api/me', () => {
    it('the user and their current partners, per role', async () => {
      const admin = await loginAdmin(server.http);
      const { mentor, mentee } = await matchedPair(admin);
      const second = await createUser(admin, { role: 'MENTEE' });
      await admin.post('/api/matches', { mentor_email: mentor.email, mentee_email: second.email });
      const menteeView = await mentee.get('/api/me');
      assert.equal(menteeView.status, 200);
      assert.equal(menteeView.body.user.email, mentee.email);
      assert.deepEqual(
        menteeView.body.partners.map((p: { email: string }) => p.email),
        [mentor.email],
      );
      const mentorView = await mentor.get('/api/me');
      assert.deepEqual(mentorView.body.partners.map((p: { email: string }) => p.email).sort(), [mentee.email, second.email].sort());
      const adminView = await admin.get('/api/me');
      assert.equal(adminView.body.user.role, 'ADMIN');
      assert.deepEqual(adminView.body.partners, []);
    });

    it('401 without a cookie or with a garbage one', async () => {
      assert.equal((await new Agent(server.http).get('/api/me')).status, 401);
      const garbage = new Agent(server.http);
      garbage.session = 'garbage';
      assert.equal((await garbage.get('/api/me')).status, 401);
    });
  });

  it('answers unknown routes with 404 and the error body', async () => {
    const reply = await new Agent(server.http).get('/api/nothing-here');
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.body, { error: 'not_found', message: 'Not found' });
  });

  it('refuses a state-changing request from a foreign Origin with 403', async () => {
    const reply = await new Agent(server.http).post('/api/auth/register', person(), { origin: 'https://evil.example' });
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error, 'origin_not_allowed');
    const own = await new Agent(server.http).post('/api/auth/register', person(), { origin: server.http });
    assert.equal(own.status, 201);
  });
});
