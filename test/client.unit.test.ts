/**
 * The typed client without a server: the reconnect policy, resume points, idempotent
 * resend and the outbox, driven through fake sockets and mocked timers.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  backoffDelay,
  ChatConnection,
  RESTART_DELAY,
  restartDelay,
  compareMessageIds,
  Outbox,
  TandemClient,
  validateContent,
  type KeyValueStorage,
  type WebSocketLike,
} from '../src/client/index.js';
import { ErrorText, type OutboundFrame } from '../src/protocol/frames.js';

/** A socket the test plays the server of: it reads what the client sent and answers with frames and closes. */
class FakeSocket implements WebSocketLike {
  readyState = 1;
  readonly sent: any[] = [];
  closedByClient: number | null = null;
  onopen: unknown = null;
  onmessage: unknown = null;
  onclose: unknown = null;
  onerror: unknown = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000): void {
    this.closedByClient = code;
    this.readyState = 3;
  }

  frame(frame: OutboundFrame): void {
    (this.onmessage as (event: { data: string }) => void)({ data: JSON.stringify(frame) });
  }

  established(): void {
    this.frame({ type: 'connection_established', message: 'Connected to chat' });
  }

  serverClose(code: number): void {
    this.readyState = 3;
    (this.onclose as (event: { code: number; reason: string }) => void)({ code, reason: '' });
  }

  get chatMessages(): any[] {
    return this.sent.filter((frame) => frame.type === 'chat_message');
  }
}

const PARTNER = 'tom@tandem.test';
const ME = 'mia@tandem.test';

function setup(t: TestContext, options: { ackTimeoutMs?: number; outbox?: Outbox; random?: () => number } = {}) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const sockets: FakeSocket[] = [];
  const connection = new ChatConnection({
    wsBase: 'ws://tandem.test',
    partnerEmail: PARTNER,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    backoff: { initialMs: 1000, maxMs: 8000 },
    random: options.random ?? (() => 0),
    ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
    ...(options.outbox ? { outbox: options.outbox } : {}),
  });
  t.after(() => connection.close());
  const last = () => sockets.at(-1)!;
  return { connection, sockets, last };
}

function echo(socket: FakeSocket, sent: { content: string; client_id?: string }, id: number, sender = ME): void {
  socket.frame({
    type: 'chat_message',
    message_id: String(id),
    seq: id,
    sender_email: sender,
    sender_name: 'Someone',
    content: sent.content,
    timestamp: new Date(0).toISOString(),
    ...(sent.client_id === undefined ? {} : { client_id: sent.client_id }),
  });
}

