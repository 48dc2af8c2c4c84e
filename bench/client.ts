/**
 * A load client: a child process of the bench that holds its share of the pairs' sockets (or
 * of the idle sockets, raw ones: see idle-socket.ts), runs the traffic when told, and reports
 * what it observed. Several of them spread the load over the cores, so that the client is not
 * what the figures measure.
 * Times are sent to the parent on the wall clock (`performance.timeOrigin` + `now()`), which
 * all processes of the machine share; latencies are computed within one process anyway, since
 * a pair's sockets all live in the same client.
 *
 * The parent talks to it over IPC (advanced serialization, so typed arrays travel as they are):
 * see `ClientCommand` and `ClientReply`.
 */
import { IdleSocket } from './idle-socket.js';
import { HANDSHAKE_TIMEOUT_MS, mapLimit, openChat, type Endpoint } from './server.js';
import { PairTraffic, runTraffic, type EndReason } from './traffic.js';
import type { SeededPair } from './seed.js';

/** Where a pair's two users connect. */
export interface PairPlacement {
  pair: SeededPair;
  menteeWs: string;
  mentorWs: string;
}

/** What the parent asks. */
export type ClientCommand =
  | { kind: 'open-pairs'; pairs: PairPlacement[]; tabs: number; messages: number; window: number }
  | { kind: 'go'; durationMs: number; deadlineMs: number }
  | { kind: 'open-idle'; endpoints: Array<Endpoint & { wsBase: string }>; concurrency: number }
  | { kind: 'close-idle' };

/** One pair's observations, as the parent judges them. */
export interface PairObservation {
  pairIndex: number;
  menteeEmail: string;
  mentorEmail: string;
  sentAt: Float64Array;
  echoedAt: Float64Array;
  deliveredAt: Float64Array[];
  echoSeq: Int32Array;
  sent: number;
  echoed: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  echoSeqErrors: number;
  misrouted: number;
  serverErrorCount: number;
  serverErrors: string[];
  broken: string | null;
}

/** What it answers. */
export type ClientReply =
  | { kind: 'opened' }
  | { kind: 'progress'; sent: number; delivered: number }
  | { kind: 'done'; end: EndReason; cpuSeconds: number; wallSeconds: number; pairs: PairObservation[] }
  | { kind: 'idle-opened'; opened: number; failures: string[]; startedAt: number; endedAt: number; cpuSeconds: number }
  | { kind: 'idle-closed' }
  | { kind: 'failed'; message: string };

const SOCKET_CONCURRENCY = 16;
const PROGRESS_MS = 1000;
/** Failure texts kept verbatim; the rest are counted in `opened`. */
const KEPT_FAILURES = 5;

const wallClock = (at: number) => performance.timeOrigin + at;
const toWall = (times: Float64Array) => times.map(wallClock);

let pairs: PairTraffic[] = [];
let placements: PairPlacement[] = [];
let idle: IdleSocket[] = [];

function reply(message: ClientReply): void {
  process.send!(message);
}

async function openPairs(command: Extract<ClientCommand, { kind: 'open-pairs' }>): Promise<void> {
  placements = command.pairs;
  // Each user opens `tabs` sockets: the mentee's first one sends, every mentor tab receives.
  const wanted = command.pairs.flatMap(({ pair, menteeWs, mentorWs }) =>
    Array.from({ length: command.tabs }, () => [
      { wsBase: mentorWs, email: pair.mentor.email, partnerEmail: pair.mentee.email, sessionId: pair.mentor.session },
      { wsBase: menteeWs, email: pair.mentee.email, partnerEmail: pair.mentor.email, sessionId: pair.mentee.session },
    ]).flat(),
  );
  const sockets = await mapLimit(wanted, SOCKET_CONCURRENCY, (endpoint) => openChat(endpoint.wsBase, endpoint));
  const perPair = 2 * command.tabs;
  pairs = command.pairs.map(({ pair }, at) => {
    const own = sockets.slice(at * perPair, (at + 1) * perPair);
    const mentorTabs = own.filter((_, index) => index % 2 === 0);
    const [sender, ...menteeTabs] = own.filter((_, index) => index % 2 === 1);
    return new PairTraffic(pair.index, sender!, pair.mentee.email, mentorTabs, command.messages, command.window, menteeTabs);
  });
  reply({ kind: 'opened' });
}

async function go({ durationMs, deadlineMs }: Extract<ClientCommand, { kind: 'go' }>): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const ticker = setInterval(() => {
    reply({ kind: 'progress', sent: pairs.reduce((sum, pair) => sum + pair.sent, 0), delivered: pairs.reduce((sum, pair) => sum + pair.delivered, 0) });
  }, PROGRESS_MS);
  const end = await runTraffic(pairs, started + deadlineMs, started + durationMs);
  clearInterval(ticker);
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = (performance.now() - started) / 1000;
  await Promise.all(pairs.map((pair) => pair.close()));
  const observations = pairs.map((pair, at): PairObservation => {
    pair.finish();
    const echoSeq = Int32Array.from({ length: pair.sentAt.length }, (_, index) => pair.echoSeqOf(index));
    return {
      pairIndex: pair.pairIndex,
      menteeEmail: placements[at]!.pair.mentee.email,
      mentorEmail: placements[at]!.pair.mentor.email,
      sentAt: toWall(pair.sentAt),
      echoedAt: toWall(pair.echoedAt),
      deliveredAt: pair.deliveredAt.map(toWall),
      echoSeq,
      sent: pair.sent,
      echoed: pair.echoed,
      delivered: pair.delivered,
      lost: pair.lost,
      duplicated: pair.duplicated,
      outOfOrder: pair.outOfOrder,
      echoSeqErrors: pair.echoSeqErrors,
      misrouted: pair.misrouted,
      serverErrorCount: pair.serverErrorCount,
      serverErrors: pair.serverErrors,
      broken: pair.broken,
    };
  });
  reply({ kind: 'done', end, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds, pairs: observations });
}

async function openIdle({ endpoints, concurrency }: Extract<ClientCommand, { kind: 'open-idle' }>): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const failures: string[] = [];
  const startedAt = wallClock(performance.now());
  await mapLimit(endpoints, concurrency, async (endpoint) => {
    try {
      idle.push(await IdleSocket.open(endpoint, HANDSHAKE_TIMEOUT_MS));
    } catch (error) {
      if (failures.length < KEPT_FAILURES) failures.push((error as Error).message);
    }
  });
  const endedAt = wallClock(performance.now());
  const cpu = process.cpuUsage(cpuBefore);
  reply({ kind: 'idle-opened', opened: idle.length, failures, startedAt, endedAt, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
}

async function closeIdle(): Promise<void> {
  await Promise.all(idle.map((socket) => socket.close()));
  idle = [];
  reply({ kind: 'idle-closed' });
}

process.on('message', (command: ClientCommand) => {
  const work =
    command.kind === 'open-pairs' ? openPairs(command) : command.kind === 'go' ? go(command) : command.kind === 'open-idle' ? openIdle(command) : closeIdle();
  work.catch((error: unknown) => reply({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
// The parent gone means the run is over, whatever state this client is in.
process.on('disconnect', () => process.exit(0));
