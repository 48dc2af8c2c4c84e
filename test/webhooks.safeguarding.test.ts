/**
 * The safeguarding webhooks (PROTOCOL.md Part 6 and 7) on one instance (SQLite) and on two
 * sharing PostgreSQL and Redis, the mentee on the first and the mentor on the second:
 * `message.held` and `message.reported` arrive once, signed; a held message reaches the
 * receiver as `message.created` only once approved, exactly once, and never when rejected.
 * Each check that something did not arrive waits for a later event of the same pair first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { MessageCreatedData, MessageHeldData, MessageReportedData } from '../src/protocol/webhooks.js';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { connectedPair } from './helpers/pair.js';
import { Receiver, webhookEnv } from './helpers/receiver.js';
import { startServer, type TestServer } from './helpers/server.js';
import type { TestSocket } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { UNLIMITED } from './suites/chat.js';
import { MODERATED } from './suites/held.js';

const enc = encodeURIComponent;

async function safeguardingEvents(receiver: Receiver, [first, second]: readonly [TestServer, TestServer]): Promise<void> {
  const { admin, mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(first, second);
  const created = (content: string) => receiver.of('message.created').filter((request) => (request.body.data as MessageCreatedData).content === content);
  /** Sends a clean message and waits until its `message.created` arrived: whatever was owed before it has had its turn. */
  const barrier = async (socket: TestSocket, content: string) => {
    socket.send({ type: 'chat_message', content });
    await socket.until((frame) => frame.type === 'chat_message' && frame.content === content);
    await receiver.until(() => created(content).length === 1);
  };
  /**
   * The `message.created` events in the outbox, whatever their status: what any instance could
   * send. Counted once none is pending (delivered is final), so that none moves between lists
   * while they are read.
   */
  const createdInOutbox = async () => {
    const created = async (status: 'pending' | 'delivered' | 'failed' | 'cancelled') =>
      (await first.tandem.store.outbox.list(status, 1000)).filter((event) => event.type === 'message.created').length;
    await until('every message.created to be recorded', async () => (await created('pending')) === 0);
    return (await created('delivered')) + (await created('failed')) + (await created('cancelled'));
  };

  await barrier(menteeSocket, 'hello');
  const phone = 'text me on 07911 123456';
  menteeSocket.send({ type: 'chat_message', content: phone, client_id: 'held-1' });
  const echo = await menteeSocket.expect('chat_message');
  assert.equal(echo.status, 'held');
  await receiver.until(() => receiver.of('message.held').length === 1);
  const [held] = receiver.of('message.held');
  const heldData = held!.body.data as MessageHeldData;
  assert.deepEqual(heldData, {
    message_id: echo.message_id,
    sender_email: mentee.email,
    sender_name: 'Mentee Person',
    content: phone,
    timestamp: echo.timestamp,
    client_id: 'held-1',
    status: 'held',
    rule: 'phone',
    receiver_email: mentor.email,
  });

  // Before approval: the receiver has every later message.created, and none of the held one.
  await barrier(menteeSocket, 'after');
  assert.deepEqual(created(phone), [], 'no message.created for a held message');
  assert.equal(await createdInOutbox(), 2, 'none owed either');

  const approved = await admin.post(`/api/moderation/${echo.message_id}/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  await mentorSocket.until((frame) => frame.type === 'chat_message' && frame.content === phone);
  await receiver.until(() => created(phone).length === 1);
  const delivered = created(phone)[0]!.body.data as MessageCreatedData;
  assert.deepEqual([delivered.message_id, delivered.seq, delivered.receiver_email], [approved.body.message.message_id, 3, mentor.email]);

  // A rejected one: its message.held, and never a message.created.
  const link = 'find me on www.example.com';
  mentorSocket.send({ type: 'chat_message', content: link });
  const { frame: linkEcho } = await mentorSocket.until((frame) => frame.type === 'chat_message' && frame.content === link);
  await receiver.until(() => receiver.of('message.held').length === 2);
  assert.equal((await admin.post(`/api/moderation/${linkEcho.message_id}/reject`, { reason: 'No links, please' })).status, 200);

  // A report, by the mentor of the mentee's first message.
  const hello = created('hello')[0]!.body.data as MessageCreatedData;
  const report = await mentor.post(`/api/chat/${enc(mentee.email)}/messages/${hello.message_id}/report`, { reason: 'It made me uneasy' });
  assert.equal(report.status, 201, JSON.stringify(report.body));
  await receiver.until(() => receiver.of('message.reported').length === 1);
  const reported = receiver.of('message.reported')[0]!.body.data as MessageReportedData;
  assert.deepEqual([reported.report_id, reported.reason, reported.reporter.email], [report.body.report_id, 'It made me uneasy', mentor.email]);
  assert.deepEqual(
    [reported.message.message_id, reported.message.content, reported.message.sender_email, reported.message.seq],
    [hello.message_id, 'hello', mentee.email, 1],
  );

  await barrier(mentorSocket, 'last');
  assert.equal(created(phone).length, 1, 'the approved message once');
  assert.deepEqual(created(link), [], 'the rejected one never');
  assert.equal(await createdInOutbox(), 4, 'hello, after, the approved one, last');
  assert.deepEqual(
    receiver.of('message.held').map((request) => (request.body.data as MessageHeldData).content),
    [phone, link],
  );
  assert.equal(receiver.of('message.reported').length, 1);
  for (const request of receiver.requests)
    assert.deepEqual(new Webhook(receiver.secret).verify(request.raw, request.headers), request.body, `${request.body.type} verifies`);
  assert.equal(new Set(receiver.requests.map((request) => request.id)).size, receiver.requests.length, 'each event sent once');
  await Promise.all([menteeSocket.close(), mentorSocket.close()]);
}

/** Webhooks on and the filter holding; reminders far off, so that only what the test causes arrives. */
const env = (receiver: Receiver) => ({ ...webhookEnv(receiver), ...UNLIMITED, ...MODERATED });

describe('safeguarding webhooks (one instance)', () => {
  it('message.held and message.reported arrive once, signed; a held message is message.created only once approved, never when rejected', async (t) => {
    const receiver = await Receiver.start(t);
    const server = await startServer(t, env(receiver));
    await safeguardingEvents(receiver, [server, server]);
  });
});

withBackends('safeguarding webhooks (two instances, PostgreSQL, Redis)', { postgres: true, redis: true }, () => {
  it('message.held and message.reported arrive once, signed; a held message is message.created only once approved, never when rejected', async (t) => {
    const receiver = await Receiver.start(t);
    const [a, b] = (await startInstances(t, 2, env(receiver))) as [TestServer, TestServer];
    await safeguardingEvents(receiver, [a, b]);
  });
});
