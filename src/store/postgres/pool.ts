/**
 * PostgresStore's connections: a node-postgres `Pool` with deadlines on connecting and on
 * every statement, named (prepared) statements, and transactions that never put a
 * connection in doubt back into the pool.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { isPostgresUnavailable } from '../backend-errors.js';

/** What PostgresStore needs to connect. */
export interface PoolSettings {
  url: string;
  poolSize: number;
  /** Deadline of connecting and of each statement. */
  timeoutMs: number;
}

/** Where statements run: the pool (any connection) or one transaction's connection. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** The client-side deadline lets the server's `statement_timeout` (which keeps the connection) go first. */
const CLIENT_MARGIN_MS = 1000;
const IDLE_CLOSE_MS = 30_000;

const parseBigint = (text: string): number => Number(text);
/**
 * BIGINT (oid 20) as numbers: ids, `seq` and counts stay far below 2^53. These parsers
 * belong to Tandem's pools only; node-postgres's global ones are left alone.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 && format !== 'binary' ? parseBigint : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A pool of at most `poolSize` connections that waits at most `timeoutMs` for a connection or a statement. */
export function createPool({ url, poolSize, timeoutMs }: PoolSettings): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: TYPES,
    application_name: 'tandem',
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + CLIENT_MARGIN_MS,
    idleTimeoutMillis: IDLE_CLOSE_MS,
    keepAlive: true,
  });
  // An idle connection that the server dropped is already out of the pool; without a
  // listener the 'error' event would be thrown and end the process.
  pool.on('error', () => {});
  return pool;
}

const names = new Map<string, string>();

/**
 * `text` as a named statement: each connection prepares it on first use and then only binds
 * `values`. The name derives from the text, so one text always has one name.
 */
export function statement(text: string, values: unknown[] = []): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `tandem_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/** The rows of `text` run on `db` with `values`. */
export async function rowsOf<R extends pg.QueryResultRow>(db: Queryable, text: string, values: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(statement(text, values))).rows;
}

/**
 * Runs `body` in a transaction on one connection of `pool` and commits it. On an error the
 * transaction is rolled back; a connection that failed or timed out is closed instead of
 * being returned to the pool, since its state is unknown.
 */
export async function inTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A held connection that dies between statements emits 'error', which must not be thrown.
  const onError = () => (broken = true);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (broken || isPostgresUnavailable(error)) broken = true;
    else await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
