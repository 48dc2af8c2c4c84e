/**
 * `npm run bench [-- --quick] [--only NAME,…] …`: the whole matrix of scenarios.ts in one run.
 *
 * For each scenario: fresh storage, its people seeded into it (seed.ts), its servers as child
 * processes (Tandem, or the ceilings' relay.ts), load clients as child processes (client.ts),
 * then the measured phase, the servers stopped and what the clients saw checked against the
 * store (verify.ts). One JSON file per scenario under bench/results/, one table on stdout,
 * progress on stderr. Exit code 0 only when every scenario ran and none lost, duplicated or
 * reordered anything.
 */
import { fileURLToPath } from 'node:url';
import { openBackend, openRelayStorage, type Backend } from './backends.js';
import { startClients, type LoadClient } from './clients.js';
import type { PairPlacement } from './client.js';
import { trafficFigures } from './figures.js';
import { cpuSeconds, fileLimits, peakRssBytes, rssBytes } from './proc.js';
import { describeMachine, formatTable, writeResult, type ClientFigures, type ConnectionFigures, type ScenarioResult, type WebhookFigures } from './results.js';
import { parseMatrixArgs, scenarios, UsageError, type ConnectionsScenario, type MatrixOptions, type TrafficScenario } from './scenarios.js';
import { filterFigures, reportFilter } from './filter.js';
import { relayPairs, seedPairs, type SeededPair } from './seed.js';
import { firstLogLines, launchServer, metricsRequest, type BenchServer } from './server.js';
import { freePorts } from '../test/helpers/ports.js';
import { formatTargets, judgeTargets, writeTargets } from './targets.js';
import { verifyRelay, verifyTandem, type StoreVerdict } from './verify.js';
import { BenchReceiver } from './webhooks.js';

/** Above anything this code reaches on a small machine; sizes the per-pair arrays of a time-boxed run. */
const MAX_RATE_PER_S = 100_000;
/** Handshakes each load client keeps in flight in the connections scenario. */
const HANDSHAKES_IN_FLIGHT = 256;
/** Open files a process needs besides its sockets: database, logs, libraries. */
const SPARE_FILES = 512;

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

const mb = (bytes: number | null) => (bytes === null ? null : Number((bytes / 2 ** 20).toFixed(1)));

