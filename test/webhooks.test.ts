/**
 * Webhooks on one instance (SQLite): every event type signed and sent once, retries with the
 * same `webhook-id`, a receiver down for the whole retry period, a manual retry, and the
 * unread reminders. Every wait is on the receiver's requests (or on the store's state); the
 * windows are shortened by settings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { MatchEventData, MessageCreatedData, MessageUnreadData } from '../src/protocol/webhooks.js';
import { fullJitter } from '../src/webhooks/backoff.js';
import { Agent, createUser, loginAdmin, match } from './helpers/http.js';
import { startWithConnectedPair, startWithPair } from './helpers/pair.js';
import { Receiver, webhookEnv, type Received } from './helpers/receiver.js';
import { startServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { UNLIMITED } from './suites/chat.js';
import { metricsAuth } from './helpers/accounts.js';

const enc = encodeURIComponent;
const verify = (receiver: Receiver, request: Received, headers: Record<string, string> = request.headers, raw = request.raw) =>
  new Webhook(receiver.secret).verify(raw, headers);

/** Waits until the admin lists a delivery of `status` with `id`; resolves with it. */
async function listed(admin: Agent, status: string, id: string): Promise<Record<string, any>> {
  let found: Record<string, any> | undefined;
  await until(`delivery ${id} to be ${status}`, async () => {
    const reply = await admin.get(`/api/webhooks/deliveries?status=${status}`);
    found = (reply.body.deliveries as Array<Record<string, any>>).find((delivery) => delivery.id === id);
    return found !== undefined;
  });
  return found!;
}

