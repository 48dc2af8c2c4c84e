/**
 * Where the bench's Tandem instances keep their state: a throw-away SQLite file for one
 * instance, or a fresh PostgreSQL database plus a fresh Redis prefix that several instances
 * share. Each run gets names of its own, so runs never see each other's data, and `release`
 * removes what was created, whether the run succeeded or not. Redis needs no cleanup:
 * pub/sub keeps no keys, and a fresh prefix keeps concurrent runs apart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The two storage set-ups the bench can run Tandem on. */
export type BackendKind = 'sqlite' | 'postgres';

/** Settings shared by every instance of a run, and how to remove what they were given. */
export interface Backend {
  readonly kind: BackendKind;
  /** Environment for each Tandem child; overrides whatever the shell has set. */
  readonly env: Readonly<Record<string, string>>;
  /** Where the data lives, for progress lines. */
  readonly description: string;
  /** Settles once the storage exists and every service answered; instances start after it. */
  readonly ready: Promise<void>;
  /** Waits for `ready` to settle, then deletes whatever it created; safe to call twice. */
  release(): Promise<void>;
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** A backend that cannot be reached should fail the run in seconds, not at the run's deadline. */
const CONNECT_TIMEOUT_S = 5;

/**
 * Names the storage of `kind` and starts creating it. Returns at once, so that the caller
 * can register `release` before anything exists: a run stopped half-way still cleans up.
 * PostgreSQL is reached through env `BENCH_DATABASE_URL` (an account allowed to create
 * databases) and Redis through `BENCH_REDIS_URL`; both default to the local services.
 */
export function openBackend(kind: BackendKind): Backend {
  return kind === 'sqlite' ? openSqlite() : openPostgres();
}

/**
 * The ceilings' storage: for the durable relay a throw-away SQLite file (env RELAY_DATABASE,
 * see relay.ts), for the bare relay nothing at all.
 */
export function openRelayStorage(durable: boolean): Backend & { databasePath: string | null } {
  if (!durable) return { kind: 'sqlite', env: {}, description: 'nothing stored', databasePath: null, ready: Promise.resolve(), release: async () => {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-relay-'));
  const databasePath = join(dataDir, 'relay.db');
  return {
    kind: 'sqlite',
    env: { RELAY_DATABASE: databasePath },
    description: `SQLite in ${dataDir}`,
    databasePath,
    ready: Promise.resolve(),
    release: () => rm(dataDir, { recursive: true, force: true }),
  };
}

function openSqlite(): Backend {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  return {
    kind: 'sqlite',
    // The embedded single-process server is measured whatever the shell has set.
    env: { DATABASE_URL: `sqlite:${join(dataDir, 'bench.db')}`, REDIS_URL: '' },
    description: `SQLite in ${dataDir}`,
    ready: Promise.resolve(),
    release: () => rm(dataDir, { recursive: true, force: true }),
  };
}

function openPostgres(): Backend {
  const adminUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.BENCH_REDIS_URL || DEFAULT_REDIS_URL;
  const tag = randomBytes(6).toString('hex');
  const database = `tandem_bench_${tag}`;
  const prefix = `tandem-bench-${tag}:`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${database}`;
  let created = false;
  const ready = (async () => {
    // Redis first: it keeps nothing of ours, so failing here leaves nothing behind.
    await pingRedis(redisUrl);
    // The name is ours and hex only, so quoting it is enough; identifiers cannot be parameters.
    await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
    created = true;
  })();
  ready.catch(() => {}); // the caller awaits it; release must not crash the bench when nobody did
  let released: Promise<void> | undefined;
  const drop = async () => {
    // A CREATE still in flight would otherwise land after the DROP and leave the database behind.
    await ready.catch(() => {});
    if (!created) return;
    // FORCE ends sessions a killed instance may have left behind, which would block the drop.
    await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  };
  return {
    kind: 'postgres',
    env: { DATABASE_URL: databaseUrl.href, REDIS_URL: redisUrl, REDIS_PREFIX: prefix },
    description: `PostgreSQL database ${database} at ${databaseUrl.host}, Redis prefix ${prefix} at ${new URL(redisUrl).host}`,
    ready,
    release: () => (released ??= drop()),
  };
}

/** Runs `work` on a one-connection client of the admin database and always disconnects. */
async function withAdmin(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_S * 1000 });
  client.on('error', () => {}); // a dropped connection fails the pending query, which reports it
  try {
    await client.connect();
    await work(client);
  } catch (error) {
    throw new Error(`PostgreSQL at ${new URL(url).host}: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

/** Fails fast with a plain message when Redis cannot be reached, instead of N start-up failures. */
async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_S * 1000,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let reason: unknown;
  redis.on('error', (error: unknown) => (reason ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis at ${new URL(url).host}: ${((reason ?? error) as Error).message}`, { cause: reason ?? error });
  } finally {
    redis.disconnect();
  }
}
