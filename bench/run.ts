/**
 * `npm run bench -- --pairs P --messages M --window W [--deadline S]`
 *
 * Starts a private Tandem on a temporary SQLite database, creates and matches P mentor/mentee
 * pairs, and has every mentee send M messages to its mentor over real WebSockets with at most
 * W unacknowledged. Prints delivery rate, latency and any loss, duplication or reordering,
 * then one line of JSON. Exit code 0 only when every message arrived once and in order.
 * Progress goes to stderr so that stdout holds the report alone.
 */
import type WebSocket from 'ws';
import { BENCH_ADMIN, HttpClient, mapLimit, openChat, startServer, type BenchServer } from './server.js';
import { PairTraffic, runTraffic, type EndReason } from './traffic.js';

/** What a run is asked to do. */
interface BenchOptions {
  pairs: number;
  messages: number;
  window: number;
  deadlineSeconds: number;
}

const DEFAULTS: BenchOptions = { pairs: 50, messages: 200, window: 10, deadlineSeconds: 120 };
const FLAGS: Record<string, keyof BenchOptions> = { '--pairs': 'pairs', '--messages': 'messages', '--window': 'window', '--deadline': 'deadlineSeconds' };
const USAGE = 'usage: node dist/bench/run.js [--pairs P] [--messages M] [--window W] [--deadline SECONDS]';
const PASSWORD = 'bench-user-password';
/** Password hashing is scrypt on the server's libuv pool (4 threads): more in flight only queues. */
const SCRYPT_CONCURRENCY = 4;
const HTTP_CONCURRENCY = 8;
const SOCKET_CONCURRENCY = 16;

class UsageError extends Error {}
class DeadlineExceeded extends Error {}

