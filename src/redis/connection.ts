/**
 * How Tandem connects to Redis, for every part that does (the channel layer, presence): one
 * set of connection options, so that an outage looks the same to each of them — commands
 * reject at once instead of queueing, and the connection comes back by itself.
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

const CONNECTION: RedisOptions = {
  lazyConnect: true,
  // Reconnect forever in the background, backing off from 100 ms to at most 2 s.
  retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000),
  // While disconnected a command rejects at once instead of waiting in a queue that outlives
  // the outage, and commands in flight when the connection drops reject as it drops: the
  // caller learns now that its work may be lost.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  // A reply that never comes (half-open TCP) fails its command instead of hanging it.
  commandTimeout: 5000,
  // `disconnect` only meets connections that are dead or dying; the default 2 s grace timer
  // would hold the process open after a close during an outage.
  disconnectTimeout: 200,
};

/** One connection to open: its CLIENT LIST name and the options in which it differs. */
export interface RedisConnectionSpec {
  readonly name: string;
  readonly overrides?: RedisOptions;
}

/**
 * CLIENT LIST names `<prefix><role>:<tag>` for the connections of one instance, one per role,
 * sharing a random tag that tells this instance's connections from another's. Characters
 * Redis refuses in a client name (spaces, control characters) become `_`; the result is
 * stable for a prefix, so tests can find and kill the connections of a role by its start.
 */
export function redisClientNames<Role extends string>(prefix: string, ...roles: Role[]): Record<Role, string> {
  const name = prefix.replace(/[^!-~]/g, '_');
  const tag = randomBytes(4).toString('hex');
  return Object.fromEntries(roles.map((role) => [role, `${name}${role}:${tag}`])) as Record<Role, string>;
}

/**
 * Connects one client per spec, all or none: resolves once every one is ready; otherwise
 * disconnects them all and rejects with `cannot open <what>: <reason>`, the reason being the
 * first connection error seen. Later outages are retried forever in the background, and their
 * errors surface only as rejected commands, never as `error` events that would be printed.
 */
export async function openRedisConnections<Specs extends readonly RedisConnectionSpec[]>(
  url: string,
  what: string,
  specs: [...Specs],
): Promise<{ [K in keyof Specs]: Redis }> {
  const clients = specs.map((spec) => new Redis(url, { ...CONNECTION, ...spec.overrides, connectionName: spec.name }));
  // connect() rejects with a bare "Connection is closed"; the reason comes as an event.
  let reason: unknown;
  const remember = (error: unknown) => (reason ??= error);
  for (const client of clients) client.on('error', () => {}).on('error', remember);
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (error) {
    for (const client of clients) client.disconnect();
    const cause = reason ?? error;
    throw new Error(`cannot open ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  } finally {
    for (const client of clients) client.off('error', remember);
  }
  return clients as { [K in keyof Specs]: Redis };
}

/** Quits gracefully when connected; otherwise, or when that fails, drops the connection and any pending reconnect. */
export async function closeRedisConnection(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Falls through: the connection went away while quitting.
    }
  }
  // Also cancels a pending reconnect, which QUIT cannot do without a connection.
  client.disconnect();
}
