/**
 * The filter's word list at run time (PUT /api/moderation/words): a coordinator adds a phrase
 * and takes one of Tandem's off; the next message is judged by the new list, the change is
 * audited, and every instance applies it (one instance on SQLite, two over PostgreSQL + Redis).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { loginAdmin, matchedPair, type Agent } from './helpers/http.js';
import { startServer, type TestServer } from './helpers/server.js';
import { connectChat, type TestSocket } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { UNLIMITED } from './suites/chat.js';

const MODERATED = { ...UNLIMITED, CONVERSATION_POLICY: 'moderated' } as const;

/** The status of the echo of `content`: undefined when delivered, 'held' when held. */
async function sent(socket: TestSocket, content: string): Promise<string | undefined> {
  socket.send({ type: 'chat_message', content });
  const echo = (await socket.until((frame) => frame.type === 'chat_message')).frame;
  assert.equal(echo.content, content);
  return echo.status;
}

describe('the word list at run time (one instance, SQLite)', () => {
  it("adds a phrase and takes one of Tandem's off, from the next message on; audited", async (t) => {
    const server = await startServer(t, MODERATED);
    const admin = await loginAdmin(server.http);
    const { mentor, mentee } = await matchedPair(admin);
    const socket = await connectChat(server.ws, mentor.email, mentee.cookie);
    const before = (await admin.get('/api/moderation/words')).body;
    assert.equal(before.applied, true);
    assert.ok(before.tandem.includes('our little secret') && before.tandem.includes('send me a pic'));
    assert.deepEqual([before.added, before.removed, before.applied_at], [[], [], null]);
    assert.equal(await sent(socket, 'the pineapple express leaves at 9'), undefined);
    assert.equal(await sent(socket, 'this is our little secret'), 'held');

    const changed = await admin.request('PUT', '/api/moderation/words', { add: ['Pineapple  Express'], remove: ['our LITTLE secret'] });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual([changed.body.added, changed.body.removed], [['pineapple express'], ['our little secret']]);
    assert.equal(changed.body.phrases, before.phrases);
    assert.equal(await sent(socket, 'the PINEAPPLE express leaves at 9'), 'held');
    assert.equal(await sent(socket, 'this is our little secret (a surprise party for mum)'), undefined);
    const entry = (await admin.get('/api/audit')).body.entries.find((e: { action: string }) => e.action === 'change_words');
    assert.deepEqual([entry.actor, entry.target, entry.detail], [admin.email, 'word_list', { add: ['pineapple express'], remove: ['our little secret'] }]);

    // Put back: the last change of a phrase wins.
    const back = await admin.request('PUT', '/api/moderation/words', { add: ['our little secret'] });
    assert.deepEqual([back.body.added, back.body.removed], [['pineapple express'], []]);
    assert.equal(await sent(socket, 'this is our little secret'), 'held');
    await socket.close();
  });

  it('refuses a change that is empty, has no word, or adds and removes one phrase, and anyone but an admin', async (t) => {
    const server = await startServer(t, MODERATED);
    const admin = await loginAdmin(server.http);
    const { mentor } = await matchedPair(admin);
    for (const body of [
      {},
      { add: ['  '] },
      { add: ['?!'] },
      { add: ['Secret'], remove: ['secret'] },
      { add: ['x'.repeat(101)] },
      { add: Array(101).fill('a') },
      { add: ['a\u202eb'] },
    ]) {
      const reply = await admin.request('PUT', '/api/moderation/words', body);
      assert.deepEqual([reply.status, reply.body.error], [400, 'invalid_request'], JSON.stringify(body).slice(0, 80));
    }
    assert.equal((await (mentor as Agent).request('PUT', '/api/moderation/words', { add: ['x'] })).status, 403);
    assert.equal((await (mentor as Agent).get('/api/moderation/words')).status, 403);
    assert.deepEqual((await admin.get('/api/moderation/words')).body.added, [], 'nothing was changed');
  });
});

withBackends('the word list at run time (two instances, PostgreSQL, Redis)', { postgres: true, redis: true }, () => {
  it('a change made on one instance is applied by the other', async (t) => {
    const [a, b] = (await startInstances(t, 2, MODERATED)) as [TestServer, TestServer];
    const admin = await loginAdmin(a.http);
    const { mentor, mentee } = await matchedPair(admin);
    const onB = await connectChat(b.ws, mentor.email, mentee.cookie);
    assert.equal(await sent(onB, 'see you at the volcano museum'), undefined);
    const changed = await admin.request('PUT', '/api/moderation/words', { add: ['volcano museum'] });
    assert.equal(changed.status, 200);
    const adminOnB = await loginAdmin(b.http);
    await until('instance B to apply the change', async () => (await adminOnB.get('/api/moderation/words')).body.applied_at === changed.body.applied_at);
    assert.deepEqual((await adminOnB.get('/api/moderation/words')).body.added, ['volcano museum']);
    assert.equal(await sent(onB, 'see you at the VOLCANO museum'), 'held');
    await onB.close();
  });
});
