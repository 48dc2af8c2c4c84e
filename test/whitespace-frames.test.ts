/**
 * Frames built to make the parser's whitespace trim slow (a long run of whitespace that is
 * not at the end, which a `[…]+$` regex scans from every start): each is answered as Python's
 * `str.strip()` then `len` would answer it, over real sockets, while another pair on the same
 * server goes on exchanging messages. Every wait is the socket helper's hang guard.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectedPair } from './helpers/pair.js';
import { startServer } from './helpers/server.js';
import type { TestSocket } from './helpers/socket.js';
import { UNLIMITED } from './suites/chat.js';

/** Every character for which Python's `str.isspace()` is true. */
const PY_WHITESPACE =
  '\t\n\x0B\f\r\x1C\x1D\x1E\x1F \x85\xA0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000';
/** WS_MAX_FRAME_BYTES by default: every frame here must be read, not closed with 1009. */
const FRAME_LIMIT = 64 * 1024;

/** "a", a run of `count` × `space` (all of it inside the message), "b". */
const hostile = (space: string, count: number) => `a${space.repeat(count)}b`;

function frame(content: string, clientId: string): string {
  const text = JSON.stringify({ type: 'chat_message', content, client_id: clientId });
  assert.ok(Buffer.byteLength(text) < FRAME_LIMIT, `the frame for ${clientId} fits in one frame`);
  return text;
}

/** The other pair's round trip: sent, echoed to the sender and delivered to the partner. */
async function exchange(menteeSocket: TestSocket, mentorSocket: TestSocket, content: string): Promise<void> {
  menteeSocket.send({ type: 'chat_message', content });
  assert.equal((await menteeSocket.expect('chat_message')).content, content);
  assert.equal((await mentorSocket.expect('chat_message')).content, content);
}

describe('whitespace runs inside a message', () => {
  it('refuses a run too long for a message as too long, stores one that fits exactly as Python strips it, and the other pair keeps talking', async (t) => {
    const server = await startServer(t, UNLIMITED);
    const attacker = await connectedPair(server);
    const bystanders = await connectedPair(server);
    await exchange(bystanders.menteeSocket, bystanders.mentorSocket, 'before');

    const tooLong = [hostile(' ', 64_000), hostile('\t', 30_000), hostile('\u2028', 20_000), hostile('\u3000', 20_000)];
    tooLong.forEach((content, i) => attacker.menteeSocket.send(frame(content, `h${i}`)));
    // Whitespace of every kind around and inside, with the inside kept within the 5000 limit.
    const core = hostile(PY_WHITESPACE.repeat(160), 1) + hostile(' ', 100);
    const padded = `${PY_WHITESPACE}${' '.repeat(24_000)}${core}${' '.repeat(24_000)}${PY_WHITESPACE}`;
    attacker.menteeSocket.send(frame(padded, 'fits'));
    await exchange(bystanders.menteeSocket, bystanders.mentorSocket, 'during');

    for (let i = 0; i < tooLong.length; i++) {
      assert.deepEqual(await attacker.menteeSocket.next(), { type: 'error', message: 'Message too long (max 5000 characters)', client_id: `h${i}` });
    }
    const echo = await attacker.menteeSocket.expect('chat_message');
    assert.equal(echo.client_id, 'fits');
    assert.equal(echo.content, core, 'stripped of the whitespace around it, every character inside kept');
    assert.equal((await attacker.mentorSocket.expect('chat_message')).content, core);
    const history = await attacker.mentee.get(`/api/chat/${encodeURIComponent(attacker.mentor.email)}/messages`);
    assert.equal(history.status, 200);
    assert.deepEqual(
      (history.body as { messages: Array<{ content: string }> }).messages.map((message) => message.content),
      [core],
    );
    await exchange(bystanders.menteeSocket, bystanders.mentorSocket, 'after');
  });

  it('answers the same frames past the rate limit with their client_id, and the other pair keeps talking', async (t) => {
    const server = await startServer(t, { WS_RATE_PER_SECOND: '1', WS_RATE_BURST: '1' });
    const attacker = await connectedPair(server);
    const bystanders = await connectedPair(server);
    attacker.menteeSocket.send(frame('first', 'first'));
    assert.equal((await attacker.menteeSocket.expect('chat_message')).content, 'first');

    const flood = [hostile(' ', 64_000), hostile(' ', 64_000), hostile('\u3000', 20_000), hostile('\x1C', 10_000)];
    flood.forEach((content, i) => attacker.menteeSocket.send(frame(content, `r${i}`)));
    await exchange(bystanders.menteeSocket, bystanders.mentorSocket, 'during');
    for (let i = 0; i < flood.length; i++) {
      const answer = await attacker.menteeSocket.expect('error');
      // Past the limit it is refused unread; a token refilled meanwhile reads it as too long.
      if (answer.message === 'Rate limit exceeded')
        assert.deepEqual(answer, { type: 'error', message: 'Rate limit exceeded', code: 'rate_limited', client_id: `r${i}` });
      else assert.deepEqual(answer, { type: 'error', message: 'Message too long (max 5000 characters)', client_id: `r${i}` });
    }
  });
});
