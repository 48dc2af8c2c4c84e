/**
 * Tandem as a child process (`dist/src/main.js`), for tests that need a process to
 * outlive a fault, exit, or be signalled: its exit status and its output are kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ADMIN, TEST_METRICS_TOKEN, TEST_SCRYPT_N } from './accounts.js';
import { freePort } from './ports.js';
import type { Hooks } from './server.js';
import { until } from './wait.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface ChildServer {
  child: ChildProcess;
  http: string;
  ws: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Whether it is still running. */
  running(): boolean;
  /** Settles with the exit code and signal. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * Starts Tandem with the admin of the test accounts, the in-memory layer and `env` on top,
 * and resolves once it answers `/healthz`; killed when the test ends if still running.
 */
export async function startChild(t: Hooks, env: Record<string, string>): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
      TANDEM_ADMIN_EMAIL: ADMIN.email,
      TANDEM_ADMIN_PASSWORD: ADMIN.password,
      PASSWORD_SCRYPT_N: TEST_SCRYPT_N,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const running = () => child.exitCode === null && child.signalCode === null;
  t.after(() => {
    if (running()) child.kill('SIGKILL');
  });
  const http = `http://127.0.0.1:${port}`;
  await until('the child to answer /healthz', async () => {
    if (!running()) throw new Error(`the child exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    return (await fetch(`${http}/healthz`).catch(() => null))?.ok === true;
  });
  return { child, http, ws: `ws://127.0.0.1:${port}`, output: () => output, running, exited };
}