/** Reads `--flag N` and `--flag=N`; anything else is a usage error. */
function parseArgs(argv: readonly string[]): BenchOptions {
  const options = { ...DEFAULTS };
  for (let at = 0; at < argv.length; at++) {
    const [flag, inline] = argv[at]!.split('=', 2) as [string, string | undefined];
    const key = FLAGS[flag];
    if (key === undefined) throw new UsageError(`unknown argument "${argv[at]}"`);
    const text = inline ?? argv[++at];
    const value = Number(text);
    if (text === undefined || !/^\d+$/.test(text) || value < 1) throw new UsageError(`${flag} needs a positive integer, got "${text ?? ''}"`);
    options[key] = value;
  }
  return options;
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Races a setup phase against the run's deadline so that a stuck server cannot hang the bench. */
async function beforeDeadline<T>(deadlineAt: number, phase: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`deadline reached while ${phase}`)), Math.max(0, deadlineAt - performance.now()));
  });
  const started = performance.now();
  try {
    const result = await Promise.race([work, expiry]);
    progress(`${phase}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

const round = (value: number, digits: number) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** Turns what the pairs observed into the figures of the report. */
function summarize(options: BenchOptions, pairs: readonly PairTraffic[], end: EndReason) {
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let firstSend = Number.POSITIVE_INFINITY;
  let lastDelivery = Number.NEGATIVE_INFINITY;
  for (const pair of pairs) {
    pair.finish();
    for (let index = 0; index < options.messages; index++) {
      const sentAt = pair.sentAt[index]!;
      if (Number.isNaN(sentAt)) continue;
      firstSend = Math.min(firstSend, sentAt);
      const deliveredAt = pair.deliveredAt[index]!;
      if (!Number.isNaN(deliveredAt)) {
        latencies.push(deliveredAt - sentAt);
        lastDelivery = Math.max(lastDelivery, deliveredAt);
      }
      if (!Number.isNaN(pair.echoedAt[index]!)) ackLatencies.push(pair.echoedAt[index]! - sentAt);
    }
  }
  const sum = (pick: (pair: PairTraffic) => number) => pairs.reduce((total, pair) => total + pick(pair), 0);
  const sorted = Float64Array.from(latencies).sort();
  const sortedAcks = Float64Array.from(ackLatencies).sort();
  const seconds = lastDelivery > firstSend ? (lastDelivery - firstSend) / 1000 : 0;
  const delivered = sum((pair) => pair.delivered);
  const expected = options.pairs * options.messages;
  const figures = {
    pairs: options.pairs,
    messages: options.messages,
    window: options.window,
    delivered,
    seconds: round(seconds, 3),
    msgs_per_s: round(seconds > 0 ? delivered / seconds : Number.NaN, 1),
    p50_ms: round(percentile(sorted, 0.5), 1),
    p99_ms: round(percentile(sorted, 0.99), 1),
    lost: sum((pair) => pair.lost),
    duplicated: sum((pair) => pair.duplicated),
    out_of_order: sum((pair) => pair.outOfOrder),
    expected,
    unacknowledged: sum((pair) => pair.sent - pair.echoed),
    never_sent: expected - sum((pair) => pair.sent),
    ack_p50_ms: round(percentile(sortedAcks, 0.5), 1),
    ack_p99_ms: round(percentile(sortedAcks, 0.99), 1),
    echo_seq_errors: sum((pair) => pair.echoSeqErrors),
    misrouted: sum((pair) => pair.misrouted),
    server_errors: sum((pair) => pair.serverErrorCount),
    broken_pairs: sum((pair) => (pair.broken === null ? 0 : 1)),
    end,
  };
  const { lost, duplicated, out_of_order, unacknowledged, echo_seq_errors, misrouted, server_errors, broken_pairs } = figures;
  const faults = [lost, duplicated, out_of_order, unacknowledged, echo_seq_errors, misrouted, server_errors, broken_pairs];
  const ok = end === 'complete' && delivered === expected && faults.every((count) => count === 0);
  return { figures: { ...figures, ok }, ok };
}

function printReport(figures: ReturnType<typeof summarize>['figures'], pairs: readonly PairTraffic[], server: BenchServer): void {
  const ms = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} ms`);
  const lines = [
    `Tandem bench: ${figures.pairs} pairs × ${figures.messages} messages, window ${figures.window} (ended: ${figures.end})`,
    `  delivered      ${figures.delivered} / ${figures.expected} messages to mentors`,
    `  send phase     ${figures.seconds ?? 0} s (first send → last delivery)`,
    `  throughput     ${figures.msgs_per_s ?? 'n/a'} delivered messages/s`,
    `  latency        p50 ${ms(figures.p50_ms)}, p99 ${ms(figures.p99_ms)} (send → partner)`,
    `  ack latency    p50 ${ms(figures.ack_p50_ms)}, p99 ${ms(figures.ack_p99_ms)} (send → own echo)`,
    `  lost ${figures.lost}, duplicated ${figures.duplicated}, out of order ${figures.out_of_order}`,
    `  unacknowledged ${figures.unacknowledged}, never sent ${figures.never_sent}, echo seq errors ${figures.echo_seq_errors}, misrouted ${figures.misrouted}`,
    `  server error frames ${figures.server_errors}, broken pairs ${figures.broken_pairs}, server log lines (warn+) ${server.logLineCount()}`,
  ];
  for (const pair of pairs.filter((each) => each.broken !== null).slice(0, 5)) lines.push(`  ! pair ${pair.pairIndex}: ${pair.broken}`);
  for (const error of pairs.flatMap((pair) => pair.serverErrors).slice(0, 5)) lines.push(`  ! ${error}`);
  for (const line of server.logLines.slice(0, 5)) lines.push(`  ! server log: ${line}`);
  const exit = server.exitStatus();
  if (exit !== null) lines.push(`  ! the server ${exit}`);
  lines.push(figures.ok ? 'RESULT: OK' : 'RESULT: FAILED');
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(figures)}\n`);
}

/** What `main` needs to clean up after, and explain, a run that failed half-way. */
interface RunContext {
  cleanups: Array<() => Promise<void>>;
  server?: BenchServer;
}

async function run(options: BenchOptions, context: RunContext): Promise<number> {
  const { cleanups } = context;
  const deadlineAt = performance.now() + options.deadlineSeconds * 1000;
  const server = await beforeDeadline(deadlineAt, 'starting Tandem', startServer());
  context.server = server;
  cleanups.push(() => server.stop());
  const anonymous = new HttpClient(server.httpBase);
  const admin = await beforeDeadline(deadlineAt, 'admin login', anonymous.login(BENCH_ADMIN.email, BENCH_ADMIN.password));

  const people = Array.from({ length: options.pairs }, (_, index) => ({
    mentor: `mentor-${index}@bench.tandem.test`,
    mentee: `mentee-${index}@bench.tandem.test`,
  }));
  const users = people.flatMap(({ mentor, mentee }, index) => [
    { email: mentor, password: PASSWORD, first_name: 'Mentor', last_name: String(index), role: 'MENTOR' },
    { email: mentee, password: PASSWORD, first_name: 'Mentee', last_name: String(index), role: 'MENTEE' },
  ]);
  await beforeDeadline(deadlineAt, `creating ${users.length} users`, mapLimit(users, SCRYPT_CONCURRENCY, (user) => admin.post('/api/users', user, 201)));
  await beforeDeadline(
    deadlineAt,
    `matching ${people.length} pairs`,
    mapLimit(people, HTTP_CONCURRENCY, ({ mentor, mentee }) => admin.post('/api/matches', { mentor_email: mentor, mentee_email: mentee }, 201)),
  );
  const sessions = await beforeDeadline(
    deadlineAt,
    `logging in ${users.length} users`,
    mapLimit(users, SCRYPT_CONCURRENCY, (user) => anonymous.login(user.email, PASSWORD).then((client) => client.session)),
  );

  // Sockets that open are remembered at once, so that a failure half-way still closes them.
  const openSockets: WebSocket[] = [];
  cleanups.push(async () => {
    for (const ws of openSockets) ws.terminate();
  });
  const endpoints = people.flatMap(({ mentor, mentee }, index) => [
    { email: mentor, partnerEmail: mentee, sessionId: sessions[2 * index]! },
    { email: mentee, partnerEmail: mentor, sessionId: sessions[2 * index + 1]! },
  ]);
  const sockets = await beforeDeadline(
    deadlineAt,
    `opening ${endpoints.length} chat sockets`,
    mapLimit(endpoints, SOCKET_CONCURRENCY, async (endpoint) => {
      const ws = await openChat(server.wsBase, endpoint);
      openSockets.push(ws);
      return ws;
    }),
  );

  const pairs = people.map(
    ({ mentee }, index) => new PairTraffic(index, sockets[2 * index + 1]!, mentee, sockets[2 * index]!, options.messages, options.window),
  );
  progress(`sending ${options.pairs * options.messages} messages…`);
  const started = performance.now();
  const end = await runTraffic(pairs, deadlineAt);
  progress(`traffic phase ended (${end}) after ${((performance.now() - started) / 1000).toFixed(2)} s`);
  await Promise.all(pairs.map((pair) => pair.close()));

  const { figures, ok } = summarize(options, pairs, end);
  printReport(figures, pairs, server);
  return ok ? 0 : 1;
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  // Run in reverse order of creation: sockets before the server, the server before its directory.
  const context: RunContext = { cleanups: [] };
  const cleanUp = async () => {
    for (const cleanup of context.cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  let code: number;
  try {
    code = await run(options, context);
  } catch (error) {
    // A deadline is a verdict on the server, not a bug in the bench: its stack says nothing.
    const message = !(error instanceof Error) ? String(error) : error instanceof DeadlineExceeded ? error.message : (error.stack ?? error.message);
    const server = context.server;
    const serverNotes = server ? [...server.logLines.slice(0, 10).map((line) => `server log: ${line}`), server.exitStatus() ?? ''] : [];
    process.stderr.write(`bench failed: ${message}\n${serverNotes.filter(Boolean).join('\n')}\n`);
    code = 1;
  }
  await cleanUp();
  // Keep-alive HTTP connections and closing sockets would otherwise hold the process open.
  process.exit(code);
}

void main();
