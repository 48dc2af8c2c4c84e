/** PROTOCOL Part 2, "limits" and "liveness": one bad client never hurts the others. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roomName } from '../src/chat/room.js';
import { startWithConnectedPair } from './helpers/pair.js';
import { connectChat } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { UNLIMITED } from './suites/chat.js';

/** The hang guard of a wait for the next frame of a 10 MB stream. */
const STREAM_WAIT_MS = 60_000;

describe('limits', () => {
  it('closes a connection that sends a frame over 64 KiB with 1009; smaller frames pass', async (t) => {
    const { menteeSocket, mentorSocket } = await startWithConnectedPair(t);
    // Just under the limit is a frame the server reads (and refuses as too long, politely).
    menteeSocket.send(JSON.stringify({ type: 'chat_message', content: 'x'.repeat(64 * 1024 - 64) }));
    assert.deepEqual(await menteeSocket.next(), { type: 'error', message: 'Message too long (max 5000 characters)' });
    menteeSocket.send(JSON.stringify({ type: 'chat_message', content: 'x'.repeat(64 * 1024) }));
    assert.equal((await menteeSocket.closedWithin()).code, 1009);
    assert.equal(mentorSocket.ws.readyState, mentorSocket.ws.OPEN, 'the partner is unaffected');
  });

  it('answers frames past the rate with "Rate limit exceeded" and stores none of them', async (t) => {
    const { server, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { WS_RATE_PER_SECOND: '1', WS_RATE_BURST: '5' });
    for (let i = 0; i < 8; i++) menteeSocket.send({ type: 'chat_message', content: `burst ${i}`, client_id: `b${i}` });
    const frames = [];
    for (let i = 0; i < 8; i++) frames.push(await menteeSocket.next());
    const echoed = frames.filter((f) => f.type === 'chat_message').map((f) => f.content);
    const limited = frames.filter((f) => f.type === 'error');
    assert.deepEqual(echoed, ['burst 0', 'burst 1', 'burst 2', 'burst 3', 'burst 4']);
    assert.equal(limited.length, 3);
    assert.deepEqual(
      limited,
      [5, 6, 7].map((i) => ({ type: 'error', message: 'Rate limit exceeded', code: 'rate_limited', client_id: `b${i}` })),
    );
    const pair = (await server.tandem.store.matches.list())[0]!;
    assert.equal((await server.tandem.store.matches.pairById(pair.pairId))?.lastSeq, 5);
    assert.equal(menteeSocket.ws.readyState, menteeSocket.ws.OPEN, 'a short burst is not a reason to close');
    for (let i = 0; i < 5; i++) assert.equal((await mentorSocket.expect('chat_message')).content, `burst ${i}`);
  });

  it('closes a connection that keeps flooding with 1008', async (t) => {
    const { menteeSocket, mentorSocket } = await startWithConnectedPair(t, { WS_RATE_PER_SECOND: '1', WS_RATE_BURST: '2', WS_FLOOD_CLOSE_AFTER: '20' });
    for (let i = 0; i < 100; i++) menteeSocket.send({ type: 'typing', is_typing: true });
    assert.equal((await menteeSocket.closedWithin()).code, 1008);
    assert.equal(mentorSocket.ws.readyState, mentorSocket.ws.OPEN, 'the partner is unaffected');
  });

  it('closes a reader that does not read with 1013 while its partner sends 10 MB; the rest carry on', async (t) => {
    // A grace far beyond the test: the close frame waits for the paused reader however
    // loaded the machine is, so the reader sees 1013 rather than a cut connection (1006).
    const { server, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, {
      ...UNLIMITED,
      WS_MAX_BUFFERED_BYTES: String(256 * 1024),
      WS_SLOW_CLOSE_GRACE_MS: '600000',
    });
    const attentive = await connectChat(server.ws, mentee.email, mentor.cookie);
    // The slow tab: its socket stops reading, so the server's unsent data piles up.
    const slow = await connectChat(server.ws, mentee.email, mentor.cookie);
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const content = 'y'.repeat(5000);
    const count = Math.ceil((10 * 1024 * 1024) / content.length);
    // Sent a window at a time, each read by every reading socket before the next: a reader
    // then never has more than a window (100 kB) unread however loaded the machine, so the
    // only socket past the 256 KiB bound is the slow one.
    const window = 20;
    const attentiveSeqs: number[] = [];
    for (let sent = 0; sent < count; sent += window) {
      const batch = Math.min(window, count - sent);
      for (let i = 0; i < batch; i++) menteeSocket.send({ type: 'chat_message', content });
      for (const reader of [menteeSocket, attentive, mentorSocket]) {
        for (let got = 0; got < batch;) {
          const frame = await reader.next(STREAM_WAIT_MS);
          if (frame.type !== 'chat_message') continue;
          got++;
          if (reader === attentive) attentiveSeqs.push(frame.seq as number);
        }
      }
    }
    assert.deepEqual(
      attentiveSeqs,
      Array.from({ length: count }, (_, i) => i + 1),
      'the attentive tab got every message, once and in order',
    );
    for (const reader of [menteeSocket, attentive, mentorSocket]) assert.equal(reader.ws.readyState, reader.ws.OPEN);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    assert.equal((await slow.closedWithin()).code, 1013);
    assert.equal(mentorSocket.ws.readyState, mentorSocket.ws.OPEN);
  });
});

