/** Marking read cannot be turned into a flood of frames to the partner: no receipt for nothing, and a per-user rate over HTTP. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startWithPair } from './helpers/pair.js';
import { connectChat, type Frame } from './helpers/socket.js';

describe('mark read', () => {
  it('sends the partner nothing for reads that mark nothing, over HTTP and over the socket', async (t) => {
    const { server, mentor, mentee } = await startWithPair(t);
    const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
    const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
    const readPath = `/api/chat/${encodeURIComponent(mentor.email)}/read`;
    for (let i = 0; i < 5; i++) assert.deepEqual((await mentee.post(readPath)).body, { count: 0 });
    for (let i = 0; i < 5; i++) menteeSocket.send({ type: 'mark_read' });
    // Something to mark, then one read that marks it: the only receipt the mentor gets.
    mentorSocket.send({ type: 'chat_message', content: 'one to read' });
    await menteeSocket.until((f) => f.type === 'chat_message');
    assert.deepEqual((await mentee.post(readPath)).body, { count: 1 });
    const { frame, skipped } = await mentorSocket.until((f) => f.type === 'read_receipt');
    assert.equal(frame.count, 1);
    assert.deepEqual(
      skipped.filter((f) => f.type !== 'presence').map((f) => f.type),
      ['chat_message'],
      'no receipt came before the one that marked something',
    );
    await Promise.all([mentorSocket.close(), menteeSocket.close()]);
  });

  it('answers a flood of HTTP reads with 429 rate_limited and Retry-After; the partner gets only the receipts that marked something', async (t) => {
    const { server, mentor, mentee } = await startWithPair(t, { MARK_READ_RATE_PER_SECOND: '1', MARK_READ_RATE_BURST: '5' });
    const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
    const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
    for (let i = 0; i < 3; i++) mentorSocket.send({ type: 'chat_message', content: `unread ${i}` });
    for (let i = 0; i < 3; i++) await menteeSocket.until((f) => f.type === 'chat_message');
    const readPath = `/api/chat/${encodeURIComponent(mentor.email)}/read`;
    const replies = await Promise.all(Array.from({ length: 40 }, () => mentee.post(readPath)));
    const limited = replies.filter((r) => r.status === 429);
    const served = replies.filter((r) => r.status === 200);
    assert.ok(limited.length > 0, 'the flood is limited');
    assert.equal(limited.length + served.length, replies.length);
    for (const reply of limited) {
      assert.deepEqual(reply.body, { error: 'rate_limited', message: 'Too many requests' });
      assert.match(reply.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    }
    assert.equal(
      served.reduce((sum, r) => sum + r.body.count, 0),
      3,
      'the three messages were marked once',
    );
    // The mentor reads everything published so far once the mentee's next message arrives behind it.
    menteeSocket.send({ type: 'chat_message', content: 'sentinel' });
    const { skipped } = await mentorSocket.until((f) => f.type === 'chat_message' && f.content === 'sentinel');
    const receipts = skipped.filter((f: Frame) => f.type === 'read_receipt');
    assert.deepEqual(
      receipts.map((f) => f.count),
      [3],
    );
    // Another user is not limited by the mentee's flood.
    assert.equal((await mentor.post(`/api/chat/${encodeURIComponent(mentee.email)}/read`)).status, 200);
    await Promise.all([mentorSocket.close(), menteeSocket.close()]);
  });
});
