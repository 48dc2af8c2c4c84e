/**
 * Presence shared by every instance through Redis: one sorted set per user and room, one
 * member per connection, scored by when the entry expires. Each instance renews its own
 * entries, so the connections of an instance that died without saying so expire by
 * themselves. Join and leave run as Lua scripts, so two instances never both see "first".
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PresenceRegistry } from '../chat/presence.js';

/** How long an entry lives without renewal; instances renew every third of it. */
const ENTRY_TTL_MS = 30_000;

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

export class RedisPresence implements PresenceRegistry {
  /** key → this instance's members under it, renewed on a timer. */
  private readonly local = new Map<string, Set<string>>();
  private readonly renewal: NodeJS.Timeout;

  private constructor(private readonly redis: Redis, private readonly prefix: string) {
    this.renewal = setInterval(() => void this.renew(), ENTRY_TTL_MS / 3);
    this.renewal.unref();
  }

  static async open(config: { url: string; prefix: string }): Promise<RedisPresence> {
    const tag = randomBytes(4).toString('hex');
    const redis = new Redis(config.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 5000,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000),
      connectionName: `${config.prefix.replace(/[^!-~]/g, '_')}presence:${tag}`,
    });
    redis.on('error', () => {});
    await redis.connect();
    return new RedisPresence(redis, config.prefix);
  }

  async join(room: string, email: string, connectionId: string): Promise<boolean> {
    const key = this.key(room, email);
    let members = this.local.get(key);
    if (!members) this.local.set(key, (members = new Set()));
    members.add(connectionId);
    const now = Date.now();
    return (await this.redis.eval(JOIN, 1, key, now, now + ENTRY_TTL_MS, connectionId, ENTRY_TTL_MS)) === 1;
  }

  async leave(room: string, email: string, connectionId: string): Promise<boolean> {
    const key = this.key(room, email);
    const members = this.local.get(key);
    if (members?.delete(connectionId) && members.size === 0) this.local.delete(key);
    return (await this.redis.eval(LEAVE, 1, key, Date.now(), connectionId)) === 1;
  }

  async isOnline(room: string, email: string): Promise<boolean> {
    return (await this.redis.zcount(this.key(room, email), Date.now(), '+inf')) > 0;
  }

  async close(): Promise<void> {
    clearInterval(this.renewal);
    this.local.clear();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(room: string, email: string): string {
    return `${this.prefix}presence:${room}:${email}`;
  }

  /** Pushes this instance's entries' expiry forward; a failed renewal is retried next time. */
  private async renew(): Promise<void> {
    if (this.local.size === 0) return;
    const expiry = Date.now() + ENTRY_TTL_MS;
    const pipeline = this.redis.pipeline();
    for (const [key, members] of this.local) {
      for (const member of members) pipeline.zadd(key, 'XX', expiry, member);
      pipeline.pexpire(key, ENTRY_TTL_MS);
    }
    await pipeline.exec().catch(() => {});
  }
}
