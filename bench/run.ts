/**
 * `npm run bench -- --pairs P --messages M --window W [--instances N] [--backend sqlite|postgres] [--deadline S] [--storm N] [--webhooks]`
 *
 * Starts private Tandem instances — one on a temporary SQLite database by default, or N
 * sharing a fresh PostgreSQL database and Redis prefix — creates and matches P mentor/mentee
 * pairs, and has every mentee send M messages to its mentor over real WebSockets with at most
 * W unacknowledged. With N ≥ 2 a mentee and its mentor sit on different instances, so every
 * message crosses Redis. Prints delivery rate, latency and any loss, duplication or
 * reordering, then one line of JSON. Exit code 0 only when every message arrived once and in
 * order. Progress goes to stderr so that stdout holds the report alone. `--storm N` adds the
 * handshake storm of `storm.ts` while the pairs chat, and its figures to the report.
 * `--webhooks` runs the scenario twice, on fresh backends: webhooks off, then on (a receiver in
 * the bench process), and reports both throughputs and when the last message's event arrived.
 */
import type WebSocket from 'ws';
import { openBackend, type BackendKind } from './backends.js';
import { describeSetup, exitNotes, printReport, summarize, type StormReport } from './report.js';
import { Agent, type Reply } from '../test/helpers/http.js';
import { freePorts } from '../test/helpers/ports.js';
import { BENCH_ADMIN, REQUEST_TIMEOUT_MS, firstLogLines, launchServer, mapLimit, openChat, type BenchServer } from './server.js';
import { echoP99, runStorm } from './storm.js';
import { BenchReceiver } from './webhooks.js';
import { PairTraffic, runTraffic } from './traffic.js';

/** What a run is asked to do. */
interface BenchOptions {
  pairs: number;
  messages: number;
  window: number;
  instances: number;
  backend: BackendKind;
  deadlineSeconds: number;
  /** Extra sockets opened at once, then closed at once, while the pairs chat; 0: none. */
  storm: number;
  /** Run twice, webhooks off then on, and compare. */
  webhooks: boolean;
}

type NumericOption = Exclude<keyof BenchOptions, 'backend' | 'webhooks'>;
const DEFAULTS = { pairs: 50, messages: 200, window: 10, instances: 1, deadlineSeconds: 120, storm: 0 };
/** Storm sockets per extra (silent) pair: 40 per user, under the default per-user cap. */
const STORM_SOCKETS_PER_PAIR = 80;
const FLAGS: Record<string, NumericOption> = {
  '--pairs': 'pairs',
  '--messages': 'messages',
  '--window': 'window',
  '--instances': 'instances',
  '--deadline': 'deadlineSeconds',
  '--storm': 'storm',
};
const BACKENDS: readonly BackendKind[] = ['sqlite', 'postgres'];
const USAGE =
  'usage: node dist/bench/run.js [--pairs P] [--messages M] [--window W] [--instances N] [--backend sqlite|postgres] [--deadline SECONDS] [--storm N] [--webhooks]\n' +
  '  --backend defaults to sqlite for one instance; several instances need (and default to) postgres + Redis,\n' +
  '  taken from env BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and BENCH_REDIS_URL (default redis://127.0.0.1:6379)';
const PASSWORD = 'bench-user-password';
/** Password hashing is scrypt on the server's libuv pool (4 threads): more in flight only queues. */
const SCRYPT_CONCURRENCY = 4;
const HTTP_CONCURRENCY = 8;
const SOCKET_CONCURRENCY = 16;

class UsageError extends Error {}
class DeadlineExceeded extends Error {}

