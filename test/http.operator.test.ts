/**
 * The operator surface: METRICS_PORT moves /metrics off the public port (its listener also
 * answers /healthz and /readyz), METRICS_TOKEN guards /metrics with a Bearer token, every
 * WebSocket handshake is logged at info without cookies or queries, and an address whose
 * handshakes keep failing is answered 429 before upgrading.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import WebSocket from 'ws';
import { createTandem } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { loginAdmin, matchedPair } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';
import { probe, scrapeMetrics } from './helpers/probe.js';
import { ADMIN, startServer, tempDir } from './helpers/server.js';
import { chatUrl, connectChat, TestSocket } from './helpers/socket.js';

const TOKEN = 'a-metrics-token-of-some-length';

/** How a raw handshake from `localAddress` ends: `open`, or the HTTP status of the refusal. */
function handshakeFrom(url: string, cookie: string | undefined, localAddress?: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: cookie ? { cookie } : {}, localAddress });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

it('/metrics is not public by default: without METRICS_TOKEN the public port refuses everyone', async (t) => {
  const server = await startServer(t, { METRICS_TOKEN: '' });
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer anything-at-all-long-enough' }]) {
    const reply = await probe(`${server.http}/metrics`, { headers });
    assert.deepEqual([reply.status, JSON.parse(reply.body).error], [403, 'forbidden'], JSON.stringify(headers));
    assert.match(JSON.parse(reply.body).message, /METRICS_TOKEN/);
  }
});

it('METRICS_PORT: /metrics is off the public port and served, with /healthz and /readyz, on the metrics port', async (t) => {
  // The internal listener needs no token unless one is set.
  const server = await startServer(t, { METRICS_PORT: '0', METRICS_TOKEN: '' });
  const metricsBase = `http://127.0.0.1:${(server.tandem.operator!.server.address() as { port: number }).port}`;
  const pub = await probe(`${server.http}/metrics`);
  assert.deepEqual([pub.status, JSON.parse(pub.body).error], [404, 'not_found']);
  const scraped = await probe(`${metricsBase}/metrics`);
  assert.equal(scraped.status, 200);
  assert.match(scraped.body, /^tandem_http_requests_total/m);
  assert.deepEqual(JSON.parse((await probe(`${metricsBase}/healthz`)).body), { status: 'ok' });
  assert.equal(JSON.parse((await probe(`${metricsBase}/readyz`)).body).status, 'ready');
  assert.equal((await probe(`${metricsBase}/api/me`)).status, 404, 'the metrics port serves nothing else');
  assert.equal((await probe(`${server.http}/healthz`)).status, 200, 'the public port keeps its health endpoints');
  const openapi = JSON.parse((await probe(`${server.http}/api/openapi.json`)).body);
  assert.equal(openapi.paths['/metrics'], undefined, 'nor is /metrics documented there');
});

it('METRICS_TOKEN: /metrics needs the Bearer token', async (t) => {
  const server = await startServer(t, { METRICS_TOKEN: TOKEN });
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }]) {
    const reply = await probe(`${server.http}/metrics`, { headers });
    assert.deepEqual([reply.status, JSON.parse(reply.body).error], [401, 'unauthenticated'], JSON.stringify(headers));
  }
  assert.equal((await probe(`${server.http}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
});

it('logs every handshake at info: outcome, code or status, address, path without query; never the cookie', async (t) => {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const dir = tempDir(t);
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: `sqlite:${dir}/tandem.db`,
    TANDEM_ADMIN_EMAIL: ADMIN.email,
    TANDEM_ADMIN_PASSWORD: ADMIN.password,
  });
  const tandem = await createTandem(config, { logStream });
  t.after(() => tandem.close());
  const { port } = await tandem.listen();
  const http = `http://127.0.0.1:${port}`;
  const ws = `ws://127.0.0.1:${port}`;
  const { mentor, mentee } = await matchedPair(await loginAdmin(http));

  const accepted = await connectChat(ws, mentor.email, mentee.cookie, { query: '?after=0' });
  await accepted.close();
  const anonymous = new TestSocket(chatUrl(ws, mentor.email));
  await anonymous.opened;
  await anonymous.closedWithin();
  assert.equal(await handshakeFrom(`${ws}/ws/nowhere`, mentee.cookie), 404);

  const handshakes = lines.map((line) => JSON.parse(line) as Record<string, any>).filter((entry) => entry.msg === 'websocket handshake');
  const path = `/ws/chat/${encodeURIComponent(mentor.email)}/`;
  assert.deepEqual(
    handshakes.map(({ outcome, path: logged, code, reason, status, address }) => ({ outcome, path: logged, code, reason, status, address })),
    [
      { outcome: 'accepted', path, code: undefined, reason: undefined, status: undefined, address: '127.0.0.1' },
      { outcome: 'refused', path, code: 4001, reason: 'not authenticated', status: undefined, address: '127.0.0.1' },
      { outcome: 'refused', path: '/ws/nowhere', code: undefined, reason: undefined, status: 404, address: '127.0.0.1' },
    ],
  );
  for (const entry of handshakes) assert.equal(entry.level, 30, 'info');
  for (const line of lines) {
    assert.ok(!line.includes(mentee.session!), `a log line carries the session id: ${line}`);
    assert.ok(!/after=0/.test(line) || !line.includes('websocket handshake'), 'no query in handshake lines');
  }
});

it('an address past WS_HANDSHAKE_FAILURES_PER_ADDRESS failed handshakes gets 429 before upgrading; other addresses do not', async (t) => {
  const { server, mentor, mentee } = await startWithPair(t, { WS_HANDSHAKE_FAILURES_PER_ADDRESS: '5' });
  const before = await scrapeMetrics(`${server.http}/metrics`);
  const url = chatUrl(server.ws, mentor.email);
  for (let i = 0; i < 5; i++) {
    const refused = new TestSocket(url, { cookie: 'sessionid=guess' });
    await refused.opened;
    assert.equal((await refused.closedWithin()).code, 4001);
  }
  const statuses = [];
  for (let i = 0; i < 20; i++) statuses.push(await handshakeFrom(url, mentee.cookie));
  assert.deepEqual(new Set(statuses), new Set([429]), 'even with a valid cookie, while the window lasts');
  assert.equal(await handshakeFrom(url, mentee.cookie, '127.0.0.2'), 'open', 'another address is not affected');
  const after = await scrapeMetrics(`${server.http}/metrics`);
  const key = 'tandem_ws_handshakes_total{outcome="throttled"}';
  assert.equal((after.get(key) ?? 0) - (before.get(key) ?? 0), 20);
});
