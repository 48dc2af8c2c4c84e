/** Mentor capacity (MENTOR_CAPACITY): a full mentor is refused with 409 until a match ends. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createUser, loginAdmin } from './helpers/http.js';
import { startServer } from './helpers/server.js';

it('409 mentor_at_capacity past MENTOR_CAPACITY mentees, room again once a match ends', async (t) => {
  const server = await startServer(t, { MENTOR_CAPACITY: '2' });
  const admin = await loginAdmin(server.http);
  const mentor = await createUser(admin, { role: 'MENTOR' });
  const other = await createUser(admin, { role: 'MENTOR' });
  const mentees = await Promise.all([0, 1, 2].map(() => createUser(admin, { role: 'MENTEE' })));
  const matchWith = (mentorEmail: string, menteeEmail: string) => admin.post('/api/matches', { mentor_email: mentorEmail, mentee_email: menteeEmail });

  assert.equal((await matchWith(mentor.email, mentees[0]!.email)).status, 201);
  assert.equal((await matchWith(mentor.email, mentees[1]!.email)).status, 201);
  const full = await matchWith(mentor.email, mentees[2]!.email);
  assert.equal(full.status, 409);
  assert.deepEqual(full.body, { error: 'mentor_at_capacity', message: 'This mentor has no room for another mentee' });
  const taken = await matchWith(other.email, mentees[0]!.email);
  assert.deepEqual([taken.status, taken.body.error], [409, 'already_matched'], 'a matched mentee is reported as such first');
  assert.equal((await matchWith(other.email, mentees[2]!.email)).status, 201, 'capacity is per mentor');

  assert.equal((await mentees[0]!.delete(`/api/matches/${encodeURIComponent(mentees[0]!.email)}`)).status, 204);
  const spare = await createUser(admin, { role: 'MENTEE' });
  assert.equal((await matchWith(mentor.email, spare.email)).status, 201);
  assert.equal((await matchWith(mentor.email, mentees[0]!.email)).status, 409, 'a former pair counts like a new one');
  assert.equal((await mentor.get('/api/matches')).body.matches.length, 2);
});
