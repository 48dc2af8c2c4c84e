/**
 * The first run: with no admin, Tandem prints a one-time setup link once; `POST /api/setup`
 * with its token makes the first admin and signs them in; a wrong, expired or used token is
 * refused, tries are throttled, and once an admin exists the page and the route refuse
 * everyone. `TANDEM_ADMIN_*` still makes the admin, and then no link is printed.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Agent } from './helpers/http.js';
import { startChild } from './helpers/child.js';
import { FIRST_ADMIN, startFirstRun } from './helpers/first-run.js';
import { ADMIN, startServer, tempDir } from './helpers/server.js';
import { until } from './helpers/wait.js';

it('prints the link once, makes the first admin with it, then refuses everyone', async (t) => {
  const server = await startFirstRun(t);
  const link = new URL(server.link);
  assert.equal(link.origin, server.http);
  assert.equal(link.pathname, '/setup');
  const token = link.searchParams.get('token')!;
  assert.match(token, /^[\w-]{43}$/, 'a 256-bit random token');
  const withToken = () =>
    server
      .output()
      .split('\n')
      .filter((line) => line.includes(token));
  assert.equal(withToken().length, 1, 'the token is printed on one line');
  assert.match(server.output(), /"data":"[^"]*tandem\.db \(SQLite\)"/, 'where the data is');

  const page = await fetch(link);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Set up Tandem/);

  const agent = new Agent(server.http);
  const wrong = await agent.post('/api/setup', { ...FIRST_ADMIN, token: token.slice(1) + 'x' });
  assert.deepEqual([wrong.status, wrong.body.error], [403, 'setup_token_invalid']);
  const weak = await agent.post('/api/setup', { ...FIRST_ADMIN, token, password: 'password1' });
  assert.deepEqual([weak.status, weak.body.error], [400, 'weak_password'], 'a refused password leaves the link usable');
  const missing = await agent.post('/api/setup', { token, email: FIRST_ADMIN.email });
  assert.equal(missing.status, 400);

  const made = await agent.post('/api/setup', { ...FIRST_ADMIN, token });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual(made.body, { email: FIRST_ADMIN.email, first_name: 'Ada', last_name: 'Coordinator', role: 'ADMIN' });
  const me = await agent.get('/api/me');
  assert.deepEqual([me.status, me.body.user.role], [200, 'ADMIN'], 'the new admin is signed in');

  const again = await new Agent(server.http).post('/api/setup', { ...FIRST_ADMIN, token, email: 'second@programme.test' });
  assert.deepEqual([again.status, again.body.error], [410, 'setup_closed']);
  const closedPage = await fetch(link);
  assert.equal(closedPage.status, 410);
  assert.match(await closedPage.text(), /An admin exists already/);
  assert.equal(withToken().length, 1, 'no request log line repeats the token');
  for (const line of server.output().split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), line);
});

it('expires the link after an hour, and two tries with it cannot make two admins', async (t) => {
  let now = new Date('2026-12-01T12:00:00Z');
  const server = await startServer(t, { TANDEM_ADMIN_EMAIL: '', TANDEM_ADMIN_PASSWORD: '' }, { clock: () => now });
  const token = server.tandem.setupToken!;
  assert.ok(token);
  const both = await Promise.all(
    ['one@programme.test', 'two@programme.test'].map((email) => new Agent(server.http).post('/api/setup', { ...FIRST_ADMIN, token, email })),
  );
  assert.deepEqual(
    both.map((reply) => reply.status).sort(),
    [201, 403].sort((a, b) => a - b),
  );

  const later = await startServer(t, { TANDEM_ADMIN_EMAIL: '', TANDEM_ADMIN_PASSWORD: '' }, { clock: () => now });
  now = new Date(now.getTime() + 3600 * 1000);
  const expired = await new Agent(later.http).post('/api/setup', { ...FIRST_ADMIN, token: later.tandem.setupToken! });
  assert.deepEqual([expired.status, expired.body.error], [410, 'setup_expired']);
});

it('throttles wrong tokens like failed logins of the address', async (t) => {
  const server = await startServer(t, { TANDEM_ADMIN_EMAIL: '', TANDEM_ADMIN_PASSWORD: '', LOGIN_FAILURES_PER_ADDRESS: '3' });
  const agent = new Agent(server.http);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await agent.post('/api/setup', { ...FIRST_ADMIN, token: `guess-${i}` })).status);
  assert.deepEqual(statuses, [403, 403, 403, 429, 429]);
  const right = await agent.post('/api/setup', { ...FIRST_ADMIN, token: server.tandem.setupToken! });
  assert.equal(right.status, 429, 'a throttled address waits even with the right token');
});

it('makes no link when TANDEM_ADMIN_* made the admin, and refuses setup', async (t) => {
  const dir = tempDir(t);
  const server = await startChild(t, { DATABASE_URL: `sqlite:${dir}/tandem.db`, LOG_LEVEL: 'info' });
  const setup = await new Agent(server.http).post('/api/setup', { ...FIRST_ADMIN, token: 'anything' });
  assert.deepEqual([setup.status, setup.body.error], [410, 'setup_closed']);
  assert.equal((await fetch(`${server.http}/setup`)).status, 410);
  await new Agent(server.http).login(ADMIN.email, ADMIN.password);
  assert.doesNotMatch(server.output(), /setup_link/);
  assert.match(server.output(), /Tandem is listening on http:\/\/127\.0\.0\.1:\d+/);
});

it('writes the link to stderr when LOG_LEVEL hides warnings', async (t) => {
  const dir = tempDir(t);
  const server = await startChild(t, { DATABASE_URL: `sqlite:${dir}/tandem.db`, TANDEM_ADMIN_EMAIL: '', TANDEM_ADMIN_PASSWORD: '', LOG_LEVEL: 'error' });
  await until('the link on stderr', () => /^No admin yet\. .*\/setup\?token=[\w-]{43}$/m.test(server.output()));
});
