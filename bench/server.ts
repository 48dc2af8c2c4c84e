/**
 * The bench's own Tandem instances: child processes on free loopback ports, sharing the
 * storage settings a backend (see backends.ts) hands them, plus the few HTTP calls and the
 * chat handshake the bench needs to populate and reach them. Nothing here ever contacts
 * anything but 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { requireFileLimit } from './proc.js';
import { parseFrame } from './traffic.js';

const HOST = '127.0.0.1';
/** Credentials of the admin the server creates at start, from TANDEM_ADMIN_*. */
export const BENCH_ADMIN = { email: 'bench-admin@bench.tandem.test', password: 'bench-Sw0rdfish-71' } as const;
/** The bench instances' METRICS_TOKEN (/metrics is never public), and the fetch options that send it. */
const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';
export const metricsRequest = { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } } as const;
/** Most log lines kept verbatim per instance; the rest are only counted. */
const KEPT_LOG_LINES = 20;
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/** Long enough for a login queued behind many scrypt computations on a small machine. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A Tandem child process and what it has logged so far. */
export interface BenchServer {
  /** Position among the run's instances; prefixes its log lines. */
  readonly index: number;
  readonly port: number;
  readonly httpBase: string;
  readonly wsBase: string;
  /** The node process's id (for its CPU and memory readings); undefined if it never started. */
  readonly pid: number | undefined;
  /** Resolves once `GET /healthz` answered 200; rejects when the process exits or stays unready. */
  readonly ready: Promise<void>;
  /** Warn-or-worse log lines (the server runs with LOG_LEVEL=warn) as `[index] line`, first few kept. */
  readonly logLines: string[];
  logLineCount(): number;
  /** How the process ended, or `null` while it runs: a server that dies mid-run explains a stall. */
  exitStatus(): string | null;
  /** Stops the process (SIGTERM, then SIGKILL); its data belongs to the backend. */
  stop(): Promise<void>;
}

/** What else a launched server may be. */
export interface LaunchOptions {
  /** The script to run instead of Tandem's `dist/src/main.js` (the ceilings' relay). */
  script?: string;
  /** Open files the process must be allowed (sockets included): too low a hard limit fails the launch, saying so. */
  files?: number;
}

/** Enough for the default scenarios' sockets, the database and the logs. */
const DEFAULT_FILES = 4096;

/**
 * Spawns instance `index` of `dist/src/main.js` (or `options.script`) on `port` with
 * `backendEnv` on top of the shell's environment. Returns at once, so that the caller can
 * register `stop` before anything can fail; `ready` tells when the instance serves.
 */
