/**
 * The handshake-storm scenario (`--storm N`): while the pairs chat, N extra authenticated
 * sockets of users who do not chat open at once, then close at once. What it measures is
 * what the chatting pairs feel: their echo latency in each phase, and the servers' largest
 * event-loop delay over the storm (prom-client's `nodejs_eventloop_lag_max_seconds`, which
 * restarts at every scrape, so scrapes before, between and after the phases bound each window).
 */
import WebSocket from 'ws';
import type { PairTraffic } from './traffic.js';
import { parseFrame } from './traffic.js';
import type { BenchServer, Endpoint } from './server.js';

/** When each phase began and ended (performance.now()), and what the servers said. */
export interface StormPhases {
  quiet: [number, number];
  opening: [number, number];
  closing: [number, number];
  opened: number;
  refused: number;
  /** The servers' largest event-loop delay while the sockets opened, and while they closed. */
  eventLoopLagMaxMs: { opening: number | null; closing: number | null };
}

/** One storm socket: resolves true once `connection_established` arrived, false if refused or failed. */
function stormSocket(wsBase: string, endpoint: Endpoint, sockets: WebSocket[]): Promise<boolean> {
  const ws = new WebSocket(`${wsBase}/ws/chat/${encodeURIComponent(endpoint.partnerEmail)}/`, {
    headers: { cookie: `sessionid=${endpoint.sessionId}` },
    perMessageDeflate: false,
  });
  sockets.push(ws);
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(parseFrame(data)?.type === 'connection_established'));
    ws.once('close', () => resolve(false));
  });
}

async function lagMaxMs(servers: readonly BenchServer[]): Promise<number | null> {
  let max: number | null = null;
  for (const server of servers) {
    const text = await (await fetch(`${server.httpBase}/metrics`)).text();
    const match = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
    if (match) max = Math.max(max ?? 0, Number(match[1]) * 1000);
  }
  return max;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the pairs have echoed `warmup` of their messages (the quiet phase), then opens
 * `count` sockets over `endpoints` (round robin, on every instance) all at once, waits for
 * them, and closes them all at once.
 */
export async function runStorm(
  servers: readonly BenchServer[],
  endpoints: ReadonlyArray<Endpoint & { wsBase: string }>,
  count: number,
  pairs: readonly PairTraffic[],
  warmup: number,
): Promise<StormPhases> {
  const quietStart = performance.now();
  while (pairs.reduce((sum, pair) => sum + pair.echoed, 0) < warmup && !pairs.every((pair) => pair.settled)) await sleep(20);
  await lagMaxMs(servers); // restarts the servers' window
  const quietEnd = performance.now();
  const sockets: WebSocket[] = [];
  const outcomes = await Promise.all(Array.from({ length: count }, (_, index) => stormSocket(endpoints[index % endpoints.length]!.wsBase, endpoints[index % endpoints.length]!, sockets)));
  const openEnd = performance.now();
  const openingLag = await lagMaxMs(servers);
  const closed = sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))));
  for (const ws of sockets) ws.close(1000, 'storm over');
  await Promise.all(closed);
  const closeEnd = performance.now();
  const opened = outcomes.filter(Boolean).length;
  return {
    quiet: [quietStart, quietEnd],
    opening: [quietEnd, openEnd],
    closing: [openEnd, closeEnd],
    opened,
    refused: count - opened,
    eventLoopLagMaxMs: { opening: openingLag, closing: await lagMaxMs(servers) },
  };
}

/** The p99 echo latency (ms) of messages sent within `[from, to]`, and how many there were. */
export function echoP99(pairs: readonly PairTraffic[], [from, to]: [number, number]): { p99_ms: number | null; samples: number } {
  const latencies: number[] = [];
  for (const pair of pairs) {
    for (let index = 0; index < pair.sentAt.length; index++) {
      const sentAt = pair.sentAt[index]!;
      const echoedAt = pair.echoedAt[index]!;
      if (sentAt >= from && sentAt <= to && !Number.isNaN(echoedAt)) latencies.push(echoedAt - sentAt);
    }
  }
  latencies.sort((a, b) => a - b);
  const p99 = latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)]!;
  return { p99_ms: p99 === null ? null : Number(p99.toFixed(1)), samples: latencies.length };
}
