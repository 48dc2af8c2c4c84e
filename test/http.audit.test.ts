/**
 * Every admin action is in the audit log: a user created with their role (POST and PUT
 * /api/users), a change of role (with the previous one), and nothing written for a PUT that
 * changes nothing. Webhook retries: test/webhooks.test.ts; views, approvals, reports:
 * test/safeguarding.policy.test.ts and test/suites/held.ts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loginAdmin, uniqueEmail } from './helpers/http.js';
import { startServer } from './helpers/server.js';

it('audits every user an admin creates or changes, with the role, and nothing for a PUT that changes nothing', async (t) => {
  const server = await startServer(t);
  const admin = await loginAdmin(server.http);
  const created = uniqueEmail('made');
  assert.equal((await admin.post('/api/users', { email: created, password: 'long enough', first_name: 'Made', last_name: 'Here', role: 'ADMIN' })).status, 201);
  const synced = uniqueEmail('synced');
  const put = (role: string) => admin.request('PUT', `/api/users/${encodeURIComponent(synced)}`, { first_name: 'Sync', last_name: 'Ed', role });
  assert.equal((await put('MENTEE')).status, 201);
  assert.equal((await put('MENTEE')).status, 200);
  assert.equal((await put('MENTOR')).status, 200);
  const entries = (await admin.get('/api/audit')).body.entries as Array<{ actor: string; action: string; target: string; detail: unknown }>;
  const about = entries.filter((entry) => entry.target === `user:${created}` || entry.target === `user:${synced}`).reverse();
  assert.deepEqual(
    about.map((entry) => [entry.actor, entry.action, entry.target, entry.detail]),
    [
      [admin.email, 'create_user', `user:${created}`, { role: 'ADMIN' }],
      [admin.email, 'create_user', `user:${synced}`, { role: 'MENTEE' }],
      [admin.email, 'update_user', `user:${synced}`, { role: 'MENTOR', previous_role: 'MENTEE' }],
    ],
  );
});
