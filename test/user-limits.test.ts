/** Limits per user on one instance: open chat sockets, and inbound frames across all of them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode } from '../src/protocol/close-codes.js';
import { startWithPair } from './helpers/pair.js';
import { chatUrl, connectChat, TestSocket } from './helpers/socket.js';
import { until } from './helpers/wait.js';

describe('per-user limits', () => {
  it('refuses the socket past WS_MAX_CONNECTIONS_PER_USER with 4029, and accepts again once one closes', async (t) => {
    const { server, mentor, mentee } = await startWithPair(t, { WS_MAX_CONNECTIONS_PER_USER: '3' });
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await connectChat(server.ws, mentor.email, mentee.cookie));
    const refused = new TestSocket(chatUrl(server.ws, mentor.email), { cookie: mentee.cookie });
    assert.deepEqual(await refused.closedWithin(), { code: 4029, reason: CloseCode.tooManyConnections.reason });
    assert.deepEqual(refused.frames, [], 'nothing is sent before the close');
    // The partner is not counted against the mentee.
    const partner = await connectChat(server.ws, mentee.email, mentor.cookie);
    await open.pop()!.close();
    await until('the closed socket to leave the count', () => server.tandem.gateway.size === 3);
    open.push(await connectChat(server.ws, mentor.email, mentee.cookie));
    await Promise.all([...open, partner].map((socket) => socket.close()));
  });

  it("shares WS_USER_RATE_* across the user's sockets: a burst spread over three sockets is limited", async (t) => {
    const { server, mentor, mentee } = await startWithPair(t, {
      WS_RATE_PER_SECOND: '1000',
      WS_RATE_BURST: '1000',
      WS_USER_RATE_PER_SECOND: '1',
      WS_USER_RATE_BURST: '4',
    });
    const sockets = [];
    for (let i = 0; i < 3; i++) sockets.push(await connectChat(server.ws, mentor.email, mentee.cookie));
    sockets.forEach((socket, s) => {
      for (let i = 0; i < 5; i++) socket.send({ type: 'chat_message', content: `tab ${s} message ${i}`, client_id: `t${s}-${i}` });
    });
    const answers = await Promise.all(
      sockets.map(async (socket, s) => {
        const own: Array<Record<string, any>> = [];
        // Each socket gets, for each of its own frames, an echo or a refusal (and the other tabs' messages).
        while (own.length < 5) {
          const frame = await socket.next();
          if (frame.type === 'error' || (frame.type === 'chat_message' && String(frame.client_id).startsWith(`t${s}-`))) own.push(frame);
        }
        return own;
      }),
    );
    const refusals = answers.flat().filter((f) => f.type === 'error');
    const echoes = answers.flat().filter((f) => f.type === 'chat_message');
    assert.ok(refusals.length > 0, 'the shared rate refused part of the burst');
    for (const refusal of refusals) {
      assert.deepEqual({ ...refusal, client_id: undefined }, { type: 'error', message: 'Rate limit exceeded', code: 'rate_limited', client_id: undefined });
      assert.match(String(refusal.client_id), /^t\d-\d$/);
    }
    const pair = (await server.tandem.store.matches.list())[0]!;
    assert.equal((await server.tandem.store.matches.pairById(pair.pairId))?.lastSeq, echoes.length, 'nothing refused was stored');
    assert.ok(
      sockets.every((socket) => socket.ws.readyState === socket.ws.OPEN),
      'a short burst closes nothing',
    );
    await Promise.all(sockets.map((socket) => socket.close()));
  });
});
