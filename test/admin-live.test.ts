/**
 * The admin page's live counts on two instances sharing PostgreSQL and Redis: an admin's
 * event stream on instance A hears of a hold, a report and decisions made on instance B
 * (`admin_changed`, a topic name only), and `GET /api/admin/counts` on A then says so. A
 * mentee's stream never gets the signal; the counts are for admins alone.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent, loginAdmin, matchedPair } from './helpers/http.js';
import { suiteCleanup, type TestServer } from './helpers/server.js';
import { connectChat, connectStream, type Frame, type TestSocket } from './helpers/socket.js';
import { MODERATED } from './suites/held.js';
import { UNLIMITED } from './suites/chat.js';

const NAME = 'admin live counts (two instances, PostgreSQL, Redis)';
const enc = encodeURIComponent;
const signal = (what: string) => (frame: Frame) => frame.type === 'admin_changed' && frame.what === what;

/** The next `admin_changed` of `stream` is about `what`, and nothing else came first. */
async function nextSignal(stream: TestSocket, what: string): Promise<void> {
  const { skipped } = await stream.until(signal(what));
  assert.deepEqual(skipped, [], `nothing before the ${what} signal`);
}

withBackends(NAME, { postgres: true, redis: true }, () => {
  describe(NAME, () => {
    let a: TestServer;
    let b: TestServer;
    const cleanup = suiteCleanup();
    before(async () => {
      [a, b] = (await startInstances(cleanup, 2, { ...UNLIMITED, ...MODERATED })) as [TestServer, TestServer];
    });

    it('a hold, a report and decisions on B reach the admin stream on A, and the counts follow', async (t) => {
      const adminA = await loginAdmin(a.http);
      const adminB = await loginAdmin(b.http);
      const { mentor, mentee } = await matchedPair(adminB, b.http);
      const counts = async () => (await adminA.get('/api/admin/counts')).body as Record<string, unknown>;
      const before = await counts();
      const stream = await connectStream(a.ws, adminA.cookie);
      const menteeStream = await connectStream(a.ws, mentee.cookie);

      const chat = await connectChat(b.ws, mentor.email, mentee.cookie);
      const sent = performance.now();
      chat.send({ type: 'chat_message', content: 'text me on 07911 123456' });
      const held = await chat.expect('chat_message');
      assert.equal(held.status, 'held');
      await nextSignal(stream, 'held');
      t.diagnostic(`a hold on B reached the admin stream on A in ${Math.round(performance.now() - sent)} ms`);
      assert.equal((await counts()).held, (before.held as number) + 1);

      chat.send({ type: 'chat_message', content: 'an ordinary message' });
      const said = await chat.until((frame) => frame.type === 'chat_message' && frame.content === 'an ordinary message');
      const reported = await new Agent(b.http).post(
        `/api/chat/${enc(mentee.email)}/messages/${said.frame.message_id}/report`,
        { reason: 'uneasy' },
        { cookie: mentor.cookie! },
      );
      assert.equal(reported.status, 201, JSON.stringify(reported.body));
      await nextSignal(stream, 'reports');
      assert.equal((await counts()).reports, (before.reports as number) + 1);

      assert.equal((await adminB.post(`/api/moderation/${held.message_id}/approve`, {})).status, 200);
      await nextSignal(stream, 'held');
      assert.equal((await counts()).held, before.held);
      assert.equal((await adminB.post(`/api/reports/${reported.body.report_id}/resolve`, { note: 'talked with both' })).status, 200);
      await nextSignal(stream, 'reports');
      assert.equal((await counts()).reports, before.reports);

      // A pause tells the mentee's stream too: the first frame it gets is that, no admin signal.
      assert.equal((await adminB.post(`/api/matches/${enc(mentee.email)}/pause`, {})).status, 200);
      await nextSignal(stream, 'matches');
      assert.equal((await menteeStream.next()).type, 'match_state');
      await Promise.all([stream.close(), menteeStream.close(), chat.close()]);
    });

    it('the counts are for admins only, and say whether a webhook is set', async () => {
      const adminA = await loginAdmin(a.http);
      const { mentee } = await matchedPair(adminA);
      assert.equal((await new Agent(a.http).get('/api/admin/counts')).status, 401);
      assert.equal((await mentee.get('/api/admin/counts')).status, 403);
      const body = (await adminA.get('/api/admin/counts')).body as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['at_risk', 'failed_deliveries', 'held', 'reports', 'webhooks']);
      assert.equal(body.webhooks, false);
    });
  });
});
