/**
 * The identity methods on two instances sharing PostgreSQL and Redis: a mentee who comes in
 * through the platform's cookie (`proxy`) on one instance and her mentor with a token (`jwt`)
 * on the other chat as any pair does; the users the methods create are one user whichever
 * instance saw them first.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent } from './helpers/http.js';
import { claimsOf, mint, Platform, platformUser } from './helpers/platform.js';
import { chatUrl, TestSocket } from './helpers/socket.js';

const SECRET = 'a-platform-secret-of-at-least-32-characters';
const KEY = 'cluster-platform-key-0123456789';

withBackends('identity methods on two instances (PostgreSQL + Redis)', { postgres: true, redis: true }, () => {
  it('proxy on one instance, jwt on the other: one pair, chatting across instances', async (t) => {
    const platform = await Platform.start(t);
    const [one, two] = await startInstances(t, 2, {
      AUTH: 'proxy,jwt',
      AUTH_PROXY_URL: `${platform.url}/whoami`,
      JWT_SECRET: SECRET,
      API_KEYS: `platform:${KEY}`,
    });
    const mentor = platformUser('MENTOR');
    const mentee = platformUser('MENTEE');
    const cookie = platform.signIn(mentee);
    const token = await mint(claimsOf(mentor), SECRET);
    const firstSight = await Promise.all([
      new Agent(one!.http).get('/api/me', { cookie }),
      new Agent(two!.http).get('/api/me', { cookie }),
      new Agent(one!.http).get('/api/me', { authorization: `Bearer ${token}` }),
      new Agent(two!.http).get('/api/me', { authorization: `Bearer ${token}` }),
    ]);
    assert.deepEqual(
      firstSight.map((reply) => reply.status),
      [200, 200, 200, 200],
      'both instances create the same users at once',
    );
    const api = new Agent(two!.http);
    const made = await api.request(
      'PUT',
      `/api/matches/${encodeURIComponent(mentee.email)}`,
      { mentor_email: mentor.email },
      { authorization: `Bearer ${KEY}` },
    );
    assert.equal(made.status, 201);

    const menteeSocket = new TestSocket(chatUrl(one!.ws, mentor.email), { cookie });
    assert.equal((await menteeSocket.next()).type, 'connection_established');
    const mentorSocket = new TestSocket(chatUrl(two!.ws, mentee.email, `?token=${token}`));
    assert.equal((await mentorSocket.next()).type, 'connection_established');
    menteeSocket.send({ type: 'chat_message', content: 'across instances and methods' });
    const { frame } = await mentorSocket.until((f) => f.type === 'chat_message');
    assert.deepEqual([frame.content, frame.sender_name], ['across instances and methods', `${mentee.first_name} ${mentee.last_name}`]);
    mentorSocket.send({ type: 'chat_message', content: 'received' });
    assert.equal((await menteeSocket.until((f) => f.type === 'chat_message' && f.content === 'received')).frame.sender_email, mentor.email);
    await menteeSocket.close();
    await mentorSocket.close();
  });
});
