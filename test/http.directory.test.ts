/**
 * The admin's directory, `GET /api/users`: paging by cursor, filters, search, a mentor's load
 * and capacity, and the refusals (who may call it is in the authorization matrix). One
 * instance; the store contract runs the same queries on both engines.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createUser, loginAdmin, match } from './helpers/http.js';
import { ADMIN, startServer } from './helpers/server.js';

it('lists users a page at a time with partners, load and capacity; filters by role and status; searches names and emails', async (t) => {
  const server = await startServer(t, { MENTOR_CAPACITY: '3' });
  const admin = await loginAdmin(server.http);
  const mentor = await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
  const matched = await createUser(admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
  const waiting = await createUser(admin, { role: 'MENTEE', first: 'Sam', last: 'Okafor' });
  await match(admin, mentor, matched);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const reply: { status: number; body: any } = await admin.get(`/api/users?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
    assert.equal(reply.status, 200);
    assert.ok(reply.body.users.length <= 2);
    seen.push(...reply.body.users.map((u: any) => u.email));
    cursor = reply.body.next_cursor;
    pages++;
  } while (cursor !== null);
  assert.deepEqual(seen, [ADMIN.email, mentor.email, matched.email, waiting.email], 'in order of registration, each once');
  assert.equal(pages, 2);

  const all = (await admin.get('/api/users')).body.users;
  const row = (email: string) => all.find((u: any) => u.email === email);
  assert.deepEqual(
    { ...row(mentor.email), registered_at: 'x', waiting_since: 'x' },
    {
      email: mentor.email,
      first_name: 'Tom',
      last_name: 'Ng',
      role: 'MENTOR',
      registered_at: 'x',
      waiting_since: 'x',
      partners: [{ email: matched.email, first_name: 'Mia', last_name: 'Lee', role: 'MENTEE' }],
      load: 1,
      capacity: 3,
    },
  );
  assert.deepEqual([row(waiting.email).load, row(waiting.email).capacity, row(waiting.email).partners], [0, 1, []]);
  assert.ok(!Number.isNaN(Date.parse(row(waiting.email).registered_at)));
  assert.equal(row(waiting.email).waiting_since, row(waiting.email).registered_at, 'never matched: waiting since registering');

  const emails = async (query: string) => (await admin.get(`/api/users?${query}`)).body.users.map((u: any) => u.email);
  assert.deepEqual(await emails('status=unmatched&role=MENTEE'), [waiting.email]);
  assert.deepEqual(await emails('status=matched'), [mentor.email, matched.email]);
  assert.deepEqual(await emails('q=okafor'), [waiting.email]);
  assert.deepEqual(await emails(`q=${encodeURIComponent('MIA LEE')}`), [matched.email]);
  assert.deepEqual(await emails(`q=${encodeURIComponent(waiting.email.toUpperCase())}`), [waiting.email]);
  assert.deepEqual(await emails('q=nobody-like-this'), []);

  for (const bad of ['status=waiting', 'role=GUEST', 'cursor=abc', 'limit=0', 'limit=101', 'q=', `q=${'x'.repeat(101)}`, 'sort=name']) {
    const reply = await admin.get(`/api/users?${bad}`);
    assert.deepEqual([reply.status, reply.body.error], [400, 'invalid_request'], bad);
  }
  assert.equal((await mentor.get('/api/users')).status, 403);

  // Unmatched: waiting again, from the unmatch on.
  assert.equal((await admin.delete(`/api/matches/${encodeURIComponent(matched.email)}`)).status, 204);
  const [again] = (await admin.get(`/api/users?q=${encodeURIComponent(matched.email)}`)).body.users;
  assert.ok(Date.parse(again.waiting_since) > Date.parse(again.registered_at), `${again.waiting_since} is after ${again.registered_at}`);
});