/** Reads `--flag value` and `--flag=value`; anything else is a usage error. */
function parseArgs(argv: readonly string[]): BenchOptions {
  const numbers = { ...DEFAULTS };
  let backend: BackendKind | undefined;
  let webhooks = false;
  for (let at = 0; at < argv.length; at++) {
    const [flag, inline] = argv[at]!.split('=', 2) as [string, string | undefined];
    if (flag === '--webhooks' && inline === undefined) {
      webhooks = true;
      continue;
    }
    const key = FLAGS[flag];
    if (key === undefined && flag !== '--backend') throw new UsageError(`unknown argument "${argv[at]}"`);
    const text = inline ?? argv[++at];
    if (key === undefined) {
      if (!BACKENDS.includes(text as BackendKind)) throw new UsageError(`--backend needs sqlite or postgres, got "${text ?? ''}"`);
      backend = text as BackendKind;
      continue;
    }
    const value = Number(text);
    if (text === undefined || !/^\d+$/.test(text) || value < 1) throw new UsageError(`${flag} needs a positive integer, got "${text ?? ''}"`);
    numbers[key] = value;
  }
  // Instances share state only through the database and Redis: SQLite is one process's file.
  if (numbers.instances > 1 && backend === 'sqlite') throw new UsageError(`--instances ${numbers.instances} needs --backend postgres, not sqlite`);
  return { ...numbers, webhooks, backend: backend ?? (numbers.instances > 1 ? 'postgres' : 'sqlite') };
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

/** What `main` needs to clean up after, and explain, a run that failed half-way. */
interface RunContext {
  cleanups: Array<() => Promise<void>>;
  servers: BenchServer[];
}

/** Resolves with the reply when its status is `expected`; anything else fails the run with what the server said. */
async function expectStatus(reply: Promise<Reply>, expected: number, what: string): Promise<Reply> {
  const { status, body } = await reply;
  if (status !== expected) throw new Error(`${what} answered ${status} (expected ${expected}): ${JSON.stringify(body).slice(0, 300)}`);
  return reply;
}

/** The `sessionid` a logged-in agent sends, for the WebSocket handshake. */
function sessionOf(agent: Agent): string {
  if (agent.session === undefined) throw new Error(`login of ${agent.email} returned no sessionid cookie`);
  return agent.session;
}

/** What a run measured: its exit code, delivered messages/s, and (webhooks on) the receiver's figures. */
interface RunOutcome {
  code: number;
  msgsPerS: number | null;
  webhooks: WebhookFigures | null;
}

interface WebhookFigures {
  message_events: number;
  requests: number;
  /** From the end of the traffic phase to the last message's event at the receiver. */
  drained_after_traffic_s: number;
}

async function run(options: BenchOptions, context: RunContext, receiver: BenchReceiver | null = null): Promise<RunOutcome> {
  const { cleanups } = context;
  const deadlineAt = performance.now() + options.deadlineSeconds * 1000;
  const backend = openBackend(options.backend);
  cleanups.push(() => backend.release());
  progress(`backend: ${backend.description}`);
  await beforeDeadline(deadlineAt, 'preparing the backend', backend.ready);
  const ports = await freePorts(options.instances);
  const servers = ports.map((port, index) => launchServer(index, port, { ...backend.env, ...(receiver?.env() ?? {}) }));
  context.servers = servers;
  cleanups.push(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });
  await beforeDeadline(deadlineAt, `starting Tandem (${describeSetup(options)})`, Promise.all(servers.map((server) => server.ready)));
  // Sessions live in the database, so set-up through instance 0 serves sockets on every instance.
  const agent = () => new Agent(servers[0]!.httpBase, REQUEST_TIMEOUT_MS);
  const admin = await beforeDeadline(deadlineAt, 'admin login', agent().login(BENCH_ADMIN.email, BENCH_ADMIN.password));

  const stormPairs = Math.ceil(options.storm / STORM_SOCKETS_PER_PAIR);
  const people = Array.from({ length: options.pairs + stormPairs }, (_, index) => ({
    mentor: `mentor-${index}@bench.tandem.test`,
    mentee: `mentee-${index}@bench.tandem.test`,
  }));
  const users = people.flatMap(({ mentor, mentee }, index) => [
    { email: mentor, password: PASSWORD, first_name: 'Mentor', last_name: String(index), role: 'MENTOR' },
    { email: mentee, password: PASSWORD, first_name: 'Mentee', last_name: String(index), role: 'MENTEE' },
  ]);
  await beforeDeadline(
    deadlineAt,
    `creating ${users.length} users`,
    mapLimit(users, SCRYPT_CONCURRENCY, (user) => expectStatus(admin.post('/api/users', user), 201, 'POST /api/users')),
  );
  await beforeDeadline(
    deadlineAt,
    `matching ${people.length} pairs`,
    mapLimit(people, HTTP_CONCURRENCY, ({ mentor, mentee }) =>
      expectStatus(admin.post('/api/matches', { mentor_email: mentor, mentee_email: mentee }), 201, 'POST /api/matches'),
    ),
  );
  const sessions = await beforeDeadline(
    deadlineAt,
    `logging in ${users.length} users`,
    mapLimit(users, SCRYPT_CONCURRENCY, (user) =>
      agent()
        .login(user.email, PASSWORD)
        .then((client) => sessionOf(client)),
    ),
  );

  // Sockets that open are remembered at once, so that a failure half-way still closes them.
  const openSockets: WebSocket[] = [];
  cleanups.push(async () => {
    for (const ws of openSockets) ws.terminate();
  });
  // The mentor sits one instance further than its mentee, so with N ≥ 2 every message crosses instances.
  const instanceOf = (index: number) => servers[index % servers.length]!;
  const endpoints = people.flatMap(({ mentor, mentee }, index) => [
    { email: mentor, partnerEmail: mentee, sessionId: sessions[2 * index]!, wsBase: instanceOf(index + 1).wsBase },
    { email: mentee, partnerEmail: mentor, sessionId: sessions[2 * index + 1]!, wsBase: instanceOf(index).wsBase },
  ]);
  const stormEndpoints = endpoints.splice(2 * options.pairs);
  const sockets = await beforeDeadline(
    deadlineAt,
    `opening ${endpoints.length} chat sockets`,
    mapLimit(endpoints, SOCKET_CONCURRENCY, async (endpoint) => {
      const ws = await openChat(endpoint.wsBase, endpoint);
      openSockets.push(ws);
      return ws;
    }),
  );

  const pairs = people
    .slice(0, options.pairs)
    .map(({ mentee }, index) => new PairTraffic(index, sockets[2 * index + 1]!, mentee, [sockets[2 * index]!], options.messages, options.window));
  progress(`sending ${options.pairs * options.messages} messages…`);
  const started = performance.now();
  const traffic = runTraffic(pairs, deadlineAt);
  const storm = options.storm > 0 ? await runStorm(servers, stormEndpoints, options.storm, pairs, Math.floor((options.pairs * options.messages) / 10)) : null;
  const end = await traffic;
  const trafficEnded = performance.now();
  progress(`traffic phase ended (${end}) after ${((trafficEnded - started) / 1000).toFixed(2)} s`);
  await Promise.all(pairs.map((pair) => pair.close()));
  let webhookFigures: WebhookFigures | null = null;
  if (receiver) {
    const echoed = pairs.reduce((total, pair) => total + pair.echoed, 0);
    await beforeDeadline(deadlineAt, `receiving the events of ${echoed} messages`, receiver.until(echoed));
    webhookFigures = {
      message_events: receiver.messageEvents.size,
      requests: receiver.requests,
      drained_after_traffic_s: Number((Math.max(0, receiver.lastAt - trafficEnded) / 1000).toFixed(2)),
    };
  }

  const { figures, ok } = summarize(options, pairs, end);
  const stormFigures: StormReport | null = storm && {
    storm_sockets: options.storm,
    storm_opened: storm.opened,
    storm_open_s: Number(((storm.opening[1] - storm.opening[0]) / 1000).toFixed(2)),
    storm_close_s: Number(((storm.closing[1] - storm.closing[0]) / 1000).toFixed(2)),
    echo_p99_quiet: echoP99(pairs, storm.quiet),
    echo_p99_storm: echoP99(pairs, storm.opening),
    echo_p99_closing: echoP99(pairs, storm.closing),
    server_eventloop_lag_max_quiet_ms: rounded(storm.eventLoopLagMaxMs.quiet),
    server_eventloop_lag_max_opening_ms: rounded(storm.eventLoopLagMaxMs.opening),
    server_eventloop_lag_max_closing_ms: rounded(storm.eventLoopLagMaxMs.closing),
    server_cpu_s_opening: Number(storm.cpuSeconds.opening.toFixed(3)),
    server_cpu_s_closing: Number(storm.cpuSeconds.closing.toFixed(3)),
  };
  printReport(figures, pairs, servers, stormFigures);
  if (webhookFigures) {
    progress(
      `webhooks: ${webhookFigures.message_events} message.created events (${webhookFigures.requests} requests), the last ${webhookFigures.drained_after_traffic_s} s after the traffic ended`,
    );
  }
  const code = (stormFigures && stormFigures.storm_opened !== options.storm) || !ok ? 1 : 0;
  return { code, msgsPerS: figures.msgs_per_s, webhooks: webhookFigures };
}

