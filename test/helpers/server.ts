/**
 * Starts a real Tandem on port 0 with its own SQLite file (or the backends the caller
 * names), and closes it and removes what it made when the test ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { createTandem, type Tandem, type TandemOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ADMIN, TEST_METRICS_TOKEN, TEST_SCRYPT_N } from './accounts.js';

export { ADMIN };

export interface TestServer {
  tandem: Tandem;
  /** `http://127.0.0.1:PORT` */
  http: string;
  /** `ws://127.0.0.1:PORT` */
  ws: string;
  /** Closes the instance (idempotent); tests that restart call it themselves. */
  close(): Promise<void>;
}

export type Hooks = Pick<TestContext, 'after'> | { after(fn: () => unknown): void };

/**
 * Cleanup for servers shared by a `describe` block: call it synchronously in the block and
 * pass the result where a test context is expected. Runs in registration order, as node's
 * `t.after` does, so helpers behave the same with either.
 */
export function suiteCleanup(): Hooks {
  const cleanups: Array<() => unknown> = [];
  after(async () => {
    while (cleanups.length > 0) await cleanups.shift()!();
  });
  return { after: (fn: () => unknown) => void cleanups.push(fn) };
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: Hooks): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `options` go to `createTandem` (a clock the test controls, say). */
export async function startServer(t: Hooks, env: Record<string, string> = {}, options: TandemOptions = {}): Promise<TestServer> {
  let dir: string | undefined;
  if (env.DATABASE_URL === undefined) dir = mkdtempSync(join(tmpdir(), 'tandem-test-'));
  const databaseUrl = env.DATABASE_URL ?? `sqlite:${join(dir!, 'tandem.db')}`;
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    TANDEM_ADMIN_EMAIL: ADMIN.email,
    TANDEM_ADMIN_PASSWORD: ADMIN.password,
    PASSWORD_SCRYPT_N: TEST_SCRYPT_N,
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const tandem = await createTandem(config, options);
  const address = await tandem.listen();
  const close = () => tandem.close();
  t.after(async () => {
    await close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return { tandem, http: `http://127.0.0.1:${address.port}`, ws: `ws://127.0.0.1:${address.port}`, close };
}