export function launchServer(index: number, port: number, backendEnv: Readonly<Record<string, string>>, options: LaunchOptions = {}): BenchServer {
  let exitStatus: string | null = null;
  const logLines: string[] = [];
  let logCount = 0;
  // dist/bench/server.js → dist/src/main.js, whatever the current directory is.
  const mainScript = options.script ?? fileURLToPath(new URL('../src/main.js', import.meta.url));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    TANDEM_ADMIN_EMAIL: BENCH_ADMIN.email,
    TANDEM_ADMIN_PASSWORD: BENCH_ADMIN.password,
    METRICS_TOKEN: BENCH_METRICS_TOKEN,
    ALLOWED_ORIGINS: '',
    // Each bench mentee sends as fast as its window allows, far above a person's rate: the
    // per-connection flood protection would measure itself, not the message path.
    WS_RATE_PER_SECOND: '1000000',
    WS_RATE_BURST: '1000000',
    WS_USER_RATE_PER_SECOND: '1000000',
    WS_USER_RATE_BURST: '1000000',
    // Every bench client connects from this one loopback address.
    HTTP_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
    // The connections scenario holds 10 000 sockets; the cap would refuse the rest.
    HTTP_MAX_CONNECTIONS: '1000000',
    ...backendEnv,
  };
  // BENCH_NODE_ARGS: extra flags for the servers' node (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile them).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  requireFileLimit(options.files ?? DEFAULT_FILES);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, mainScript], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = `exited with code ${code}, signal ${signal}`;
      resolve();
    });
    child.once('error', (error) => {
      exitStatus = `could not run: ${error.message}`;
      resolve();
    });
  });
  // Line by line, so that a line split across two pipe chunks is still counted once.
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream!, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim() === '') return;
      logCount++;
      if (logLines.length < KEPT_LOG_LINES) logLines.push(`[${index}] ${line.length > 500 ? `${line.slice(0, 500)}…` : line}`);
    });
  }
  const exitedEarly = gone.then(() => {
    throw new Error(`Tandem instance ${index} ${exitStatus} during start-up\n${logLines.join('\n')}`);
  });
  const httpBase = `http://${HOST}:${port}`;
  const ready = Promise.race([waitHealthy(httpBase, () => exitStatus !== null), exitedEarly]);
  // Whoever awaits `ready` sees the failure; nobody awaiting it must not crash the bench.
  ready.catch(() => {});

  const stop = async (): Promise<void> => {
    if (exitStatus !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(killer);
  };
  return {
    index,
    port,
    httpBase,
    wsBase: `ws://${HOST}:${port}`,
    pid: child.pid,
    ready,
    logLines,
    logLineCount: () => logCount,
    exitStatus: () => exitStatus,
    stop,
  };
}

/** Up to `limit` kept log lines, taken in turn from each instance so that none hides the others. */
export function firstLogLines(servers: readonly BenchServer[], limit: number): string[] {
  const lines: string[] = [];
  for (let at = 0; lines.length < limit && servers.some((server) => at < server.logLines.length); at++) {
    for (const server of servers) if (at < server.logLines.length && lines.length < limit) lines.push(server.logLines[at]!);
  }
  return lines;
}

async function waitHealthy(httpBase: string, exited: () => boolean): Promise<void> {
  const giveUpAt = performance.now() + READY_TIMEOUT_MS;
  // After an exit `exitedEarly` has already rejected; polling on would only keep timers alive.
  while (!exited()) {
    try {
      const response = await fetch(`${httpBase}/healthz`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > giveUpAt) throw new Error(`Tandem at ${httpBase} did not answer GET /healthz with 200 within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Tandem at ${httpBase} exited before it was healthy`);
}

/** Runs `work` over `items` with at most `limit` in flight; the first failure rejects. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One side of a pair: who it is, who it talks to, and its session. */
export interface Endpoint {
  email: string;
  partnerEmail: string;
  sessionId: string;
}

/** Opens `/ws/chat/<partner>/` and resolves once `connection_established` has arrived. */
export function openChat(wsBase: string, endpoint: Endpoint): Promise<WebSocket> {
  const url = `${wsBase}/ws/chat/${encodeURIComponent(endpoint.partnerEmail)}/`;
  const ws = new WebSocket(url, { headers: { cookie: `sessionid=${endpoint.sessionId}` }, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(new Error(`chat socket of ${endpoint.email} at ${wsBase}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no connection_established within ${HANDSHAKE_TIMEOUT_MS} ms`), HANDSHAKE_TIMEOUT_MS);
    ws.once('unexpected-response', (_request, response) => fail(`handshake refused with HTTP ${response.statusCode}`));
    ws.once('error', (error) => fail(error.message));
    ws.once('close', (code, reason) => fail(`closed during handshake with ${code} ${reason.toString()}`));
    ws.once('message', (data) => {
      const frame = parseFrame(data);
      if (frame?.type !== 'connection_established') return fail(`first frame was ${String(data).slice(0, 200)}`);
      clearTimeout(timer);
      ws.removeAllListeners();
      // Until the traffic phase attaches its own listeners, an unheard 'error' would crash the bench.
      ws.on('error', () => {});
      resolve(ws);
    });
  });
}
