/**
 * The external backends tests may use: the PostgreSQL and Redis named by
 * TANDEM_TEST_DATABASE_URL and TANDEM_TEST_REDIS_URL, and private redis-server processes for
 * tests that stop one. Every database, prefix and process made here is removed by its maker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import pg from 'pg';
import type { Redis } from 'ioredis';
import { suiteNeeding } from './needs.js';
import { freePort } from './ports.js';

export { freePort };

export const testDatabaseUrl = process.env.TANDEM_TEST_DATABASE_URL || undefined;
export const testRedisUrl = process.env.TANDEM_TEST_REDIS_URL || undefined;

/**
 * Registers `body` when the named backends are configured. Otherwise the suite shows as a
 * skipped test with the reason, or — under CI — fails, so CI can never pass by skipping.
 */
export function withBackends(name: string, needs: { postgres?: boolean; redis?: boolean }, body: () => void): void {
  const missing = [
    needs.postgres && !testDatabaseUrl ? 'TANDEM_TEST_DATABASE_URL' : null,
    needs.redis && !testRedisUrl ? 'TANDEM_TEST_REDIS_URL' : null,
  ].filter((item): item is string => item !== null);
  const reason = missing.length === 0 ? null : `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`;
  suiteNeeding(name, reason, body, 'see .ci/run');
}

const run = `tandem_test_${randomBytes(4).toString('hex')}`;
let databases = 0;

/** Runs `work` on a short-lived connection to the maintenance database. */
async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  if (!testDatabaseUrl) throw new Error('TANDEM_TEST_DATABASE_URL is not set');
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  client.on('error', () => {}); // a dropped connection fails the pending query, which reports it
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A new empty PostgreSQL database of this run: its URL, and `drop`, which the caller
 * registers with its own cleanup (it drops only this database, even with clients connected).
 */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${run}_${++databases}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const target = new URL(testDatabaseUrl!);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}

/** A Redis key/channel prefix no other run uses. */
export function freshRedisPrefix(): string {
  return `tandem-test-${randomBytes(6).toString('hex')}:`;
}

const START_TIMEOUT_MS = 10_000;

/** A private redis-server on `port`, never the shared one: tests stop it. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    cwd: tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not start:\n${output}`)), START_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    await stopRedis(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return child;
}

export async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** A private redis-server on a free port, stopped when the test ends unless `stop` did it first. */
export async function privateRedis(t: { after(fn: () => unknown): void }): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const server = await startRedis(port);
  const stop = () => stopRedis(server);
  t.after(stop);
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/** Kills every Redis connection whose client name starts with `name`; returns how many there were. */
export async function killClients(redis: Redis, name: string): Promise<number> {
  const list = String(await redis.client('LIST'));
  const ids = list
    .split('\n')
    .filter((line) => line.split(' ').some((field) => field.startsWith(`name=${name}`)))
    .map((line) => /(?:^| )id=(\d+)/.exec(line)?.[1]);
  for (const id of ids) if (id) await redis.client('KILL', 'ID', id);
  return ids.length;
}

/** A private PostgreSQL cluster (Debian's initdb, run as the postgres user) that a test may stop. */
export interface PrivatePostgres {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Freezes the postmaster and every server process (SIGSTOP): connections stay open and
   * new ones are accepted by the kernel, but nothing answers — a hung database.
   */
  pause(): Promise<void>;
  /** Lets a paused cluster go on (SIGCONT). */
  resume(): Promise<void>;
  /** Stops the cluster and removes its directory. */
  destroy(): Promise<void>;
}

function runCommand(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    // 'close', not 'exit': output can still be arriving when the process has exited, and a
    // lost `id -u postgres` once chowned a cluster's directory to root.
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/** A uid or gid from `id`; anything but a positive number is an error, never root by accident. */
async function numericId(args: string[]): Promise<number> {
  const text = (await runCommand('id', args)).trim();
  if (!/^[1-9]\d*$/.test(text)) throw new Error(`id ${args.join(' ')} answered "${text}"`);
  return Number(text);
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const { readdirSync, mkdtempSync, rmSync, chownSync } = await import('node:fs');
  const { join } = await import('node:path');
  const version = readdirSync('/usr/lib/postgresql').sort().pop();
  if (!version) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql');
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-pg-'));
  const uid = await numericId(['-u', 'postgres']);
  const gid = await numericId(['-g', 'postgres']);
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (tool: string, args: string[]) => runCommand('runuser', ['-u', 'postgres', '--', `${bin}/${tool}`, ...args]);
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    },
    stop: async () => {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    pause: async () => {
      for (const pid of await serverPids(data)) process.kill(pid, 'SIGSTOP');
    },
    resume: async () => {
      for (const pid of await serverPids(data)) process.kill(pid, 'SIGCONT');
    },
    destroy: async () => {
      await cluster.resume().catch(() => {});
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

/** The postmaster of the cluster in `data` (first line of postmaster.pid) and its children. */
async function serverPids(data: string): Promise<number[]> {
  const { readFileSync } = await import('node:fs');
  const postmaster = Number(readFileSync(`${data}/postmaster.pid`, 'utf8').split('\n')[0]);
  const children = (await runCommand('ps', ['-o', 'pid=', '--ppid', String(postmaster)]).catch(() => ''))
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
  return [postmaster, ...children];
}