/** Everything a scenario started, stopped in reverse order whatever happened. */
class Resources {
  private readonly stops: Array<() => Promise<unknown>> = [];
  add(stop: () => Promise<unknown>): void {
    this.stops.push(stop);
  }
  async release(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => progress(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}

/** Starts the scenario's servers on free ports, with the backend's settings and `env` on top, and waits until they serve. */
async function startServers(
  count: number,
  backend: Backend,
  env: Readonly<Record<string, string>>,
  script: string | undefined,
  files: number,
  resources: Resources,
): Promise<BenchServer[]> {
  const ports = await freePorts(count);
  const servers = ports.map((port, index) => launchServer(index, port, { ...backend.env, ...env }, { script, files }));
  resources.add(() => Promise.all(servers.map((server) => server.stop())));
  try {
    await Promise.all(servers.map((server) => server.ready));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${firstLogLines(servers, 5).join('\n')}`);
  }
  return servers;
}

function clientFigures(cpu: number, wall: number): ClientFigures {
  return { cpu_s: Number(cpu.toFixed(2)), wall_s: Number(wall.toFixed(2)), core_share: Number((cpu / wall).toFixed(2)) };
}

/** Storage, people and servers of a scenario: Tandem on its backend (with `env`), or a ceiling. */
async function prepare(
  scenario: TrafficScenario | ConnectionsScenario,
  pairCount: number,
  files: number,
  resources: Resources,
  env: Readonly<Record<string, string>> = {},
) {
  const relay = scenario.kind === 'traffic' && scenario.server !== 'tandem';
  const storage = relay ? openRelayStorage(scenario.server === 'relay-durable') : openBackend(scenario.kind === 'traffic' ? scenario.backend! : 'sqlite');
  resources.add(() => storage.release());
  await storage.ready;
  const pairs = relay ? relayPairs(pairCount) : await seedPairs(storage.env.DATABASE_URL!, pairCount);
  const script = relay ? fileURLToPath(new URL('./relay.js', import.meta.url)) : undefined;
  const servers = await startServers(scenario.kind === 'traffic' ? scenario.instances : 1, storage, env, script, files, resources);
  return { storage, pairs, servers, relay };
}

async function runTrafficScenario(scenario: TrafficScenario, options: MatrixOptions, resources: Resources): Promise<ScenarioResult> {
  const socketsPerServer = 2 * scenario.pairs * scenario.tabs;
  let receiver: BenchReceiver | null = null;
  if (scenario.webhooks) {
    receiver = await BenchReceiver.start();
    resources.add(() => receiver!.close());
  }
  const env = { ...scenario.env, ...(receiver?.env() ?? {}) };
  const { storage, pairs, servers, relay } = await prepare(scenario, scenario.pairs, socketsPerServer + SPARE_FILES, resources, env);
  const clients = startClients(Math.min(options.clients, scenario.pairs));
  resources.add(() => Promise.all(clients.map((client) => client.stop())));
  // The mentor sits one instance further than its mentee: with 2 instances every message crosses Redis.
  const placements: PairPlacement[] = pairs.map((pair) => ({
    pair,
    menteeWs: servers[pair.index % servers.length]!.wsBase,
    mentorWs: servers[(pair.index + 1) % servers.length]!.wsBase,
  }));
  const messages = Math.ceil((MAX_RATE_PER_S * options.seconds) / scenario.pairs);
  const shares = clients.map((client) => placements.filter((_, at) => at % clients.length === client.index));
  await Promise.all(
    clients.map((client) => client.ask({ kind: 'open-pairs', pairs: shares[client.index]!, tabs: scenario.tabs, messages, window: options.window }, 'opened')),
  );
  progress(`${scenario.name}: ${socketsPerServer} sockets open, sending for ${options.seconds} s`);

  const latest = clients.map(() => ({ sent: 0, delivered: 0 }));
  let lastPrinted = 0;
  const started = performance.now();
  for (const client of clients) {
    client.onProgress = (report) => {
      latest[client.index] = report;
      const delivered = latest.reduce((sum, each) => sum + each.delivered, 0);
      const seconds = (performance.now() - started) / 1000;
      if (seconds - lastPrinted < 1) return;
      lastPrinted = seconds;
      progress(`${scenario.name}: ${seconds.toFixed(0)} s, ${delivered} delivered (${Math.round(delivered / seconds)}/s)`);
    };
  }
  const cpuBefore = servers.map((server) => cpuSeconds(server.pid));
  const done = await Promise.all(
    clients.map((client) => client.ask({ kind: 'go', durationMs: options.seconds * 1000, deadlineMs: options.deadlineSeconds * 1000 }, 'done')),
  );
  const trafficEnded = performance.now();
  // The servers' CPU time then counts the outbox's work to its end: what the messages cost with webhooks on.
  if (receiver) {
    const echoed = done.reduce((total, reply) => total + reply.pairs.reduce((sum, pair) => sum + pair.echoed, 0), 0);
    progress(`${scenario.name}: waiting for the message.created events of ${echoed} messages (${receiver.messageEvents.size} so far)`);
    await receiver.until(echoed);
  }
  const serverFigures = servers.map((server, at) => {
    const after = cpuSeconds(server.pid);
    return { cpu_s: after === null || cpuBefore[at] == null ? null : Number((after - cpuBefore[at]!).toFixed(2)), peak_rss_mb: mb(peakRssBytes(server.pid)) };
  });
  await Promise.all(servers.map((server) => server.stop()));
  const observations = done.flatMap((reply) => reply.pairs);
  let verdict: StoreVerdict | null = null;
  if (!relay) verdict = await verifyTandem(storage.env.DATABASE_URL!, observations);
  else if (storage.env.RELAY_DATABASE) verdict = verifyRelay(storage.env.RELAY_DATABASE, observations);
  const traffic = trafficFigures(
    observations,
    done.map((reply) => reply.end),
    verdict,
  );
  const webhooks = receiver && webhookFigures(receiver, verdict, trafficEnded);
  if (webhooks && !webhooks.ok) {
    traffic.ok = false;
    traffic.notes.push(`webhooks: ${webhooks.message_events} message.created events for ${webhooks.stored} stored messages`);
  }
  return {
    scenario,
    servers: serverFigures,
    clients: done.map((reply) => clientFigures(reply.cpuSeconds, reply.wallSeconds)),
    traffic,
    ...(webhooks ? { webhooks } : {}),
  };
}

/** What the receiver saw: an event for every stored message (never fewer), and when the last arrived. */
function webhookFigures(receiver: BenchReceiver, verdict: StoreVerdict | null, trafficEnded: number): WebhookFigures {
  const stored = verdict?.stored ?? null;
  return {
    message_events: receiver.messageEvents.size,
    requests: receiver.requests,
    stored,
    drained_after_traffic_s: Number((Math.max(0, receiver.lastAt - trafficEnded) / 1000).toFixed(2)),
    ok: stored !== null && receiver.messageEvents.size >= stored,
  };
}

/**
 * The instance's JS heap in use and its external (Buffer) memory, from its own /metrics
 * (prom-client's default metrics): what of the RSS the JavaScript side holds. Garbage not yet
 * collected counts too, so these bound the live figures from above.
 */
async function processMemory(httpBase: string): Promise<{ heapUsed: number | null; external: number | null }> {
  const text = await (await fetch(`${httpBase}/metrics`, metricsRequest)).text();
  const metric = (name: string) => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  return { heapUsed: metric('nodejs_heap_size_used_bytes'), external: metric('nodejs_external_memory_bytes') };
}

/**
 * With `--heapsnapshot-signal=SIG…` in BENCH_NODE_ARGS, has the instance write a heap snapshot
 * while its idle sockets are open (a `--heap-prof` profile is written at exit, after they
 * closed). The snapshot is written on the instance's event loop, so the next answer to
 * `/healthz` comes once it is done.
 */
async function heapSnapshot(server: BenchServer): Promise<void> {
  const signal = /--heapsnapshot-signal=(SIG[A-Z0-9]+)/.exec(process.env.BENCH_NODE_ARGS ?? '')?.[1];
  if (!signal || server.pid === undefined) return;
  progress(`connections: ${signal} → heap snapshot of instance ${server.index}`);
  process.kill(server.pid, signal as NodeJS.Signals);
  await (await fetch(`${server.httpBase}/healthz`, { signal: AbortSignal.timeout(120_000) })).arrayBuffer();
}

async function runConnectionsScenario(scenario: ConnectionsScenario, options: MatrixOptions, resources: Resources): Promise<ScenarioResult> {
  const pairCount = Math.ceil(scenario.sockets / (2 * scenario.socketsPerUser));
  const { pairs, servers } = await prepare(scenario, pairCount, scenario.sockets + SPARE_FILES, resources);
  const server = servers[0]!;
  // Each client holds its sockets under its own limit (node runs at the hard one): more clients rather than a refusal.
  const perClient = Math.max(1, fileLimits().hard - SPARE_FILES);
  const clients = startClients(Math.max(options.clients, Math.ceil(scenario.sockets / perClient)));
  resources.add(() => Promise.all(clients.map((client) => client.stop())));
  const endpoints = pairs
    .flatMap((pair: SeededPair) =>
      Array.from({ length: scenario.socketsPerUser }, () => [
        { wsBase: server.wsBase, email: pair.mentor.email, partnerEmail: pair.mentee.email, sessionId: pair.mentor.session },
        { wsBase: server.wsBase, email: pair.mentee.email, partnerEmail: pair.mentor.email, sessionId: pair.mentee.session },
      ]).flat(),
    )
    .slice(0, scenario.sockets);
  const rssBefore = rssBytes(server.pid);
  const memoryBefore = await processMemory(server.httpBase);
  const cpuBefore = cpuSeconds(server.pid);
  progress(`${scenario.name}: opening ${endpoints.length} sockets`);
  const opened = await Promise.all(
    clients.map((client) =>
      client.ask(
        { kind: 'open-idle', endpoints: endpoints.filter((_, at) => at % clients.length === client.index), concurrency: HANDSHAKES_IN_FLIGHT },
        'idle-opened',
      ),
    ),
  );
  const rssAfter = rssBytes(server.pid);
  const cpuAfter = cpuSeconds(server.pid);
  const memoryAfter = await processMemory(server.httpBase);
  // Before the snapshot, which needs memory of its own.
  const peak = mb(peakRssBytes(server.pid));
  await heapSnapshot(server);
  const perConnection = (before: number | null, after: number | null) =>
    before === null || after === null || count === 0 ? null : Number(((after - before) / count / 1024).toFixed(1));
  const count = opened.reduce((sum, reply) => sum + reply.opened, 0);
  const seconds = (Math.max(...opened.map((reply) => reply.endedAt)) - Math.min(...opened.map((reply) => reply.startedAt))) / 1000;
  const connections: ConnectionFigures = {
    sockets: scenario.sockets,
    opened: count,
    handshakes_per_s: seconds > 0 ? Math.round(count / seconds) : null,
    rss_before_mb: mb(rssBefore),
    rss_after_mb: mb(rssAfter),
    rss_per_connection_kb: perConnection(rssBefore, rssAfter),
    heap_used_per_connection_kb: perConnection(memoryBefore.heapUsed, memoryAfter.heapUsed),
    external_per_connection_kb: perConnection(memoryBefore.external, memoryAfter.external),
    failures: opened.flatMap((reply) => reply.failures).slice(0, 5),
    ok: count === scenario.sockets,
  };
  progress(`${scenario.name}: ${count} open in ${seconds.toFixed(2)} s, closing`);
  await Promise.all(clients.map((client) => client.ask({ kind: 'close-idle' }, 'idle-closed')));
  return {
    scenario,
    servers: [{ cpu_s: cpuAfter === null || cpuBefore === null ? null : Number((cpuAfter - cpuBefore).toFixed(2)), peak_rss_mb: peak }],
    clients: opened.map((reply) => clientFigures(reply.cpuSeconds, seconds)),
    connections,
  };
}

/** Runs one scenario within the deadline; a failure is its result, not the run's end. */
async function runScenario(scenario: TrafficScenario | ConnectionsScenario, options: MatrixOptions): Promise<ScenarioResult> {
  const resources = new Resources();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${options.deadlineSeconds} s`)), options.deadlineSeconds * 1000);
  });
  try {
    const work = scenario.kind === 'traffic' ? runTrafficScenario(scenario, options, resources) : runConnectionsScenario(scenario, options, resources);
    return await Promise.race([work, deadline]);
  } catch (error) {
    return { scenario, servers: [], clients: [], error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    clearTimeout(timer);
    await resources.release();
  }
}