/** Webhooks off, then on (each on fresh backends, in one invocation), and the comparison as a last JSON line. */
async function compareWebhooks(options: BenchOptions, runOnce: (receiver: BenchReceiver | null) => Promise<RunOutcome>): Promise<number> {
  progress('webhooks off');
  const off = await runOnce(null);
  const receiver = await BenchReceiver.start();
  progress('webhooks on');
  let on: RunOutcome;
  try {
    on = await runOnce(receiver);
  } finally {
    await receiver.close();
  }
  const ratio = off.msgsPerS && on.msgsPerS ? Number((on.msgsPerS / off.msgsPerS).toFixed(3)) : null;
  process.stdout.write(
    `Webhooks: off ${off.msgsPerS ?? 'n/a'} msg/s, on ${on.msgsPerS ?? 'n/a'} msg/s (on/off ${ratio ?? 'n/a'}); ` +
      `last event ${on.webhooks?.drained_after_traffic_s ?? 'n/a'} s after the traffic\n` +
      `${JSON.stringify({ compare: 'webhooks', ...describeShape(options), off_msgs_per_s: off.msgsPerS, on_msgs_per_s: on.msgsPerS, on_over_off: ratio, ...on.webhooks })}\n`,
  );
  return off.code === 0 && on.code === 0 ? 0 : 1;
}

