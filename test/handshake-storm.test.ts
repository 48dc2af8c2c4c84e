/** A storm of handshakes: every one succeeds, and a pair chatting meanwhile gets every message, in order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Agent, createUser, loginAdmin, match } from './helpers/http.js';
import { startWithConnectedPair } from './helpers/pair.js';
import { connectChat } from './helpers/socket.js';

const STORM = 300;

describe('handshake storm', () => {
  it(`opens ${STORM} sockets at once while a pair chats; all succeed and no message is lost or reordered`, async (t) => {
    // Every socket of the storm comes from 127.0.0.1: the per-address cap is lifted.
    const { server, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { HTTP_MAX_CONNECTIONS_PER_ADDRESS: '100000' });
    const admin = await loginAdmin(server.http);
    // Ten silent pairs own the storm: 15 sockets per user, under the per-user cap.
    const silent: Array<{ mentor: Agent; mentee: Agent }> = [];
    for (let i = 0; i < 10; i++) {
      const mentor = await createUser(admin, { role: 'MENTOR' });
      const mentee = await createUser(admin, { role: 'MENTEE' });
      await match(admin, mentor, mentee);
      silent.push({ mentor, mentee });
    }
    const chat = (async () => {
      const contents = Array.from({ length: 40 }, (_, i) => `during the storm ${i}`);
      for (const content of contents) {
        menteeSocket.send({ type: 'chat_message', content });
        await menteeSocket.until((f) => f.type === 'chat_message' && f.content === content);
      }
      const received = [];
      while (received.length < contents.length) {
        const frame = await mentorSocket.next();
        if (frame.type === 'chat_message') received.push(frame);
      }
      assert.deepEqual(
        received.map((f) => f.content),
        contents,
      );
      assert.deepEqual(
        received.map((f) => f.seq),
        contents.map((_, i) => i + 1),
      );
    })();
    const started = performance.now();
    const storm = await Promise.all(
      Array.from({ length: STORM }, (_, i) => {
        const { mentor, mentee } = silent[i % silent.length]!;
        return i % 2 === 0 ? connectChat(server.ws, mentee.email, mentor.cookie) : connectChat(server.ws, mentor.email, mentee.cookie);
      }),
    );
    t.diagnostic(`${STORM} handshakes took ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(storm.length, STORM);
    await chat;
    await Promise.all(storm.map((socket) => socket.close()));
  });
});
