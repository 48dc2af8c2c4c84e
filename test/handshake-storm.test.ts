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
    // How many storm sockets were established when each chat echo arrived: the storm starts
    // after the first echo, and a later echo that arrives with the storm part-way through
    // shows the chat went on during it (rather than waiting for the storm to pass).
    let established = 0;
    const openedAtEcho: number[] = [];
    let firstEcho!: () => void;
    const chatStarted = new Promise<void>((resolve) => (firstEcho = resolve));
    const chat = (async () => {
      const contents = Array.from({ length: 40 }, (_, i) => `during the storm ${i}`);
      for (const content of contents) {
        menteeSocket.send({ type: 'chat_message', content });
        await menteeSocket.until((f) => f.type === 'chat_message' && f.content === content);
        openedAtEcho.push(established);
        firstEcho();
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
    await chatStarted;
    const started = performance.now();
    const storm = await Promise.all(
      Array.from({ length: STORM }, async (_, i) => {
        const { mentor, mentee } = silent[i % silent.length]!;
        const socket = i % 2 === 0 ? await connectChat(server.ws, mentee.email, mentor.cookie) : await connectChat(server.ws, mentor.email, mentee.cookie);
        established++;
        return socket;
      }),
    );
    t.diagnostic(`${STORM} handshakes took ${(performance.now() - started).toFixed(0)} ms`);
    await chat;
    const during = openedAtEcho.filter((count) => count > 0 && count < STORM).length;
    t.diagnostic(`${during} of ${openedAtEcho.length} echoes arrived with the storm part-way through`);
    assert.ok(during > 0, `no echo arrived during the storm: ${JSON.stringify(openedAtEcho)}`);
    for (const socket of storm) assert.equal(socket.established?.message, 'Connected to chat');
    await Promise.all(storm.map((socket) => socket.close()));
  });
});
