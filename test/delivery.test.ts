/**
 * An acknowledged message reaches every connected partner even when its publish was lost for
 * good (README "Delivery guarantees"). A message written straight to the store plays one
 * that an instance stored and died before publishing: nothing was ever published for it.
 * A retry with its client_id publishes the stored original again; the periodic delivery
 * check finds it without any further message. The crash itself, with real processes, is in
 * delivery.crash.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { connectedPair, startWithConnectedPair } from './helpers/pair.js';
import type { TestServer } from './helpers/server.js';
import { connectChat, type TestSocket } from './helpers/socket.js';
import { until } from './helpers/wait.js';

const CHECK_OFF = { DELIVERY_CHECK_INTERVAL_MS: '0' };

/** Stores a message of `email` in its pair as an instance that then died would have: unpublished. */
async function storeUnpublished(server: TestServer, email: string, content: string, clientId: string) {
  const store = server.tandem.store;
  const sender = (await store.userByEmail(email))!;
  const [match] = await store.listMatches(sender.id);
  return (await store.appendMessage({ pairId: match!.pairId, senderId: sender.id, content, clientId })).message;
}

async function scrape(server: TestServer): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await (await fetch(`${server.http}/metrics`)).text()).split('\n')) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}
const CHECKED = 'tandem_messages_delivered_total{path="check"}';
const QUERIES = 'tandem_store_duration_seconds_count{operation="lastSeqs"}';
const READS = 'tandem_store_duration_seconds_count{operation="messagesAfter"}';

async function expectMessages(socket: TestSocket, seqs: number[]): Promise<void> {
  const got: number[] = [];
  for (const _ of seqs) got.push((await socket.expect('chat_message')).seq);
  assert.deepEqual(got, seqs);
}

describe('delivery of messages whose publish was lost', () => {
  it('a retry of a stored, never published message reaches the partner (check off)', async (t) => {
    const { server, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, CHECK_OFF);
    const stored = await storeUnpublished(server, mentee.email, 'stored, then the instance died', 'lost-1');
    menteeSocket.send({ type: 'chat_message', content: 'stored, then the instance died', client_id: 'lost-1' });
    const original = await menteeSocket.expect('chat_message');
    assert.equal(original.message_id, String(stored.id));
    assert.deepEqual(await mentorSocket.expect('chat_message'), original);
    // The sender's own connection, which had the answer already, gets no second copy.
    menteeSocket.send({ type: 'chat_message', content: 'next', client_id: 'next-1' });
    assert.equal((await menteeSocket.expect('chat_message')).seq, 2);
    assert.equal((await mentorSocket.expect('chat_message')).seq, 2);
  });
});

withBackends('delivery of messages whose publish was lost, across instances', { postgres: true, redis: true }, () => {
  it('a retry on another instance publishes the stored original to the partner (check off)', async (t) => {
    const [a, b] = (await startInstances(t, 2, CHECK_OFF)) as [TestServer, TestServer];
    const { mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(a, b);
    await storeUnpublished(a, mentee.email, 'stored by A, never published', 'lost-a');
    await menteeSocket.close();
    const onB = await connectChat(b.ws, mentor.email, mentee.cookie);
    onB.send({ type: 'chat_message', content: 'stored by A, never published', client_id: 'lost-a' });
    const original = await onB.expect('chat_message');
    const { frame, skipped } = await mentorSocket.until((frame) => frame.type === 'chat_message');
    assert.deepEqual(frame, original);
    assert.deepEqual(new Set(skipped.map((frame) => frame.type)), new Set(['presence']), 'the mentee went offline and came back');
  });
});