function describeShape(options: BenchOptions) {
  return { pairs: options.pairs, messages: options.messages, window: options.window, instances: options.instances, backend: options.backend };
}

function rounded(value: number | null): number | null {
  return value === null ? null : Number(value.toFixed(1));
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  // Run in reverse order of creation: sockets before the servers, the servers before their data.
  // One pass only, shared by the signal handler and the normal end: whichever exits first
  // must not cut short a DROP DATABASE the other started.
  const context: RunContext = { cleanups: [], servers: [] };
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const cleanup of context.cleanups.splice(0).reverse()) {
        // Said aloud: a failed cleanup may leave a database or a directory behind.
        await cleanup().catch((error: unknown) => process.stderr.write(`bench cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`));
      }
    })());
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      progress(`${signal}: stopping`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  let code: number;
  try {
    if (!options.webhooks) {
      code = (await run(options, context)).code;
    } else {
      // Each run cleans up after itself before the next, so the second starts on fresh backends.
      code = await compareWebhooks(options, async (receiver) => {
        try {
          return await run(options, context, receiver);
        } finally {
          await cleanUp();
          cleaning = undefined;
        }
      });
    }
  } catch (error) {
    // A deadline is a verdict on the server, not a bug in the bench: its stack says nothing.
    const message = !(error instanceof Error) ? String(error) : error instanceof DeadlineExceeded ? error.message : (error.stack ?? error.message);
    const serverNotes = [...firstLogLines(context.servers, 10).map((line) => `server log: ${line}`), ...exitNotes(context.servers)];
    // After a signal the failure is only the servers going away underneath the run.
    if (!interrupted) process.stderr.write(`bench failed: ${message}\n${serverNotes.map((note) => `${note}\n`).join('')}`);
    code = 1;
  }
  await cleanUp();
  // Keep-alive HTTP connections and closing sockets would otherwise hold the process open.
  process.exit(interrupted ? 130 : code);
}

void main();
