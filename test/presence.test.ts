/** PROTOCOL Part 2, "presence" and "typing never sticks". */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { metricsAuth } from './helpers/accounts.js';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { connectedPair, startWithConnectedPair } from './helpers/pair.js';
import { startServer, type TestServer } from './helpers/server.js';
import { chatWith, connectChat } from './helpers/socket.js';
import { until } from './helpers/wait.js';

/** The typing timeout of the renewal case: long enough that a stalled test process does not pass it between renewals. */
const TYPING_MS = 1000;

/** Open chat connections of every instance in this process, as the metrics count them. */
async function openConnections(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.http}/metrics`, { headers: metricsAuth })).text();
  return Number(/^tandem_open_connections (\d+)$/m.exec(text)?.[1]);
}

/** The presence cases, on one instance or with each side on its own instance. */
function presenceCases(servers: (t: { after(fn: () => unknown): void }) => Promise<[TestServer, TestServer]>): void {
  it('partner_online says whether the partner is connected', async (t) => {
    const [a, b] = await servers(t);
    const { mentor, mentee, menteeSocket } = await connectedPair(a, b);
    assert.equal(menteeSocket.established?.partner_online, false, 'the mentor was not there yet');
    const mentorTab = await connectChat(b.ws, mentee.email, mentor.cookie);
    assert.equal(mentorTab.established?.partner_online, true);
  });

  it('goes online on the first connection and offline after the last, never flapping with two tabs', async (t) => {
    const [a, b] = await servers(t);
    const { mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(a, b);
    const mentorTab2 = await connectChat(a.ws, mentee.email, mentor.cookie);
    await mentorSocket.close();
    // One of two tabs closed: no presence frame; the next frame the mentee sees is a message.
    mentorTab2.send({ type: 'chat_message', content: 'still here' });
    assert.equal((await menteeSocket.next()).type, 'chat_message');
    await mentorTab2.close();
    assert.deepEqual(await menteeSocket.next(), { type: 'presence', email: mentor.email, online: false });
    const back = await connectChat(b.ws, mentee.email, mentor.cookie);
    assert.equal(back.established?.partner_online, true);
    assert.deepEqual(await menteeSocket.next(), { type: 'presence', email: mentor.email, online: true });
    // A user never gets their own presence: the mentor's socket saw nothing of it.
    menteeSocket.send({ type: 'chat_message', content: 'welcome back' });
    assert.equal((await back.next()).type, 'chat_message');
  });

  it("clears the typer's indicator only when the typer's last connection closes", async (t) => {
    const [a, b] = await servers(t);
    const { mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(a, b);
    const menteeTab2 = await connectChat(b.ws, mentor.email, mentee.cookie);
    menteeSocket.send({ type: 'typing', is_typing: true });
    assert.deepEqual(await mentorSocket.next(), { type: 'typing', sender_email: mentee.email, is_typing: true });
    // One of two tabs closes: the indicator stays. Once the server counted the close, a
    // marker from the other tab is the partner's next frame.
    const open = await openConnections(a);
    menteeSocket.ws.terminate();
    await until('the server to count the close', async () => (await openConnections(a)) === open - 1);
    menteeTab2.send({ type: 'chat_message', content: 'marker' });
    await mentorSocket.nothingBefore(chatWith('marker'));
    menteeTab2.send({ type: 'typing', is_typing: true });
    assert.deepEqual(await mentorSocket.next(), { type: 'typing', sender_email: mentee.email, is_typing: true });
    // The last one closes: the indicator ends.
    menteeTab2.ws.terminate();
    assert.deepEqual(await mentorSocket.next(), { type: 'typing', sender_email: mentee.email, is_typing: false });
    assert.deepEqual(await mentorSocket.next(), { type: 'presence', email: mentee.email, online: false });
  });

  it("clears the typer's indicator when the typer's connection closes", async (t) => {
    const [a, b] = await servers(t);
    const { mentee, menteeSocket, mentorSocket } = await connectedPair(a, b);
    menteeSocket.send({ type: 'typing', is_typing: true });
    assert.deepEqual(await mentorSocket.next(), { type: 'typing', sender_email: mentee.email, is_typing: true });
    menteeSocket.ws.terminate();
    assert.deepEqual(await mentorSocket.next(), { type: 'typing', sender_email: mentee.email, is_typing: false });
    assert.deepEqual(await mentorSocket.next(), { type: 'presence', email: mentee.email, online: false });
  });
}

describe('presence, one instance', () => {
  presenceCases(async (t) => {
    const server = await startServer(t);
    return [server, server];
  });

  it('clears a partner’s typing after the timeout without renewal, and renewal keeps it', async (t) => {
    const { mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { TYPING_TIMEOUT_MS: String(TYPING_MS) });
    const typing = (is_typing: boolean) => ({ type: 'typing', sender_email: mentee.email, is_typing });
    // Renewals for twice the timeout: each moves the deadline, so the indicator never ends
    // meanwhile — only renewals reach the partner, up to a marker sent after the last one.
    // The pauses between renewals are the typer's schedule, a fifth of the timeout each.
    const started = Date.now();
    do {
      menteeSocket.send({ type: 'typing', is_typing: true });
      assert.deepEqual(await mentorSocket.next(), typing(true));
      await sleep(TYPING_MS / 5);
    } while (Date.now() - started < 2 * TYPING_MS);
    menteeSocket.send({ type: 'chat_message', content: 'marker' });
    await mentorSocket.nothingBefore(chatWith('marker'));
    // No more renewals: the indicator ends by itself, the typer's socket still open.
    menteeSocket.send({ type: 'typing', is_typing: true });
    assert.deepEqual(await mentorSocket.next(), typing(true));
    assert.deepEqual(await mentorSocket.next(), typing(false));
    assert.equal(menteeSocket.ws.readyState, menteeSocket.ws.OPEN);
  });
});

withBackends('presence, two instances', { postgres: true, redis: true }, () => {
  describe('presence, two instances', () => {
    presenceCases(async (t) => {
      return (await startInstances(t, 2)) as [TestServer, TestServer];
    });
  });
});
