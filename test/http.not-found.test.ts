/**
 * 404 says what is missing: `not_found` is only "no such route"; a report, a message, a held
 * message, a conversation or a webhook delivery that a route names but that does not exist
 * has its own code, so a client can tell a wrong URL from a stale id.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Agent } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';

it('a missing route is not_found; a missing report, message, held message, conversation or delivery has its own code', async (t) => {
  const { server, admin, mentor, mentee } = await startWithPair(t, { CONVERSATION_POLICY: 'oversight' });
  const partner = encodeURIComponent(mentee.email);
  const cases: Array<[Agent, string, string, unknown, string]> = [
    [admin, 'GET', '/api/no-such-route', undefined, 'not_found'],
    [admin, 'GET', '/api/reports/999999/nothing', undefined, 'not_found'],
    [mentor, 'POST', `/api/chat/${partner}/messages/999999/report`, { reason: 'rude' }, 'message_not_found'],
    [admin, 'GET', '/api/reports/999999', undefined, 'report_not_found'],
    [admin, 'POST', '/api/reports/999999/resolve', { note: 'done' }, 'report_not_found'],
    [admin, 'POST', '/api/moderation/h999999/approve', undefined, 'held_not_found'],
    [admin, 'POST', '/api/moderation/h999999/reject', { reason: 'no' }, 'held_not_found'],
    [admin, 'POST', '/api/conversations/999999/messages', undefined, 'conversation_not_found'],
    [admin, 'POST', '/api/webhooks/deliveries/evt_0123456789abcdef0123456789abcdef/retry', undefined, 'delivery_not_found'],
  ];
  for (const [agent, method, path, body, code] of cases) {
    const reply = await agent.request(method, path, body);
    assert.deepEqual([reply.status, reply.body.error], [404, code], `${method} ${path}: ${JSON.stringify(reply.body)}`);
  }
  // The route-level answer is the catalogue's, whoever asks.
  assert.deepEqual((await new Agent(server.http).get('/api/no-such-route')).body, { error: 'not_found', message: 'Not found' });
});
