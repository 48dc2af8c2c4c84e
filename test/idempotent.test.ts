/** PROTOCOL Part 2, "idempotent send": a retry with the same client_id stores nothing new. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { connectedPair, startWithConnectedPair } from './helpers/pair.js';
import { startServer, tempDir, type TestServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

describe('idempotent send', () => {
  it('echoes client_id, and a retry gets the original back on the retrying connection only', async (t) => {
    const { server, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t);
    menteeSocket.send({ type: 'chat_message', content: 'once', client_id: 'c-1' });
    const original = await menteeSocket.expect('chat_message');
    assert.equal(original.client_id, 'c-1');
    assert.deepEqual(await mentorSocket.expect('chat_message'), original);

    // A new connection (opened after the original was stored) retries: the original is its answer.
    const retrying = await connectChat(server.ws, mentor.email, mentee.cookie);
    retrying.send({ type: 'chat_message', content: 'once', client_id: 'c-1' });
    assert.deepEqual(await retrying.expect('chat_message'), original);
    // Nobody else got anything for the retry: every next frame is the next message.
    retrying.send({ type: 'chat_message', content: 'twice', client_id: 'c-2' });
    for (const socket of [retrying, menteeSocket, mentorSocket]) {
      const next = await socket.expect('chat_message');
      assert.equal(next.content, 'twice');
      assert.equal(next.seq, original.seq + 1);
    }
  });

  it('a retry on the connection that already got the original is not answered twice: each seq once, in order', async (t) => {
    const { menteeSocket, mentorSocket } = await startWithConnectedPair(t);
    menteeSocket.send({ type: 'chat_message', content: 'once', client_id: 'c-1' });
    const original = await menteeSocket.expect('chat_message');
    menteeSocket.send({ type: 'chat_message', content: 'once', client_id: 'c-1' });
    menteeSocket.send({ type: 'chat_message', content: 'twice', client_id: 'c-2' });
    assert.deepEqual(await mentorSocket.expect('chat_message'), original);
    // The echo of c-1, with its client_id, was the answer; the next frame is the next message.
    for (const socket of [menteeSocket, mentorSocket]) {
      const next = await socket.expect('chat_message');
      assert.equal(next.content, 'twice');
      assert.equal(next.seq, original.seq + 1);
    }
  });

  it('a retry of a message from before the connection started is not answered once a later one went out', async (t) => {
    const { server, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t);
    menteeSocket.send({ type: 'chat_message', content: 'first', client_id: 'old-1' });
    const first = await mentorSocket.expect('chat_message');
    const late = await connectChat(server.ws, mentor.email, mentee.cookie);
    mentorSocket.send({ type: 'chat_message', content: 'newer' });
    assert.equal((await late.expect('chat_message')).seq, first.seq + 1);
    // Its answer would go back in seq; resuming with ?after= is how a client gets it (see docs/protocol.md).
    late.send({ type: 'chat_message', content: 'first', client_id: 'old-1' });
    late.send({ type: 'chat_message', content: 'third', client_id: 'new-3' });
    const next = await late.expect('chat_message');
    assert.deepEqual([next.content, next.seq], ['third', first.seq + 2]);
    const resumed = await connectChat(server.ws, mentor.email, mentee.cookie, { query: '?after=0' });
    assert.equal((await resumed.expect('chat_message')).client_id, 'old-1');
  });

  it('names the client_id in the error frame of a refused message', async (t) => {
    const { menteeSocket } = await startWithConnectedPair(t);
    menteeSocket.send({ type: 'chat_message', content: '   ', client_id: 'blank-1' });
    assert.deepEqual(await menteeSocket.next(), { type: 'error', message: 'Message content cannot be empty', client_id: 'blank-1' });
  });

  it('treats the same client_id from the other participant as a different message', async (t) => {
    const { menteeSocket, mentorSocket } = await startWithConnectedPair(t);
    menteeSocket.send({ type: 'chat_message', content: 'from mentee', client_id: 'same' });
    const fromMentee = await mentorSocket.expect('chat_message');
    assert.deepEqual(await menteeSocket.expect('chat_message'), fromMentee);
    mentorSocket.send({ type: 'chat_message', content: 'from mentor', client_id: 'same' });
    const fromMentor = await menteeSocket.expect('chat_message');
    assert.notEqual(fromMentor.message_id, fromMentee.message_id);
    assert.equal(fromMentor.seq, 2);
  });

  it('stores a message once when the socket drops mid-send and the client retries on a new one', async (t) => {
    const { server, mentor, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t);
    menteeSocket.send({ type: 'chat_message', content: 'did it arrive?', client_id: 'flaky-1' });
    // The first frame was stored: the partner has it. Then the sender's connection is cut
    // without its echo being read, so the client cannot know and retries.
    const first = await mentorSocket.expect('chat_message');
    assert.deepEqual([first.content, first.seq], ['did it arrive?', 1]);
    menteeSocket.ws.terminate();
    const retry = await connectChat(server.ws, mentor.email, mentee.cookie);
    retry.send({ type: 'chat_message', content: 'did it arrive?', client_id: 'flaky-1' });
    const echo = await retry.until((frame) => frame.type === 'chat_message');
    assert.deepEqual(echo.frame, { ...first, client_id: 'flaky-1' }, 'the retry is answered by the stored original');
    // The partner gets no second copy: a later marker is its next message.
    retry.send({ type: 'chat_message', content: 'marker' });
    const { frame, skipped } = await mentorSocket.until((f) => f.type === 'chat_message');
    assert.equal(frame.content, 'marker');
    assert.ok(
      skipped.every((f) => f.type === 'presence'),
      JSON.stringify(skipped),
    );
    const pair = (await server.tandem.store.matches.list())[0]!;
    const stored = await server.tandem.store.messages.after(pair.pairId, 0, 10);
    assert.deepEqual(
      stored.map((m) => [m.content, m.clientId]),
      [
        ['did it arrive?', 'flaky-1'],
        ['marker', null],
      ],
    );
  });

  it('holds after a restart: the store, not a cache, remembers client ids', async (t) => {
    const databaseUrl = `sqlite:${join(tempDir(t), 'idempotent.db')}`;
    const { server: first, mentor, mentee, menteeSocket } = await startWithConnectedPair(t, { DATABASE_URL: databaseUrl });
    menteeSocket.send({ type: 'chat_message', content: 'before restart', client_id: 'r-1' });
    const original = await menteeSocket.expect('chat_message');
    await first.close();
    const second = await startServer(t, { DATABASE_URL: databaseUrl });
    const again = await connectChat(second.ws, mentor.email, mentee.cookie);
    again.send({ type: 'chat_message', content: 'before restart', client_id: 'r-1' });
    assert.deepEqual(await again.expect('chat_message'), original);
  });
});

withBackends('idempotent send across instances', { postgres: true, redis: true }, () => {
  it('a retry on another instance gets the original, and nothing new is stored', async (t) => {
    const [a, b] = (await startInstances(t, 2)) as [TestServer, TestServer];
    const { mentor, mentee, menteeSocket, mentorSocket } = await connectedPair(a, b);
    menteeSocket.send({ type: 'chat_message', content: 'cross', client_id: 'x-1' });
    const original = await menteeSocket.expect('chat_message');
    await mentorSocket.expect('chat_message');
    const onB = await connectChat(b.ws, mentor.email, mentee.cookie);
    onB.send({ type: 'chat_message', content: 'cross', client_id: 'x-1' });
    assert.deepEqual(await onB.expect('chat_message'), original);
    const pair = (await b.tandem.store.matches.list())[0]!;
    assert.equal((await b.tandem.store.matches.pairById(pair.pairId))?.lastSeq, 1);
  });
});