/** A scenario's headline figure: msg/s, or handshakes/s for the connections. */
function headline(result: ScenarioResult): number | null {
  return result.traffic?.msgs_per_s ?? result.connections?.handshakes_per_s ?? null;
}

/** The round whose headline figure is the median of the scenario's rounds; a failed round wins, to be seen. */
function medianRound(results: readonly ScenarioResult[]): ScenarioResult {
  const failed = results.find((result) => result.error || headline(result) === null);
  if (failed) return failed;
  const sorted = [...results].sort((a, b) => headline(a)! - headline(b)!);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function main(): Promise<void> {
  let options: MatrixOptions;
  try {
    options = parseMatrixArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const machine = describeMachine(options);
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const chosen = scenarios(options).filter((scenario) => options.only.length === 0 || options.only.includes(scenario.name));
  progress(
    `${chosen.length} scenarios × ${options.rounds} round(s), ${options.quick ? 'quick' : 'full'} run: ${options.seconds} s of traffic each, ${options.clients} load clients`,
  );
  // Rounds interleave the scenarios, so that a machine whose load drifts moves every row alike.
  const rounds: ScenarioResult[][] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const label = options.rounds > 1 ? `r${round}-` : '';
    const results: ScenarioResult[] = [];
    for (const scenario of chosen) {
      progress(`${label}${scenario.name}: ${scenario.title}`);
      const result = await runScenario(scenario, options);
      results.push(result);
      progress(
        `${label}${scenario.name}: ${result.error ? `FAILED: ${result.error}` : 'done'} → ${writeResult(`${stamp}-${label}`.replace(/-$/, ''), machine, result)}`,
      );
    }
    rounds.push(results);
  }
  const results = chosen.map((_, at) => medianRound(rounds.map((round) => round[at]!)));
  const spread =
    options.rounds > 1
      ? `\n${chosen.map((scenario, at) => `  ${scenario.name} in each round: ${rounds.map((round) => headline(round[at]!)?.toFixed(0) ?? 'failed').join(' · ')}`).join('\n')}`
      : '';
  const targets = judgeTargets(results);
  progress(`targets → ${writeTargets(stamp, machine, targets)}`);
  process.stdout.write(
    `Tandem bench, ${stamp} (${String(machine.cpu)}, ${String(machine.cores)} cores, ${String(machine.node)}; window ${options.window}, ${options.seconds} s per scenario)\n${formatTable(results)}${spread}\n${formatTargets(targets)}\n`,
  );
  const ok = rounds.flat().every((result) => !result.error && (result.traffic?.ok ?? result.connections?.ok ?? false));
  process.stdout.write(`${reportFilter(stamp, filterFigures())}\n${ok ? 'RESULT: OK' : 'RESULT: FAILED'}\n`);
  process.exit(ok ? 0 : 1);
}

void main();