describe('slow reader that never resumes', () => {
  it('is cut once WS_SLOW_CLOSE_GRACE_MS has passed: its connection and presence are gone, and it sees 1006', async (t) => {
    const { server, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, {
      ...UNLIMITED,
      WS_MAX_BUFFERED_BYTES: String(256 * 1024),
      WS_SLOW_CLOSE_GRACE_MS: '100',
    });
    // The mentor's only socket is the stalled one.
    await mentorSocket.close();
    assert.deepEqual(await menteeSocket.next(), { type: 'presence', email: mentor.email, online: false });
    const slow = await connectChat(server.ws, mentee.email, mentor.cookie);
    assert.deepEqual(await menteeSocket.next(), { type: 'presence', email: mentor.email, online: true });
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const content = 'z'.repeat(5000);
    // Batches until the server gives up on the reader (the kernel's buffers vary in size).
    let offline = false;
    for (let batch = 0; batch < 400 && !offline; batch++) {
      for (let i = 0; i < 100; i++) menteeSocket.send({ type: 'chat_message', content });
      for (let echoes = 0; echoes < 100;) {
        const frame = await menteeSocket.next();
        if (frame.type === 'chat_message') echoes++;
        else if (frame.type === 'presence' && frame.online === false) offline = true;
      }
    }
    await until('the presence frame saying the mentor is offline', async () => {
      offline ||= menteeSocket.frames.some((f) => f.type === 'presence' && f.online === false);
      return offline;
    });
    await until('the stalled connection to be cut and freed', () => server.tandem.gateway.size === 1);
    const menteeUser = (await server.tandem.store.accounts.byEmail(mentee.email))!;
    const { pair, partner } = (await server.tandem.store.matches.activePairWith(menteeUser, mentor.email))!;
    assert.equal(await server.tandem.presence.isOnline(roomName(pair.id), partner.id), false);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    assert.equal((await slow.closedWithin()).code, 1006, 'the close frame was cut off with the unread data');
    assert.equal(menteeSocket.ws.readyState, menteeSocket.ws.OPEN);
  });
});

describe('liveness', () => {
  // At one read per turn the ping round is sliced one socket per turn, and the pongs put off.
  for (const readsPerTurn of ['32', '1'])
    it(`drops a peer that does not answer pings, and its presence ends (WS_READS_PER_TURN=${readsPerTurn})`, async (t) => {
      const { server, mentor, mentee, menteeSocket } = await startWithConnectedPair(t, { WS_PING_INTERVAL_MS: '200', WS_READS_PER_TURN: readsPerTurn });
      await menteeSocket.close();
      const silent = await connectChat(server.ws, mentor.email, mentee.cookie, { autoPong: false });
      const alive = await connectChat(server.ws, mentee.email, mentor.cookie);
      // The mentor's first socket (from connectedPair) and `alive` answer pings; `silent` does not.
      assert.equal((await silent.closedWithin()).code, 1006);
      assert.deepEqual(await alive.next(), { type: 'presence', email: mentee.email, online: false });
      assert.equal(alive.ws.readyState, alive.ws.OPEN);
    });
});
