/**
 * A way back in after a forgotten password: the one-time link an admin (or the platform's
 * API key) makes, the page that opens it, and every refusal of both routes.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { hashSessionToken } from '../src/auth/sessions.js';
import { passwordOf } from './helpers/accounts.js';
import { Agent, createUser, loginAdmin, uniqueEmail } from './helpers/http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';

const KEY = 'reset-api-key-0123456789abcdef';
const NEW_PASSWORD = 'a brand new river 42';

describe('password reset links', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup, { API_KEYS: `platform:${KEY}`, PASSWORD_RESET_TTL_MINUTES: '30' });
    admin = await loginAdmin(server.http);
  });

  const makeLink = (email: string, by: Agent = admin, headers?: Record<string, string>) =>
    by.post(`/api/users/${encodeURIComponent(email)}/password-reset`, undefined, headers);
  const tokenOf = (url: string) => new URL(url).hash.slice('#token='.length);
  const reset = (token: string, password = NEW_PASSWORD) => new Agent(server.http).post('/api/auth/password-reset', { token, password });

  it('an admin makes a link; it sets a new password once, ends every session, and both steps are audited', async () => {
    const mentee = await createUser(admin, { role: 'MENTEE' });
    const other = await new Agent(server.http).login(mentee.email, passwordOf(mentee.email));
    const made = await makeLink(mentee.email.toUpperCase());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.match(made.body.url, /^http:\/\/127\.0\.0\.1:\d+\/reset-password#token=[\w-]{43}$/);
    const expires = Date.parse(made.body.expires_at) - Date.now();
    assert.ok(expires > 29 * 60_000 && expires <= 30 * 60_000, `expires in ${expires} ms`);
    const token = tokenOf(made.body.url);
    const page = await new Agent(server.http).get('/reset-password');
    assert.equal(page.status, 200);
    assert.match(String(page.body), /Choose a new password/);

    assert.equal((await reset(token)).status, 204);
    for (const session of [mentee, other]) assert.equal((await session.get('/api/me')).status, 401, 'every session ended');
    assert.equal((await new Agent(server.http).post('/api/auth/login', { email: mentee.email, password: passwordOf(mentee.email) })).status, 401);
    await new Agent(server.http).login(mentee.email, NEW_PASSWORD);
    const again = await reset(token, 'yet another long one');
    assert.equal(again.status, 410);
    assert.deepEqual(again.body, {
      error: 'reset_link_invalid',
      message: 'This password reset link is not valid: it was used, has expired or was replaced; ask an admin for a new one',
    });

    const { entries } = (await admin.get('/api/audit?limit=5')).body;
    const mine = entries.filter((entry: { target: string }) => entry.target === `user:${mentee.email}`);
    assert.deepEqual(
      mine.slice(0, 2).map((entry: { actor: string; action: string }) => [entry.actor, entry.action]),
      [
        [mentee.email, 'password_reset'],
        ['admin@tandem.test', 'create_password_reset'],
      ],
    );
  });

  it('keeps only the hash of the token', async () => {
    const mentor = await createUser(admin, { role: 'MENTOR' });
    const token = tokenOf((await makeLink(mentor.email)).body.url);
    const user = (await server.tandem.store.accounts.byEmail(mentor.email))!;
    assert.equal(await server.tandem.store.sessions.passwordResetUser(token, new Date()), null);
    assert.equal(await server.tandem.store.sessions.passwordResetUser(hashSessionToken(token), new Date()), user.id);
  });

  it('a weak password is refused and the link stays good; using one link ends the others', async () => {
    const mentee = await createUser(admin, { role: 'MENTEE', first: 'Priyanka' });
    const first = tokenOf((await makeLink(mentee.email)).body.url);
    const second = tokenOf((await makeLink(mentee.email)).body.url);
    for (const [password, message] of [
      ['password1', /most common/],
      [`${mentee.email.split('@')[0]}!`, /email/],
      ['priyanka-rocks', /name/],
    ] as const) {
      const weak = await reset(first, password);
      assert.equal(weak.status, 400, password);
      assert.equal(weak.body.error, 'weak_password');
      assert.match(weak.body.message, message);
    }
    const short = await reset(first, 'short');
    assert.equal(short.status, 400);
    assert.equal(short.body.error, 'invalid_request');
    assert.equal((await reset(first)).status, 204);
    assert.equal((await reset(second)).status, 410, 'the other link went with it');
  });

  it('an expired link is refused', async () => {
    const mentee = await createUser(admin, { role: 'MENTEE' });
    const user = (await server.tandem.store.accounts.byEmail(mentee.email))!;
    await server.tandem.store.sessions.createPasswordReset(hashSessionToken('expired-token'), user.id, new Date(Date.now() - 1));
    assert.equal((await reset('expired-token')).status, 410);
    assert.equal((await reset('never-made')).status, 410);
  });

  it('a server API key makes links, audited as the key', async () => {
    const mentee = await createUser(admin, { role: 'MENTEE' });
    const made = await makeLink(mentee.email, new Agent(server.http), { authorization: `Bearer ${KEY}` });
    assert.equal(made.status, 201);
    const { entries } = (await admin.get('/api/audit?limit=1')).body;
    assert.deepEqual([entries[0].actor, entries[0].action], ['api:platform', 'create_password_reset']);
  });

  it('refuses: 404 for an unknown user, 409 for a user the platform signs in, 403 for a mentor, 401 without a session', async () => {
    const unknown = await makeLink(uniqueEmail('nobody'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'user_not_found');
    const platformUser = uniqueEmail('platform');
    assert.equal(
      (await admin.request('PUT', `/api/users/${encodeURIComponent(platformUser)}`, { first_name: 'Pat', last_name: 'Form', role: 'MENTEE' })).status,
      201,
    );
    const platform = await makeLink(platformUser);
    assert.equal(platform.status, 409);
    assert.equal(platform.body.error, 'no_local_password');
    const mentor = await createUser(admin, { role: 'MENTOR' });
    assert.equal((await makeLink(mentor.email, mentor)).status, 403);
    assert.equal((await makeLink(mentor.email, new Agent(server.http))).status, 401);
    assert.equal((await admin.post(`/api/users/${encodeURIComponent(mentor.email)}/password-reset`, { extra: 1 })).status, 400);
  });

  it('a link made before the platform took the account over, or before an erasure, sets nothing', async () => {
    for (const takeOver of [
      (email: string) => admin.request('PUT', `/api/users/${encodeURIComponent(email)}`, { first_name: 'Pat', last_name: 'Form', role: 'MENTEE' }),
      (email: string) => admin.delete(`/api/users/${encodeURIComponent(email)}`),
    ]) {
      const mentee = await createUser(admin, { role: 'MENTEE' });
      const token = tokenOf((await makeLink(mentee.email)).body.url);
      assert.ok([200, 204].includes((await takeOver(mentee.email)).status));
      assert.equal((await reset(token)).status, 410);
    }
  });
});
