/**
 * The proxy method's cache on a clock the test controls: an answer is reused for
 * AUTH_PROXY_CACHE_SECONDS and asked again after; a refusal is kept 5 s; one address makes
 * at most 30 lookups at once and 1 a second after. A real platform server and a real
 * (in-memory SQLite) store.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ProxyMethod } from '../src/auth/proxy.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { Platform, platformUser } from './helpers/platform.js';

it('an answer is reused for AUTH_PROXY_CACHE_SECONDS, then asked again; a refusal is kept 5 s', async (t) => {
  const platform = await Platform.start(t);
  const store = await SqliteStore.open(':memory:');
  t.after(() => store.close());
  let now = 1_000_000;
  const proxy = new ProxyMethod({ url: `${platform.url}/whoami`, cacheSeconds: 30, timeoutMs: 2000 }, { store, onProblem: () => {} }, { now: () => now });
  const user = platformUser('MENTEE');
  const cookie = platform.signIn(user);
  const ask = (header: string) => proxy.identify({ cookie: header, authorization: undefined, token: null });

  assert.equal((await ask(cookie))?.user.email, user.email);
  now += 29_000;
  assert.equal((await ask(cookie))?.method, 'proxy');
  assert.equal(platform.calls.whoami, 1, 'within 30 s: the cached answer');
  now += 2_000;
  user.first_name = 'Renamed';
  assert.equal((await ask(cookie))?.user.firstName, 'Renamed', 'past 30 s: asked again, and the user updated');
  assert.equal(platform.calls.whoami, 2);

  const [a, b] = await Promise.all([ask('sessionid=nobody'), ask('sessionid=nobody')]);
  assert.deepEqual([a, b], [null, null]);
  assert.equal(platform.calls.whoami, 3, 'two concurrent asks with the same cookie share one call');
  assert.equal(await ask('sessionid=nobody'), null);
  assert.equal(platform.calls.whoami, 3, 'the refusal is kept for the same cookie');
  now += 5_000;
  assert.equal(await ask('sessionid=nobody'), null);
  assert.equal(platform.calls.whoami, 4, 'past 5 s it is asked again');
  assert.equal(await proxy.identify({ cookie: undefined, authorization: undefined, token: null }), null);
  assert.equal(platform.calls.whoami, 4, 'no credentials: the platform is not asked');
});

it('at most maxCached answers are kept: the oldest goes first', async (t) => {
  const platform = await Platform.start(t);
  const store = await SqliteStore.open(':memory:');
  t.after(() => store.close());
  const proxy = new ProxyMethod({ url: `${platform.url}/whoami`, cacheSeconds: 30, timeoutMs: 2000 }, { store, onProblem: () => {} }, { maxCached: 2 });
  const cookies = [1, 2, 3].map(() => platform.signIn(platformUser('MENTOR')));
  const ask = (cookie: string) => proxy.identify({ cookie, authorization: undefined, token: null });
  for (const cookie of cookies) assert.ok(await ask(cookie));
  assert.equal(platform.calls.whoami, 3);
  assert.ok(await ask(cookies[2]!));
  assert.ok(await ask(cookies[1]!));
  assert.equal(platform.calls.whoami, 3, 'the two newest are kept');
  assert.ok(await ask(cookies[0]!));
  assert.equal(platform.calls.whoami, 4, 'the oldest was let go');
});

it('one client address makes at most 30 platform lookups at once, then one a second; cached answers cost nothing', async (t) => {
  const platform = await Platform.start(t);
  const store = await SqliteStore.open(':memory:');
  t.after(() => store.close());
  let now = 1_000_000;
  const problems: string[] = [];
  const proxy = new ProxyMethod(
    { url: `${platform.url}/whoami`, cacheSeconds: 30, timeoutMs: 2000 },
    { store, onProblem: (message) => problems.push(message) },
    { now: () => now },
  );
  const from = (cookie: string, address: string) => proxy.identify({ cookie, authorization: undefined, token: null, address });
  const user = platformUser('MENTOR');
  const signedIn = platform.signIn(user);
  assert.equal((await from(signedIn, '192.0.2.1'))?.user.email, user.email);
  for (let i = 1; i < 30; i++) assert.equal(await from(`sessionid=made-up-${i}`, '192.0.2.1'), null);
  assert.equal(platform.calls.whoami, 30);
  for (let i = 30; i < 100; i++) assert.equal(await from(`sessionid=made-up-${i}`, '192.0.2.1'), null);
  assert.equal(platform.calls.whoami, 30, 'the 31st to 100th made-up cookies were refused without a call');
  assert.ok(problems.includes('too many platform lookups from one address: refused without asking'));
  assert.equal((await from(signedIn, '192.0.2.1'))?.user.email, user.email, 'a cached answer still works from that address');
  const other = platformUser('MENTEE');
  assert.equal((await from(platform.signIn(other), '198.51.100.7'))?.user.email, other.email, 'another address has its own budget');
  now += 2_000;
  assert.equal((await from(platform.signIn(platformUser('MENTEE')), '192.0.2.1'))?.method, 'proxy', 'two seconds later, two lookups more');
  assert.equal(platform.calls.whoami, 32);
});
