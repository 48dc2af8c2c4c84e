/**
 * The client's one reconnect loop, without a server: backoff and its reset, the short delays
 * after a restart (1001), the close policy (terminal codes, force_disconnect, 4029), a fresh
 * token after token_expired, the resume point asked at every connect, and stopping; then the
 * user's event stream, which runs on it. Fake sockets, mocked timers.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ReconnectLoop, type ReconnectOwner } from '../src/client/reconnect-loop.js';
import { RESTART_DELAY, UserEventStream, type WebSocketLike } from '../src/client/index.js';

class FakeSocket implements WebSocketLike {
  readyState = 1;
  closedByClient: number | null = null;
  onopen: unknown = null;
  onmessage: unknown = null;
  onclose: unknown = null;
  onerror: unknown = null;

  constructor(readonly url: string) {}

  send(): void {}

  close(code = 1000): void {
    this.closedByClient = code;
    this.readyState = 3;
  }

  frame(frame: object): void {
    (this.onmessage as (event: { data: string }) => void)({ data: JSON.stringify(frame) });
  }

  serverClose(code: number): void {
    this.readyState = 3;
    (this.onclose as (event: { code: number }) => void)({ code });
  }
}

/** Lets promise reactions (a token source's) run; timers stay mocked. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(t: TestContext, options: { getToken?: () => Promise<string> } = {}) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const sockets: FakeSocket[] = [];
  const log: string[] = [];
  let resumePoint = 0;
  const owner: ReconnectOwner = {
    url: (token) => `ws://tandem.test/x?after=${resumePoint}${token === null ? '' : `&token=${token}`}`,
    receive: (text) => log.push(`frame ${text}`),
    ended: (reason, code) => log.push(`ended ${reason} ${code}`),
    connecting: (attempt) => log.push(`connecting ${attempt}`),
    waiting: (attempt, delayMs) => log.push(`waiting ${attempt} ${delayMs}`),
  };
  const loop = new ReconnectLoop(
    {
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      backoff: { initialMs: 1000, maxMs: 4000 },
      random: () => 1,
      ...options,
    },
    owner,
  );
  t.after(() => loop.stop());
  return { loop, sockets, log, last: () => sockets.at(-1)!, resumeAt: (point: number) => (resumePoint = point) };
}

describe('ReconnectLoop', () => {
  it('backs off up to the bound while the server stays away, and starts afresh once established', (t) => {
    const { loop, sockets, log, last } = setup(t);
    loop.connectNow();
    for (let i = 0; i < 4; i++) {
      last().serverClose(1006);
      t.mock.timers.tick(4000);
    }
    assert.deepEqual(
      log.filter((line) => line.startsWith('waiting')),
      ['waiting 0 1000', 'waiting 1 2000', 'waiting 2 4000', 'waiting 3 4000'],
    );
    assert.equal(sockets.length, 5);
    loop.established();
    last().serverClose(1006);
    assert.equal(log.at(-1), 'waiting 0 1000', 'the backoff starts again after a success');
  });

  it('asks where to resume before every connect', (t) => {
    const { loop, last, resumeAt } = setup(t);
    loop.connectNow();
    assert.equal(last().url, 'ws://tandem.test/x?after=0');
    resumeAt(42);
    last().serverClose(1006);
    t.mock.timers.tick(1000);
    assert.equal(last().url, 'ws://tandem.test/x?after=42');
  });

  it(`comes back within ${RESTART_DELAY.maxMs} ms after a restart (1001), for ${RESTART_DELAY.attempts} tries`, (t) => {
    const { loop, log, last } = setup(t);
    loop.connectNow();
    for (let i = 0; i < RESTART_DELAY.attempts + 1; i++) {
      last().serverClose(i === 0 ? 1001 : 1006);
      t.mock.timers.tick(RESTART_DELAY.maxMs);
    }
    const delays = log.filter((line) => line.startsWith('waiting')).map((line) => Number(line.split(' ')[2]));
    assert.deepEqual(delays.slice(0, RESTART_DELAY.attempts), Array(RESTART_DELAY.attempts).fill(RESTART_DELAY.maxMs));
    assert.equal(delays.at(-1), 4000, 'then the usual backoff, which kept counting');
  });

  it('ends on a terminal code with the reason named for it, and reconnects no more', (t) => {
    const { loop, sockets, log, last } = setup(t);
    loop.connectNow();
    last().serverClose(4001);
    assert.equal(log.at(-1), 'ended unauthenticated 4001');
    t.mock.timers.tick(60_000);
    assert.equal(sockets.length, 1);
  });

  it('ends with the force_disconnect reason, except on 4029, which is retried', (t) => {
    const { loop, log, last } = setup(t);
    loop.connectNow();
    loop.forced('logged_out');
    last().serverClose(1008);
    assert.equal(log.at(-1), 'ended logged_out 1008');
    loop.connectNow();
    loop.forced('too_many');
    last().serverClose(4029);
    assert.equal(log.at(-1), 'waiting 0 1000');
  });

  it('a force_disconnect is forgotten by the next connect', (t) => {
    const { loop, log, last } = setup(t);
    loop.connectNow();
    loop.forced('unmatched');
    loop.connectNow();
    last().serverClose(1006);
    assert.equal(log.at(-1), 'waiting 0 1000');
  });

  it('after token_expired, reconnects at once with a fresh token', async (t) => {
    let issued = 0;
    const { loop, sockets, log, last } = setup(t, { getToken: async () => `t${++issued}` });
    loop.connectNow();
    await settle();
    assert.equal(last().url, 'ws://tandem.test/x?after=0&token=t1');
    loop.forced('token_expired');
    last().serverClose(4001);
    await settle();
    assert.equal(sockets.length, 2, 'no delay');
    assert.equal(last().url, 'ws://tandem.test/x?after=0&token=t2');
    assert.ok(!log.some((line) => line.startsWith('ended')));
  });

  it('retries after the backoff when the token source fails', async (t) => {
    let calls = 0;
    const { loop, sockets, log } = setup(t, {
      getToken: async () => {
        if (++calls === 1) throw new Error('platform down');
        return 'fresh';
      },
    });
    loop.connectNow();
    await settle();
    assert.equal(sockets.length, 0);
    assert.equal(log.at(-1), 'waiting 0 1000');
    t.mock.timers.tick(1000);
    await settle();
    assert.equal(sockets.length, 1);
  });

  it('retryLater drops the socket as reconnecting (4000) and comes back after the backoff', (t) => {
    const { loop, sockets, last } = setup(t);
    loop.connectNow();
    const first = last();
    loop.retryLater();
    assert.equal(first.closedByClient, 4000);
    first.serverClose(4000);
    t.mock.timers.tick(1000);
    assert.equal(sockets.length, 2, "the dropped socket's late close is ignored");
  });

  it("stop closes with 1000, ignores the socket's late events and reconnects no more until connectNow", (t) => {
    const { loop, sockets, log, last } = setup(t);
    loop.connectNow();
    const first = last();
    loop.stop();
    assert.equal(first.closedByClient, 1000);
    assert.equal(loop.current, null);
    first.frame({ type: 'late' });
    first.serverClose(1006);
    t.mock.timers.tick(60_000);
    assert.equal(sockets.length, 1);
    assert.ok(!log.some((line) => line.startsWith('frame') || line.startsWith('waiting')));
    loop.connectNow();
    assert.equal(sockets.length, 2);
  });
});

describe('UserEventStream on the loop', () => {
  function stream(t: TestContext) {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sockets: FakeSocket[] = [];
    const events = new UserEventStream({
      wsBase: 'ws://tandem.test/',
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      random: () => 0,
    });
    t.after(() => events.close());
    return { events, sockets, last: () => sockets.at(-1)! };
  }

  it('re-reads on every connect, comes back after a restart, and ends on 4001', (t) => {
    const { events, sockets, last } = stream(t);
    const seen: string[] = [];
    events.on('established', () => seen.push('established'));
    events.on('unread', ({ partnerEmail, count }) => seen.push(`unread ${partnerEmail} ${count}`));
    events.on('ended', (reason) => seen.push(`ended ${reason}`));
    events.start();
    assert.equal(last().url, 'ws://tandem.test/ws/me/');
    last().frame({ type: 'connection_established' });
    last().frame({ type: 'unread', partner_email: 'tom@tandem.test', unread_count: 2 });
    last().serverClose(1001);
    t.mock.timers.tick(RESTART_DELAY.minMs);
    assert.equal(sockets.length, 2);
    last().frame({ type: 'connection_established' });
    last().serverClose(4001);
    t.mock.timers.tick(60_000);
    assert.equal(sockets.length, 2);
    assert.deepEqual(seen, ['established', 'unread tom@tandem.test 2', 'established', 'ended unauthenticated']);
  });

  it('pauses with a 1000 close and resumes at once', (t) => {
    const { events, sockets, last } = stream(t);
    events.start();
    events.pause();
    assert.equal(last().closedByClient, 1000);
    t.mock.timers.tick(60_000);
    assert.equal(sockets.length, 1);
    events.resume();
    assert.equal(sockets.length, 2);
  });
});
