/**
 * Pause and resume over HTTP: the server API (an API key acts as an admin) may call them, as
 * may an admin; the refusals: no such match (404), a malformed email (400). The effects on
 * the sockets are in the lifecycle suite.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Agent } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';

const KEY = 'platform-secret-0123456789';

it('an API key pauses and resumes a match and reads the directory; unknown matches are 404, emails with control characters 400', async (t) => {
  const { server, admin, mentor, mentee } = await startWithPair(t, { API_KEYS: `platform:${KEY}` });
  const platform = new Agent(server.http);
  const bearer = { authorization: `Bearer ${KEY}` };
  const paused = await platform.post(`/api/matches/${encodeURIComponent(mentee.email)}/pause`, undefined, bearer);
  assert.deepEqual([paused.status, paused.body.paused], [200, true]);
  assert.equal((await admin.get('/api/matches')).body.matches[0].paused, true);
  const resumed = await platform.post(`/api/matches/${encodeURIComponent(mentee.email)}/resume`, undefined, bearer);
  assert.deepEqual([resumed.status, resumed.body.paused], [200, false]);
  const directory = await platform.get('/api/users?status=matched', bearer);
  assert.deepEqual(
    directory.body.users.map((u: any) => u.email),
    [mentor.email, mentee.email],
  );

  assert.deepEqual((await admin.post(`/api/matches/${encodeURIComponent(mentor.email)}/pause`)).body.error, 'match_not_found');
  assert.equal((await admin.post('/api/matches/nobody%40tandem.test/resume')).status, 404);
  assert.equal((await admin.post('/api/matches/bad%01email/pause')).status, 400, 'a control character');
  assert.equal(
    (await platform.post(`/api/matches/${encodeURIComponent(mentee.email)}/pause`, undefined, { authorization: 'Bearer wrong-key-0123456789' })).status,
    401,
  );
});
