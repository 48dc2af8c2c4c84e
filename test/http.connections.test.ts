/**
 * File descriptors and slowloris: idle and half-sent connections are cut after
 * HTTP_HEADERS_TIMEOUT_MS with 408; past HTTP_MAX_CONNECTIONS_PER_ADDRESS (or
 * HTTP_MAX_CONNECTIONS) new ones are closed on arrival; `/healthz` answers throughout, from
 * another address and on the metrics port; a WebSocket, being one connection, counts
 * against its address but is not cut by the HTTP timeouts. The accept queue is LISTEN_BACKLOG.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { it } from 'node:test';
import { startWithPair } from './helpers/pair.js';
import { probe, scrapeMetrics } from './helpers/probe.js';
import { closedByServer, openSocket } from './helpers/raw-http.js';
import { startServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { until } from './helpers/wait.js';

const OTHER_ADDRESS = '127.0.0.2';

/** Every socket a test opened; destroyed when it ends, so that a failing test does not keep the server from closing. */
const opened: Socket[] = [];

/** Opens `count` connections one after the other and records, per socket, what the server sent and when it closed. */
async function openMany(base: string, count: number, send?: string) {
  const sockets: Array<{ socket: Socket; openedAt: number; received: string; closedAt?: number }> = [];
  for (let i = 0; i < count; i++) {
    const socket = await openSocket(base);
    opened.push(socket);
    const entry = { socket, openedAt: Date.now(), received: '' as string, closedAt: undefined as number | undefined };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (entry.received += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => (entry.closedAt = Date.now()));
    if (send) socket.write(send);
    sockets.push(entry);
  }
  return sockets;
}

function destroyOpened(): void {
  for (const socket of opened.splice(0)) socket.destroy();
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `min ${sorted[0]} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms`;
}

it('idle and half-sent connections are cut after the header timeout, extra ones refused, /healthz answers throughout', async (t) => {
  t.after(destroyOpened);
  const limit = 150;
  const { server, mentor, mentee } = await startWithPair(t, {
    HTTP_HEADERS_TIMEOUT_MS: '1500',
    HTTP_REQUEST_TIMEOUT_MS: '3000',
    HTTP_MAX_CONNECTIONS_PER_ADDRESS: String(limit),
    METRICS_PORT: '0',
  });
  const metricsBase = `http://127.0.0.1:${(server.tandem.operator!.server.address() as { port: number }).port}`;
  const before = await scrapeMetrics(`${metricsBase}/metrics`);
  // A WebSocket held for the whole test: one of the address's connections, never cut by the HTTP timeouts.
  const chat = await connectChat(server.ws, mentor.email, mentee.cookie);

  const idle = await openMany(server.http, 70);
  const halfSent = await openMany(server.http, 70, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  // 1 WebSocket + 140 = 141 held; whatever the test's own HTTP client has open makes up the rest.
  const extra = await openMany(server.http, 100);
  const probes: number[] = [];
  const probeBoth = async () => {
    probes.push((await probe(`${server.http}/healthz`, { localAddress: OTHER_ADDRESS })).status);
    probes.push((await probe(`${metricsBase}/healthz`)).status);
  };
  await probeBoth();

  await until('every extra connection to be closed', () => extra.slice(-90).every((entry) => entry.closedAt !== undefined));
  for (const entry of extra.slice(-90)) assert.equal(entry.received, '', 'refused on arrival: not a byte was answered');
  await probeBoth();

  const held = [...idle, ...halfSent];
  await until('the held connections to be cut', async () => {
    await probeBoth();
    return held.every((entry) => entry.closedAt !== undefined);
  });
  for (const entry of held) {
    assert.match(entry.received, /^HTTP\/1\.1 408 /, 'cut with 408');
    assert.match(entry.received, /"error":"request_timeout"/);
  }
  assert.ok(
    probes.every((status) => status === 200),
    `/healthz answered every probe (${probes.length})`,
  );
  t.diagnostic(`cut after ${stats(held.map((entry) => entry.closedAt! - entry.openedAt))} (HTTP_HEADERS_TIMEOUT_MS=1500)`);

  const after = await scrapeMetrics(`${metricsBase}/metrics`);
  const refused =
    (after.get('tandem_http_connections_refused_total{limit="per_address"}') ?? 0) -
    (before.get('tandem_http_connections_refused_total{limit="per_address"}') ?? 0);
  assert.ok(refused >= 90, `refusals are counted (${refused})`);
  assert.equal((await probe(`${server.http}/healthz`)).status, 200, 'the address may connect again once its connections are gone');
  assert.equal(chat.ws.readyState, chat.ws.OPEN, 'the WebSocket outlived the timeouts');
  chat.send({ type: 'chat_message', content: 'still here' });
  assert.equal((await chat.until((frame) => frame.type === 'chat_message')).frame.content, 'still here');
  await chat.close();
});

it('past HTTP_MAX_CONNECTIONS every new connection is refused; the metrics port still answers /healthz and /readyz', async (t) => {
  t.after(destroyOpened);
  const server = await startServer(t, { HTTP_MAX_CONNECTIONS: '40', METRICS_PORT: '0' });
  const metricsBase = `http://127.0.0.1:${(server.tandem.operator!.server.address() as { port: number }).port}`;
  const held = await openMany(server.http, 40);
  const extra = await openMany(server.http, 20);
  await until('the extra connections to be closed', () => extra.every((entry) => entry.closedAt !== undefined));
  assert.ok(extra.every((entry) => entry.received === ''));
  assert.equal((await probe(`${metricsBase}/healthz`)).status, 200);
  assert.equal((await probe(`${metricsBase}/readyz`)).status, 200);
  const samples = await scrapeMetrics(`${metricsBase}/metrics`);
  assert.ok((samples.get('tandem_http_connections_refused_total{limit="total"}') ?? 0) >= 20);
  for (const entry of held) entry.socket.destroy();
  await Promise.all(held.map((entry) => closedByServer(entry.socket)));
  await until('the public port to answer again', async () => {
    try {
      return (await probe(`${server.http}/healthz`)).status === 200;
    } catch {
      return false;
    }
  });
});

/** The accept queue the kernel keeps for the listening socket on `port`: `ss` shows it as a listener's Send-Q. */
async function acceptQueueOf(port: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ss', ['-ltnH', `sport = :${port}`]);
  const columns = stdout.trim().split(/\s+/);
  assert.equal(columns[0], 'LISTEN', stdout);
  return Number(columns[2]);
}

it('listens with LISTEN_BACKLOG as its accept queue (Node would give 511), so a reconnect storm is queued instead of dropped', async (t) => {
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  const defaults = await startServer(t);
  assert.equal(await acceptQueueOf(Number(new URL(defaults.http).port)), Math.min(4096, somaxconn));
  const set = await startServer(t, { LISTEN_BACKLOG: '1500' });
  assert.equal(await acceptQueueOf(Number(new URL(set.http).port)), Math.min(1500, somaxconn));
});
