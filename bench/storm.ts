/**
 * The handshake-storm scenario (`--storm N`): while the pairs chat, N extra authenticated
 * sockets of users who do not chat open at once, then close at once, from a client process of
 * their own (`storm-client.ts`), so that the storm's client-side cost does not delay the
 * pairs' own measurements. What it measures is
 * what the chatting pairs feel: their echo latency in each phase, and the servers' largest
 * event-loop delay over the storm (prom-client's `nodejs_eventloop_lag_max_seconds`, which
 * restarts at every scrape, so scrapes before, between and after the phases bound each window).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { PairTraffic } from './traffic.js';
import { metricsRequest, type BenchServer, type Endpoint } from './server.js';
import type { StormAnswer, StormRequest } from './storm-client.js';

/** When each phase began and ended (performance.now()), and what the servers said. */
export interface StormPhases {
  quiet: [number, number];
  opening: [number, number];
  closing: [number, number];
  opened: number;
  refused: number;
  /** The servers' largest event-loop delay before the storm (the pairs' load alone), while the sockets opened, and while they closed. */
  eventLoopLagMaxMs: { quiet: number | null; opening: number | null; closing: number | null };
  /** CPU seconds the servers used while the sockets opened, and while they closed (pairs' traffic included). */
  cpuSeconds: { opening: number; closing: number };
}

/** Sends `request` to the storm client and waits for its answer. */
async function ask(client: ChildProcess, request: StormRequest): Promise<StormAnswer> {
  const answered = once(client, 'message') as Promise<[StormAnswer]>;
  client.send(request);
  const [answer] = await Promise.race([answered, once(client, 'exit').then(() => Promise.reject(new Error('the storm client exited')))]);
  return answer;
}

/** What the servers' `/metrics` say at one moment: the largest event-loop delay since the previous scrape, and CPU used so far. */
interface Scrape {
  lagMaxMs: number | null;
  cpuSeconds: number;
}

async function scrape(servers: readonly BenchServer[]): Promise<Scrape> {
  let lagMaxMs: number | null = null;
  let cpuSeconds = 0;
  for (const server of servers) {
    const text = await (await fetch(`${server.httpBase}/metrics`, metricsRequest)).text();
    const lag = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
    if (lag) lagMaxMs = Math.max(lagMaxMs ?? 0, Number(lag[1]) * 1000);
    const cpu = /^process_cpu_seconds_total (\S+)$/m.exec(text);
    if (cpu) cpuSeconds += Number(cpu[1]);
  }
  return { lagMaxMs, cpuSeconds };
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
  const client = fork(fileURLToPath(new URL('./storm-client.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await once(client, 'spawn');
    await scrape(servers); // restarts the servers' window
    const quietStart = performance.now();
    while (pairs.reduce((sum, pair) => sum + pair.echoed, 0) < warmup && !pairs.every((pair) => pair.settled)) await sleep(20);
    const quiet = await scrape(servers);
    const quietEnd = performance.now();
    const stormEndpoints = Array.from({ length: count }, (_, index) => endpoints[index % endpoints.length]!);
    const answer = await ask(client, { open: stormEndpoints.map(({ wsBase, partnerEmail, sessionId }) => ({ wsBase, partnerEmail, sessionId })) });
    const opened = 'opened' in answer ? answer.opened : 0;
    const openEnd = performance.now();
    const opening = await scrape(servers);
    await ask(client, { close: true });
    const closeEnd = performance.now();
    const closing = await scrape(servers);
    return {
      quiet: [quietStart, quietEnd],
      opening: [quietEnd, openEnd],
      closing: [openEnd, closeEnd],
      opened,
      refused: count - opened,
      eventLoopLagMaxMs: { quiet: quiet.lagMaxMs, opening: opening.lagMaxMs, closing: closing.lagMaxMs },
      cpuSeconds: { opening: opening.cpuSeconds - quiet.cpuSeconds, closing: closing.cpuSeconds - opening.cpuSeconds },
    };
  } finally {
    client.disconnect();
  }
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
