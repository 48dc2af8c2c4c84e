/**
 * Announcements (PROTOCOL.md Part 9): stored, then sent once to every open chat socket and
 * event stream of the audience — on one instance, and across two over PostgreSQL and Redis —
 * never to the other side, and listed for whoever was away. A later announcement to everyone
 * is the marker that proves what did not arrive.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { createUser, loginAdmin, match } from './helpers/http.js';
import { startServer, type TestServer } from './helpers/server.js';
import { connectChat, connectStream, type TestSocket } from './helpers/socket.js';

/** The announcement ids a socket receives up to and including `marker`. */
async function announcementsUpTo(socket: TestSocket, marker: string): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const { frame } = await socket.until((next) => next.type === 'announcement');
    const id = (frame as { announcement_id: string }).announcement_id;
    seen.push(id);
    if (id === marker) return seen;
  }
}

async function scenario([one, two]: [TestServer, TestServer]): Promise<void> {
  const admin = await loginAdmin(one.http);
  const mentor = await createUser(admin, { role: 'MENTOR' });
  const mentee = await createUser(admin, { role: 'MENTEE' });
  const waitingMentor = await createUser(admin, { role: 'MENTOR' });
  await match(admin, mentor, mentee);
  const sockets = {
    mentorChat: await connectChat(one.ws, mentee.email, mentor.cookie),
    mentorStream: await connectStream(two.ws, mentor.cookie),
    waitingStream: await connectStream(one.ws, waitingMentor.cookie),
    menteeChat: await connectChat(two.ws, mentor.email, mentee.cookie),
    menteeStream: await connectStream(one.ws, mentee.cookie),
  };

  const toMentors = await admin.post('/api/programme/announcements', { content: 'Mentor training on Monday at 6pm', audience: 'mentors' });
  assert.equal(toMentors.status, 201);
  assert.deepEqual(Object.keys(toMentors.body).sort(), ['announcement_id', 'audience', 'content', 'timestamp']);
  const toAll = await admin.post('/api/programme/announcements', { content: 'The programme closes for the holidays on Friday', audience: 'all' });
  const [first, marker] = [toMentors.body.announcement_id as string, toAll.body.announcement_id as string];

  for (const socket of [sockets.mentorChat, sockets.mentorStream, sockets.waitingStream])
    assert.deepEqual(await announcementsUpTo(socket, marker), [first, marker]);
  for (const socket of [sockets.menteeChat, sockets.menteeStream])
    assert.deepEqual(await announcementsUpTo(socket, marker), [marker], 'never the mentors’ one');

  const ids = async (agent: typeof admin, query = '') =>
    ((await agent.get(`/api/announcements${query}`)).body.announcements as { announcement_id: string }[]).map((entry) => entry.announcement_id);
  assert.deepEqual(await ids(mentee), [marker]);
  assert.deepEqual(await ids(mentor), [first, marker]);
  assert.deepEqual(await ids(mentor, `?after=${first}`), [marker]);
  assert.deepEqual(await ids(admin), [first, marker]);
  const listed = (await mentee.get('/api/announcements')).body.announcements[0];
  assert.deepEqual([listed.content, listed.audience], ['The programme closes for the holidays on Friday', 'all']);

  assert.equal((await mentee.post('/api/programme/announcements', { content: 'hi', audience: 'all' })).status, 403);
  assert.equal((await admin.post('/api/programme/announcements', { content: '   ', audience: 'all' })).status, 400);
  assert.equal((await admin.post('/api/programme/announcements', { content: 'hi', audience: 'admins' })).status, 400);
  assert.equal((await admin.post('/api/programme/announcements', { content: 'x'.repeat(2001), audience: 'all' })).status, 400);
  for (const socket of Object.values(sockets)) await socket.close();
}

describe('announcements', () => {
  it('reach every open connection of their audience once, on one instance', async (t: TestContext) => {
    const server = await startServer(t);
    await scenario([server, server]);
  });

  withBackends('announcements on two instances', { postgres: true, redis: true }, () => {
    it('reach every open connection of their audience once, across two instances', async (t) => {
      const [one, two] = await startInstances(t, 2);
      await scenario([one!, two!]);
    });
  });
});
