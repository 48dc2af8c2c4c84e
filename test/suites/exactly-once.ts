/**
 * Exactly once, per connection, when one user's connections race each other (PROTOCOL.md
 * Part 2, order and idempotent send): two sockets of the mentee — on one instance, or one on
 * each — send the same `client_id`s at once. Every frame each socket got is checked, and
 * nothing more can be on its way: each socket's last frames are ordered after everything
 * the race could still send it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { matchedPair, type Agent } from '../helpers/http.js';
import { connectChat, type Frame, type TestSocket } from '../helpers/socket.js';

/** The chat suite's cluster (see suites/chat.ts): the mentee's side 0, the mentor's side 1. */
interface Cluster {
  admin: Agent;
  side(i: 0 | 1): { http: string; ws: string };
}

const RACED = 20;

/** Frames until (and with) the first one `last` accepts. */
async function framesUntil(socket: TestSocket, last: (frame: Frame) => boolean): Promise<Frame[]> {
  const { frame, skipped } = await socket.until(last);
  return [...skipped, frame];
}

/** Each message once, in strictly increasing `seq`, and exactly the stored ones. */
function assertOnceInOrder(label: string, chat: Frame[], stored: Frame[]): void {
  const seqs = chat.map((frame) => frame.seq as number);
  assert.equal(new Set(seqs).size, seqs.length, `${label}: a seq came twice: ${seqs.join(',')}`);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `${label}: seq out of order: ${seqs.join(',')}`);
  assert.deepEqual(
    chat.map(({ message_id, seq, content }) => ({ message_id, seq, content })),
    stored.map(({ message_id, seq, content }) => ({ message_id, seq, content })),
    `${label}: not every stored message exactly once`,
  );
}

export function exactlyOnceTests(cluster: () => Cluster): void {
  const starts = {
    together: 'at once',
    staggered: 'the second once the first one’s first echo came (its retries meet messages it has and ones in flight)',
  } as const;
  for (const [start, how] of Object.entries(starts)) {
    it(`two sockets of one user sending the same client_ids, ${how}: each gets each message once, in seq order`, async () => {
      await race(cluster(), start === 'staggered');
    });
  }
}

async function race({ side, admin }: Cluster, staggered: boolean): Promise<void> {
  const { mentor, mentee } = await matchedPair(admin, side(0).http);
  const tabs = [await connectChat(side(0).ws, mentor.email, mentee.cookie), await connectChat(side(1).ws, mentor.email, mentee.cookie)];
  const mentorSocket = await connectChat(side(1).ws, mentee.email, mentor.cookie);
  const burst = (t: number) => {
    for (let i = 0; i < RACED; i++) tabs[t]!.send({ type: 'chat_message', content: `tab ${t} says ${i}`, client_id: `race-${i}` });
  };
  burst(0);
  if (staggered) {
    const first = await tabs[0]!.until((frame) => frame.type === 'chat_message');
    tabs[0]!.frames.unshift(...first.skipped, first.frame);
  }
  burst(1);
  // An error goes out after every answer to the frames its socket sent before it.
  for (const tab of tabs) tab.send({ type: 'end_of_race' });
  const isEnd = (frame: Frame) => frame.type === 'error' && frame.message === 'Unknown message type';
  const beforeEnd = await Promise.all(tabs.map((tab) => framesUntil(tab, isEnd)));
  // Then a message after all of them: whatever a socket gets after it cannot be a late answer.
  mentorSocket.send({ type: 'chat_message', content: 'after the race', client_id: 'marker' });
  const isMarker = (frame: Frame) => frame.type === 'chat_message' && frame.client_id === 'marker';
  const tail = await Promise.all([...tabs, mentorSocket].map((socket) => framesUntil(socket, isMarker)));
  const history = await mentee.get(`/api/chat/${encodeURIComponent(mentor.email)}/messages?limit=100`);
  assert.equal(history.status, 200);
  const stored = history.body.messages as Frame[];
  assert.equal(stored.length, RACED + 1, 'one message per client_id, and the marker');

  const got = [...beforeEnd.map((frames, t) => [...frames, ...tail[t]!]), tail[2]!];
  got.forEach((frames, s) => {
    const label = ['tab 0', 'tab 1', 'mentor'][s]!;
    const other = frames.filter((frame) => frame.type !== 'chat_message');
    const expectedOther = s < 2 ? ['presence', 'error'] : [];
    assert.deepEqual(other.map((frame) => frame.type).sort(), expectedOther.sort(), `${label}: unexpected frames ${JSON.stringify(other)}`);
    assertOnceInOrder(
      label,
      frames.filter((frame) => frame.type === 'chat_message'),
      stored,
    );
  });
  // Each client_id was answered on each tab, by the message stored under it.
  const raced = Array.from({ length: RACED }, (_, i) => `race-${i}`);
  for (const frames of got) {
    const ids = frames.filter((frame) => frame.type === 'chat_message').map((frame) => String(frame.client_id));
    assert.deepEqual(ids.sort(), [...raced, 'marker'].sort());
  }
  await Promise.all([...tabs, mentorSocket].map((socket) => socket.close()));
}
