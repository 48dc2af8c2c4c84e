/**
 * Presence shared by every instance through Redis: one sorted set per user and room, one
 * member per connection, scored by when the entry expires. Each instance renews its own
 * entries, so the connections of an instance that died without saying so expire by
 * themselves. Join and leave run as Lua scripts, so two instances never both see "first".
 */
import type { Redis } from 'ioredis';
import { closeRedisConnection, openRedisConnections, redisClientNames } from '../redis/connection.js';
import type { PresenceRegistry } from './types.js';

/** How long an entry lives without renewal, unless `open` is told otherwise. */
const DEFAULT_ENTRY_TTL_MS = 30_000;

const JOIN = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if added == 1 and redis.call('ZCARD', KEYS[1]) == 1 then return 1 end
return 0`;

const LEAVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local removed = redis.call('ZREM', KEYS[1], ARGV[2])
if removed == 1 and redis.call('ZCARD', KEYS[1]) == 0 then return 1 end
return 0`;

/**
 * PresenceRegistry over Redis keys `<prefix>presence:<room>:<userId>`, shared by every instance
 * with the same prefix. While Redis is unreachable every call rejects instead of waiting.
 */
export class RedisPresence implements PresenceRegistry {
  /** key → this instance's members under it, renewed on a timer. */
  private readonly local = new Map<string, Set<string>>();
  private readonly renewal: NodeJS.Timeout;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly entryTtlMs: number,
  ) {
    // Every third of the lifetime, so that one late or failed renewal does not expire anything.
    this.renewal = setInterval(() => void this.renew(), entryTtlMs / 3);
    this.renewal.unref();
  }

  /**
   * Connects (named `<prefix>presence:<tag>` in CLIENT LIST). `entryTtlMs` (default 30 s) is
   * how long the connections of an instance that stopped without leaving still count. Rejects,
   * leaving nothing open, when Redis cannot be reached on the first attempt.
   */
  static async open(config: { url: string; prefix: string; entryTtlMs?: number }): Promise<RedisPresence> {
    const { presence } = redisClientNames(config.prefix, 'presence');
    const [redis] = await openRedisConnections(config.url, 'Redis presence', [{ name: presence }]);
    return new RedisPresence(redis, config.prefix, config.entryTtlMs ?? DEFAULT_ENTRY_TTL_MS);
  }

  async join(room: string, userId: number, connectionId: string): Promise<boolean> {
    const key = this.key(room, userId);
    let members = this.local.get(key);
    if (!members) this.local.set(key, (members = new Set()));
    members.add(connectionId);
    const now = Date.now();
    return (await this.redis.eval(JOIN, 1, key, now, now + this.entryTtlMs, connectionId, this.entryTtlMs)) === 1;
  }

  async leave(room: string, userId: number, connectionId: string): Promise<boolean> {
    const key = this.key(room, userId);
    const members = this.local.get(key);
    if (members?.delete(connectionId) && members.size === 0) this.local.delete(key);
    return (await this.redis.eval(LEAVE, 1, key, Date.now(), connectionId)) === 1;
  }

  async isOnline(room: string, userId: number): Promise<boolean> {
    return (await this.redis.zcount(this.key(room, userId), Date.now(), '+inf')) > 0;
  }

  async close(): Promise<void> {
    clearInterval(this.renewal);
    this.local.clear();
    await closeRedisConnection(this.redis);
  }

  private key(room: string, userId: number): string {
    return `${this.prefix}presence:${room}:${userId}`;
  }

  /** Pushes this instance's entries' expiry forward; a failed renewal is retried next time. */
  private async renew(): Promise<void> {
    if (this.local.size === 0) return;
    const expiry = Date.now() + this.entryTtlMs;
    const pipeline = this.redis.pipeline();
    for (const [key, members] of this.local) {
      for (const member of members) pipeline.zadd(key, 'XX', expiry, member);
      pipeline.pexpire(key, this.entryTtlMs);
    }
    await pipeline.exec().catch(() => {});
  }
}
