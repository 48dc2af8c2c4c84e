/**
 * A storm of closes: hundreds of sockets close at once while a pair chats. Every message
 * arrives once and in order, and presence reports each user's edges exactly once. Run again
 * with a read budget of one read per turn, so that nearly every socket's input is put off to a
 * later turn (read-budget.ts): nothing is lost, reordered or left unclosed for it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Agent, createUser, loginAdmin, match } from './helpers/http.js';
import { startWithConnectedPair } from './helpers/pair.js';
import { type Frame, connectChat } from './helpers/socket.js';

const STORM = 300;
const SILENT_PAIRS = 10;

describe('close storm', () => {
  for (const readsPerTurn of ['32', '1'])
    it(`closes ${STORM} sockets at once while a pair chats (WS_READS_PER_TURN=${readsPerTurn}); no message is lost or reordered, presence edges are right`, async (t) => {
      // Every socket comes from 127.0.0.1: the per-address cap is lifted.
      const { server, mentee, mentor, menteeSocket, mentorSocket } = await startWithConnectedPair(t, {
        HTTP_MAX_CONNECTIONS_PER_ADDRESS: '100000',
        WS_READS_PER_TURN: readsPerTurn,
      });
      const admin = await loginAdmin(server.http);
      // Each silent mentee opens the storm's sockets; its mentor watches, with one socket, what presence says.
      const silent: Array<{ mentor: Agent; mentee: Agent; seen: Frame[] }> = [];
      for (let i = 0; i < SILENT_PAIRS; i++) {
        const silentMentor = await createUser(admin, { role: 'MENTOR' });
        const silentMentee = await createUser(admin, { role: 'MENTEE' });
        await match(admin, silentMentor, silentMentee);
        silent.push({ mentor: silentMentor, mentee: silentMentee, seen: [] });
      }
      const watchers = await Promise.all(silent.map(({ mentor: m, mentee: e }) => connectChat(server.ws, e.email, m.cookie)));
      watchers.forEach((watcher, i) => watcher.ws.on('message', (data) => silent[i]!.seen.push(JSON.parse(data.toString()) as Frame)));
      const storm = await Promise.all(
        Array.from({ length: STORM }, (_, i) => connectChat(server.ws, silent[i % SILENT_PAIRS]!.mentor.email, silent[i % SILENT_PAIRS]!.mentee.cookie)),
      );

      let closing: Promise<unknown> | undefined;
      const contents = Array.from({ length: 40 }, (_, i) => `during the close storm ${i}`);
      const skippedByMentee: Frame[] = [];
      for (const [i, content] of contents.entries()) {
        menteeSocket.send({ type: 'chat_message', content });
        skippedByMentee.push(...(await menteeSocket.until((f) => f.type === 'chat_message' && f.content === content)).skipped);
        if (i === 5) closing = Promise.all(storm.map((socket) => socket.close()));
      }
      await closing;
      const received: Frame[] = [];
      while (received.length < contents.length) {
        const frame = await mentorSocket.next();
        if (frame.type === 'chat_message') received.push(frame);
        else assert.notEqual(frame.type, 'presence', `the mentor saw ${JSON.stringify(frame)}`);
      }
      assert.deepEqual(
        received.map((f) => f.content),
        contents,
      );
      assert.deepEqual(
        received.map((f) => f.seq),
        contents.map((_, i) => i + 1),
      );
      assert.deepEqual(
        skippedByMentee.filter((f) => f.type === 'presence'),
        [],
        `${mentee.email} and ${mentor.email} stayed online`,
      );

      // After its partner's last socket closed, each watcher hears one offline edge, after one online edge.
      for (const [i, watcher] of watchers.entries()) {
        const { seen, mentee: silentMentee } = silent[i]!;
        await watcher.until((f) => f.type === 'presence' && f.online === false);
        watcher.send({ type: 'chat_message', content: 'after the storm' });
        await watcher.until((f) => f.type === 'chat_message' && f.content === 'after the storm');
        assert.deepEqual(
          seen.filter((f) => f.type === 'presence'),
          [
            { type: 'presence', email: silentMentee.email, online: true },
            { type: 'presence', email: silentMentee.email, online: false },
          ],
        );
      }
      await Promise.all(watchers.map((watcher) => watcher.close()));
    });
});