describe('webhooks', () => {
  it("sends every event type once, signed; a tampered body or an old timestamp fails the package's verifier", async (t) => {
    const receiver = await Receiver.start(t);
    const { admin, mentor, mentee, menteeSocket } = await startWithConnectedPair(t, { ...webhookEnv(receiver), UNREAD_NOTIFY_AFTER_SECONDS: '1' });
    menteeSocket.send({ type: 'chat_message', content: 'Can we meet on Friday?', client_id: 'q-1' });
    const echo = await menteeSocket.expect('chat_message');
    await receiver.until(() => receiver.of('message.unread').length === 1);
    assert.equal((await admin.delete(`/api/matches/${enc(mentee.email)}`)).status, 204);
    await receiver.until(() => receiver.of('match.ended').length === 1);

    const types = receiver.requests.map((request) => request.body.type).sort();
    assert.deepEqual(types, ['match.created', 'match.ended', 'message.created', 'message.unread']);
    assert.equal(new Set(receiver.requests.map((request) => request.id)).size, 4, 'one webhook-id per event');
    for (const request of receiver.requests) {
      assert.deepEqual(verify(receiver, request), request.body, `${request.body.type} verifies`);
      assert.equal(request.headers['content-type'], 'application/json');
      assert.match(request.id, /^evt_[0-9a-f]{32}$/);
      const tampered = request.raw.replace('"data":{', '"data":{"x":1,');
      assert.throws(() => verify(receiver, request, request.headers, tampered), /No matching signature/);
      const old = { ...request.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) };
      assert.throws(() => verify(receiver, request, old), /timestamp too old/);
      assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(request.raw, request.headers), /No matching signature/);
    }

    const created = receiver.of('match.created')[0]!.body.data as MatchEventData;
    assert.deepEqual([created.mentor.email, created.mentee.email, created.actor], [mentor.email, mentee.email, admin.email]);
    const message = receiver.of('message.created')[0]!.body.data as MessageCreatedData;
    assert.deepEqual(message, {
      message_id: echo.message_id,
      seq: 1,
      sender_email: mentee.email,
      sender_name: 'Mentee Person',
      content: 'Can we meet on Friday?',
      timestamp: echo.timestamp,
      is_read: false,
      client_id: 'q-1',
      receiver_email: mentor.email,
    });
    const unread = receiver.of('message.unread')[0]!.body.data as MessageUnreadData;
    assert.equal(unread.recipient.email, mentor.email);
    assert.equal(unread.partner.email, mentee.email);
    assert.equal(unread.unread_count, 1);
    assert.equal(unread.oldest_unread.message_id, echo.message_id);
    const ended = receiver.of('match.ended')[0]!.body.data as MatchEventData;
    assert.deepEqual([ended.mentee.email, ended.actor, ended.reason], [mentee.email, admin.email, 'unmatched']);
    await listed(admin, 'delivered', receiver.of('match.ended')[0]!.id);
    assert.ok(receiver.requests.every((request) => !Number.isNaN(Date.parse(request.body.timestamp))));
  });

  it('answered 500 three times, then 200: delivered on the fourth try, with the same webhook-id and body', async (t) => {
    const receiver = await Receiver.start(t);
    receiver.answer = (_request, index) => (index < 3 ? 500 : 200);
    const { admin } = await startWithPair(t, webhookEnv(receiver));
    await receiver.until((requests) => requests.length === 4);
    const [first] = receiver.requests;
    assert.ok(
      receiver.requests.every((request) => request.id === first!.id && request.raw === first!.raw),
      'same id and body on every try',
    );
    assert.ok(
      receiver.requests.every((request) => verify(receiver, request)),
      'each try is signed afresh',
    );
    const delivery = await listed(admin, 'delivered', first!.id);
    assert.equal(delivery.attempts, 4);
    assert.equal(delivery.type, 'match.created');
    assert.equal(delivery.last_error, null);
  });

  it('a receiver down for the whole retry period: failed, listed, counted, Tandem still ready; a manual retry delivers it', async (t) => {
    const receiver = await Receiver.start(t);
    let down = true;
    receiver.answer = () => (down ? 503 : 200);
    // The retry period is 36 ms: a few attempts, then failed.
    const { server, admin } = await startWithPair(t, webhookEnv(receiver, { WEBHOOK_RETRY_HOURS: '0.00001' }));
    await receiver.until((requests) => requests.length >= 1);
    const id = receiver.requests[0]!.id;
    const failed = await listed(admin, 'failed', id);
    assert.equal(failed.last_error, 'HTTP 503');
    assert.equal(failed.attempts, receiver.requests.length);
    assert.equal(failed.next_attempt_at, null);
    assert.equal((await fetch(`${server.http}/readyz`)).status, 200, "the receiver's outage is not Tandem's");
    const metrics = await (await fetch(`${server.http}/metrics`, { headers: metricsAuth })).text();
    assert.match(metrics, /tandem_webhooks_total\{type="match.created",outcome="failed"\} [1-9]/);
    assert.match(metrics, /tandem_webhooks_pending \d/);
    assert.match(metrics, /tandem_webhooks_oldest_pending_age_seconds \d/);

    down = false;
    const tried = receiver.requests.length;
    const retry = await admin.post(`/api/webhooks/deliveries/${id}/retry`);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.status, 'pending');
    await receiver.until((requests) => requests.length > tried);
    assert.equal(receiver.requests.at(-1)!.id, id, 'the same webhook-id');
    assert.equal(receiver.requests.at(-1)!.raw, receiver.requests[0]!.raw, 'the same body');
    assert.equal((await listed(admin, 'delivered', id)).attempts, tried + 1);
    assert.equal((await admin.post(`/api/webhooks/deliveries/${id}/retry`)).body.error, 'delivery_not_failed');
    const retries = (await admin.get('/api/audit')).body.entries.filter((entry: { action: string }) => entry.action === 'retry_webhook');
    assert.deepEqual(
      retries.map((entry: { actor: string; target: string; detail: unknown }) => [entry.actor, entry.target, entry.detail]),
      [[admin.email, `webhook:${id}`, { type: 'match.created' }]],
      'the retry is audited once (the refused one is not)',
    );
    assert.equal((await admin.post('/api/webhooks/deliveries/evt_0123456789abcdef0123456789abcdef/retry')).body.error, 'delivery_not_found');
    assert.equal((await admin.get('/api/webhooks/deliveries?status=lost')).status, 400);
  });

  it('a receiver that never answers (timeout) or refuses the connection is retried', async (t) => {
    const receiver = await Receiver.start(t);
    receiver.answer = (_request, index) => (index === 0 ? 'hold' : 200);
    const { admin } = await startWithPair(t, webhookEnv(receiver, { WEBHOOK_TIMEOUT_MS: '200' }));
    await receiver.until((requests) => requests.length === 2);
    assert.equal(receiver.requests[1]!.id, receiver.requests[0]!.id);
    assert.equal((await listed(admin, 'delivered', receiver.requests[0]!.id)).attempts, 2);

    const closed = await Receiver.start(t);
    const url = closed.url;
    await closed.close();
    const server = await startServer(t, { ...webhookEnv(closed, { WEBHOOK_URL: url, WEBHOOK_RETRY_HOURS: '0.00001' }) });
    const other = await loginAdmin(server.http);
    await match(other, await createUser(other, { role: 'MENTOR' }), await createUser(other, { role: 'MENTEE' }));
    let failed: Array<Record<string, any>> = [];
    await until('the refused delivery to fail', async () => {
      failed = (await other.get('/api/webhooks/deliveries?status=failed')).body.deliveries;
      return failed.length === 1;
    });
    assert.equal(failed[0]!.last_error, 'ECONNREFUSED');
  });

  it('message.unread: after the window when unread; never when read in time; once for a burst; again after the window', async (t) => {
    const receiver = await Receiver.start(t);
    const { server, admin, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, {
      ...webhookEnv(receiver),
      ...UNLIMITED,
      UNREAD_NOTIFY_AFTER_SECONDS: '1',
    });
    const reader = await createUser(admin, { role: 'MENTOR' });
    const writer = await createUser(admin, { role: 'MENTEE' });
    await match(admin, reader, writer);
    const writerSocket = await connectChat(server.ws, reader.email, writer.cookie);
    const unreadFor = (email: string) => receiver.of('message.unread').filter((request) => (request.body.data as MessageUnreadData).recipient.email === email);

    // A burst to the mentor, and a message that its reader reads at once.
    for (let i = 1; i <= 5; i++) menteeSocket.send({ type: 'chat_message', content: `burst ${i}` });
    const burst = [];
    for (let i = 1; i <= 5; i++) burst.push(await menteeSocket.expect('chat_message'));
    writerSocket.send({ type: 'chat_message', content: 'read me now' });
    await writerSocket.expect('chat_message');
    assert.equal((await reader.post(`/api/chat/${enc(writer.email)}/read`)).body.count, 1);
    // A later reminder, due after both: once it is sent, the two before it are settled.
    mentorSocket.send({ type: 'chat_message', content: 'fence' });
    await mentorSocket.until((frame) => frame.type === 'chat_message' && frame.content === 'fence');
    await receiver.until(() => unreadFor(mentee.email).length === 1 && unreadFor(mentor.email).length === 1);

    const [reminder] = unreadFor(mentor.email);
    const data = reminder!.body.data as MessageUnreadData;
    assert.equal(data.unread_count, 5, 'one reminder for the burst, counting all of it');
    assert.equal(data.oldest_unread.message_id, burst[0]!.message_id);
    assert.equal(data.oldest_unread.content, 'burst 1');
    assert.deepEqual(unreadFor(reader.email), [], 'never for what was read in time');
    const cancelled = (await admin.get('/api/webhooks/deliveries?status=cancelled')).body.deliveries as Array<Record<string, any>>;
    assert.deepEqual(
      cancelled.map((delivery) => delivery.type),
      ['message.unread'],
      'the read one was cancelled',
    );
    await until(
      'every reminder sent so far to be delivered',
      async () => ((await admin.get('/api/webhooks/deliveries?status=pending')).body.deliveries as unknown[]).length === 0,
    );

    // After the window, a new message gets a new reminder, counting what is still unread.
    menteeSocket.send({ type: 'chat_message', content: 'still there?' });
    await menteeSocket.until((frame) => frame.type === 'chat_message' && frame.content === 'still there?');
    await receiver.until(() => unreadFor(mentor.email).length === 2);
    const again = unreadFor(mentor.email)[1]!.body.data as MessageUnreadData;
    assert.equal(again.unread_count, 6);
    assert.equal(again.oldest_unread.message_id, burst[0]!.message_id);
    assert.notEqual(unreadFor(mentor.email)[1]!.id, reminder!.id);
    assert.ok(Date.parse(unreadFor(mentor.email)[1]!.body.timestamp) > Date.parse(reminder!.body.timestamp));
    await writerSocket.close();
  });

  it('backoff: full jitter under an exponential bound, capped', () => {
    assert.equal(
      fullJitter(1, 1000, 60_000, () => 0),
      0,
    );
    assert.equal(
      fullJitter(1, 1000, 60_000, () => 0.5),
      500,
    );
    assert.equal(
      fullJitter(3, 1000, 60_000, () => 0.5),
      2000,
    );
    assert.equal(
      fullJitter(10, 1000, 60_000, () => 0.999),
      59_940,
    );
    assert.equal(
      fullJitter(500, 1000, 60_000, () => 0.5),
      30_000,
    );
  });
});