describe('ChatConnection', () => {
  it('resumes after the newest message it has seen', (t) => {
    const { connection, sockets, last } = setup(t);
    connection.resumeAfter('41');
    connection.start();
    assert.equal(last().url, 'ws://tandem.test/ws/chat/tom%40tandem.test/?after=41');
    last().established();
    echo(last(), { content: 'from Tom' }, 42, PARTNER);
    echo(last(), { content: 'older, replayed' }, 40, PARTNER);
    last().serverClose(1006);
    t.mock.timers.tick(500);
    assert.equal(sockets.length, 2);
    assert.equal(last().url, 'ws://tandem.test/ws/chat/tom%40tandem.test/?after=42');
  });

  it('queues while connecting, sends with a client_id once open, and clears the outbox on the echo', (t) => {
    const { connection, last } = setup(t);
    connection.start();
    const sent = connection.send('  Hello Tom  ');
    assert.ok(sent.ok);
    assert.equal(last().chatMessages.length, 0, 'nothing goes out before connection_established');
    last().established();
    const [frame] = last().chatMessages;
    assert.deepEqual(frame, { type: 'chat_message', content: 'Hello Tom', client_id: sent.pending.client_id });
    assert.equal(connection.outbox.all[0]?.state, 'sent');
    echo(last(), frame, 1);
    assert.equal(connection.outbox.all.length, 0);
  });

  it('sends an unacknowledged message again, with the same client_id, after a reconnect', (t) => {
    const { connection, sockets, last } = setup(t);
    connection.start();
    last().established();
    connection.send('first');
    connection.send('second');
    const original = last().chatMessages.map((frame) => frame.client_id);
    echo(last(), last().chatMessages[0], 1);
    last().serverClose(1006);
    assert.equal(connection.state.kind, 'waiting');
    t.mock.timers.tick(500);
    assert.equal(sockets.length, 2);
    last().established();
    assert.deepEqual(
      last().chatMessages.map((frame) => frame.client_id),
      [original[1]],
      'only the unacknowledged one, same id',
    );
  });

  it('backs off exponentially while the server stays away, and resets once connected', (t) => {
    const { connection, sockets, last } = setup(t);
    connection.start();
    const delays: number[] = [];
    connection.on('state', (state) => {
      if (state.kind === 'waiting') delays.push(state.delayMs);
    });
    for (let i = 0; i < 3; i++) {
      last().serverClose(1006);
      t.mock.timers.tick(10_000);
    }
    assert.equal(sockets.length, 4);
    last().established();
    last().serverClose(1006);
    assert.deepEqual(delays, [500, 500, 500, 500], 'random() = 0 gives the floor every time');
    assert.equal(
      backoffDelay(0, { initialMs: 1000, maxMs: 8000 }, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(3, { initialMs: 1000, maxMs: 8000 }, () => 1),
      8000,
    );
    assert.equal(
      backoffDelay(9, { initialMs: 1000, maxMs: 8000 }, () => 1),
      8000,
    );
  });

  it('after a server restart (1001) retries every 250–1000 ms, jittered, instead of backing off', (t) => {
    let draw = 0;
    const { connection, last } = setup(t, { random: () => ((draw++ % 4) + 1) / 4 });
    const delays: number[] = [];
    connection.on('state', (state) => {
      if (state.kind === 'waiting') delays.push(state.delayMs);
    });
    connection.start();
    last().established();
    last().serverClose(1001);
    // The server is still restarting: each attempt fails, as many times as the short delay lasts.
    for (let i = 1; i < RESTART_DELAY.attempts; i++) {
      t.mock.timers.tick(1000);
      last().serverClose(1006);
    }
    assert.equal(delays.length, RESTART_DELAY.attempts);
    assert.ok(
      delays.every((delay) => delay >= 250 && delay <= 1000),
      delays.join(),
    );
    assert.ok(new Set(delays).size > 1, 'jittered');
    t.mock.timers.tick(1000);
    last().serverClose(1006);
    assert.ok(delays.at(-1)! > 1000, `then the usual backoff, grown by now: ${delays.at(-1)}`);
    t.mock.timers.tick(10_000);
    last().established();
    assert.equal(connection.state.kind, 'open');
    assert.equal(
      restartDelay(() => 0),
      250,
    );
    assert.equal(
      restartDelay(() => 1),
      1000,
    );
  });

  for (const [code, reason] of [
    [4001, 'unauthenticated'],
    [4003, 'forbidden'],
    [1008, 'policy'],
    [1009, 'too_big'],
  ] as const) {
    it(`ends for good on close code ${code} (${reason})`, (t) => {
      const { connection, sockets, last } = setup(t);
      connection.start();
      last().serverClose(code);
      t.mock.timers.tick(60_000);
      assert.deepEqual(connection.state, { kind: 'ended', reason, code });
      assert.equal(sockets.length, 1);
    });
  }

  for (const code of [1001, 1006, 1011, 1013]) {
    it(`reconnects after close code ${code}`, (t) => {
      const { connection, sockets, last } = setup(t);
      connection.start();
      last().established();
      last().serverClose(code);
      t.mock.timers.tick(500);
      assert.equal(sockets.length, 2);
    });
  }

  it('ends with the force_disconnect reason; unsent messages fail when unmatched', (t) => {
    const { connection, sockets, last } = setup(t);
    connection.start();
    last().established();
    connection.send('too late');
    last().frame({ type: 'force_disconnect', reason: 'unmatched' });
    last().serverClose(1000);
    t.mock.timers.tick(60_000);
    assert.deepEqual(connection.state, { kind: 'ended', reason: 'unmatched', code: 1000 });
    assert.equal(sockets.length, 1);
    assert.equal(connection.outbox.all[0]?.state, 'failed');
    assert.deepEqual(connection.send('again'), { ok: false, error: ErrorText.notMatched });
  });

  it('goes quiet while paused and sends what waited on resume', (t) => {
    const { connection, sockets, last } = setup(t);
    connection.start();
    last().established();
    connection.pause();
    assert.equal(last().closedByClient, 1000);
    connection.send('written offline 1');
    connection.send('written offline 2');
    t.mock.timers.tick(60_000);
    assert.equal(sockets.length, 1, 'no reconnect while paused');
    connection.resume();
    assert.equal(sockets.length, 2, 'resume connects at once');
    last().established();
    assert.deepEqual(
      last().chatMessages.map((frame) => frame.content),
      ['written offline 1', 'written offline 2'],
    );
  });

  it('retries a message refused as temporarily unavailable; gives up on one refused for good', (t) => {
    const { connection, last } = setup(t);
    connection.start();
    last().established();
    connection.send('retry me');
    const [frame] = last().chatMessages;
    last().frame({ type: 'error', message: ErrorText.unavailable, code: 'unavailable', client_id: frame.client_id });
    assert.equal(connection.outbox.all[0]?.state, 'queued');
    t.mock.timers.tick(500);
    assert.equal(last().chatMessages.length, 2);
    assert.equal(last().chatMessages[1].client_id, frame.client_id);
    last().frame({ type: 'error', message: ErrorText.notMatched, code: 'not_matched', client_id: frame.client_id });
    assert.equal(connection.outbox.all[0]?.state, 'failed');
    assert.equal(connection.outbox.all[0]?.error, ErrorText.notMatched);
    t.mock.timers.tick(60_000);
    assert.equal(last().chatMessages.length, 2);
  });

  it('keeps at most 16 messages unacknowledged, so a long offline outbox does not trip the rate limit', (t) => {
    const { connection, last } = setup(t);
    connection.start();
    for (let i = 1; i <= 40; i++) connection.send(`message ${i}`);
    last().established();
    assert.equal(last().chatMessages.length, 16);
    echo(last(), last().chatMessages[0], 1);
    assert.equal(last().chatMessages.length, 17);
    assert.deepEqual(
      last().chatMessages.map((frame) => frame.content),
      Array.from({ length: 17 }, (_, i) => `message ${i + 1}`),
    );
  });

  it('sends what is unacknowledged again after a rate-limit refusal, which names no message', (t) => {
    const { connection, last } = setup(t);
    connection.start();
    last().established();
    connection.send('one');
    connection.send('two');
    echo(last(), last().chatMessages[0], 1);
    const second = last().chatMessages[1].client_id;
    last().frame({ type: 'error', message: ErrorText.rateLimited, code: 'rate_limited' });
    t.mock.timers.tick(500);
    assert.deepEqual(
      last()
        .chatMessages.slice(2)
        .map((frame) => frame.client_id),
      [second],
    );
  });

  it('replaces a socket that stops echoing', (t) => {
    const { connection, sockets, last } = setup(t, { ackTimeoutMs: 5000 });
    connection.start();
    last().established();
    connection.send('into the void');
    t.mock.timers.tick(5000);
    assert.equal(sockets[0]!.closedByClient, 4000);
    t.mock.timers.tick(500);
    assert.equal(sockets.length, 2);
    last().established();
    assert.equal(last().chatMessages.length, 1);
  });

  it('refuses up front what the server would refuse without saying which message', (t) => {
    const { connection } = setup(t);
    assert.deepEqual(connection.send(' \n\t '), { ok: false, error: ErrorText.emptyContent });
    assert.deepEqual(connection.send('x'.repeat(5001)), { ok: false, error: ErrorText.tooLong });
    assert.ok(connection.send('😀'.repeat(5000)).ok, '5000 code points fit though they are 10000 UTF-16 units');
    assert.deepEqual(connection.send('a\u0000b'), { ok: false, error: ErrorText.badCharacters });
  });
});

describe('Outbox and helpers', () => {
  it('keeps unsent messages in storage across a reload, as queued', () => {
    const data = new Map<string, string>();
    const storage: KeyValueStorage = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
    const first = new Outbox(storage, 'k');
    const a = first.add('one');
    first.add('two');
    first.mark(a.client_id, 'sent');
    const reloaded = new Outbox(storage, 'k');
    assert.deepEqual(
      reloaded.all.map((item) => [item.content, item.state]),
      [
        ['one', 'queued'],
        ['two', 'queued'],
      ],
    );
    assert.equal(reloaded.all[0]?.client_id, a.client_id);
    reloaded.acknowledge(a.client_id);
    reloaded.acknowledge(reloaded.all[0]!.client_id);
    assert.equal(data.has('k'), false, 'an empty outbox leaves nothing behind');
  });

  it('validates like the server and compares ids numerically', () => {
    assert.deepEqual(validateContent('  hi  '), { ok: true, content: 'hi' });
    assert.ok(compareMessageIds('9', '10') < 0);
    assert.ok(compareMessageIds('100', '99') > 0);
    assert.equal(compareMessageIds('7', '7'), 0);
  });
});

describe('TandemClient on a server without the chat HTTP routes', () => {
  it('falls back to /api/me partners and takes the history from a resume at 0', async (t) => {
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const user = { email: ME, first_name: 'Mia', last_name: 'Lee', role: 'MENTEE' };
    const partner = { email: PARTNER, first_name: 'Tom', last_name: 'Ng', role: 'MENTOR' };
    const fakeFetch = (async (input: string | URL | Request) => {
      const path = String(input);
      if (path.endsWith('/api/auth/login')) return json(200, user);
      if (path.endsWith('/api/me')) return json(200, { user, partners: [partner] });
      return json(404, { error: 'not_found', message: 'Not found' });
    }) as typeof fetch;
    const sockets: FakeSocket[] = [];
    const client = new TandemClient({
      httpBase: 'http://tandem.test',
      fetch: fakeFetch,
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    t.after(() => client.close());
    await client.signIn(ME, 'secret-password');
    const [conversation] = await client.loadConversations();
    assert.equal(conversation?.partner.email, PARTNER);
    assert.equal(conversation?.historyAvailable, false);
    assert.equal(conversation?.partnerOnline, null, 'no presence known: no online dot');
    assert.equal(sockets[0]?.url, 'ws://tandem.test/ws/chat/tom%40tandem.test/?after=0');
    sockets[0]!.established();
    echo(sockets[0]!, { content: 'from the start' }, 1, PARTNER);
    assert.deepEqual(
      conversation?.messages.map((message) => message.content),
      ['from the start'],
    );
    assert.equal(conversation?.unread, 1);
  });
});

describe('TandemClient and its event stream', () => {
  it('re-reads the list at each stream connect, and a list read before a live message does not undo its unread count', async (t) => {
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const user = { email: ME, first_name: 'Mia', last_name: 'Lee', role: 'MENTEE' };
    const partner = { email: PARTNER, first_name: 'Tom', last_name: 'Ng', role: 'MENTOR' };
    const row = (unread: number) => ({ partner, last_message: null, unread_count: unread, partner_online: true, archived: false, paused: false });
    const lists: Array<(unread: number) => void> = [];
    const waiting = () => lists.length;
    let listsAsked = 0;
    const fakeFetch = (async (input: string | URL | Request) => {
      const path = String(input);
      if (path.endsWith('/api/auth/login')) return json(200, user);
      if (path.includes('/api/chat/conversations')) {
        if (listsAsked++ === 0) return json(200, { conversations: [row(0)] });
        return new Promise<Response>((resolve) => lists.push((unread) => resolve(json(200, { conversations: [row(unread)] }))));
      }
      if (path.includes('/messages')) return json(200, { messages: [], has_more: false });
      return json(404, { error: 'not_found', message: 'Not found' });
    }) as typeof fetch;
    const sockets: FakeSocket[] = [];
    const client = new TandemClient({
      httpBase: 'http://tandem.test',
      fetch: fakeFetch,
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    t.after(() => client.close());
    await client.signIn(ME, 'secret-password');
    const [conversation] = await client.loadConversations();
    const stream = () => sockets.find((socket) => socket.url === 'ws://tandem.test/ws/me/');
    for (let i = 0; i < 10 && !stream(); i++) await Promise.resolve();
    assert.ok(stream(), 'the event stream opens once the list is loaded');
    sockets[0]!.established();
    stream()!.frame({ type: 'connection_established', message: 'Connected to events' } as never);
    for (let i = 0; i < 10 && waiting() === 0; i++) await Promise.resolve();
    assert.equal(waiting(), 1, "the stream's connect re-reads the list");
    echo(sockets[0]!, { content: 'new' }, 1, PARTNER);
    assert.equal(conversation?.unread, 1);
    lists.shift()!(0); // the list was read before the message arrived
    await client.loadConversations();
    assert.equal(conversation?.unread, 1, 'the older list does not undo the live count');
    stream()!.frame({ type: 'connection_established', message: 'Connected to events' } as never);
    for (let i = 0; i < 10 && waiting() === 0; i++) await Promise.resolve();
    lists.shift()!(3);
    await client.loadConversations();
    assert.equal(conversation?.unread, 3, 'a list read after the last live change is taken');
  });
});
