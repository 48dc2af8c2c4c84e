/**
 * Who is connected to which pair, across every instance. A user is online in a room while
 * at least one of their connections is; `join` says whether a connection is the user's
 * first there and `leave` whether it was the last, so presence frames go out exactly on
 * those edges and a second tab opening or closing never flaps the partner's view.
 */
import type { LayerConfig } from '../config.js';

export interface PresenceRegistry {
  /** Registers a connection; resolves true when it is the user's first in the room. */
  join(room: string, email: string, connectionId: string): Promise<boolean>;
  /** Removes a connection; resolves true when it was the user's last in the room. */
  leave(room: string, email: string, connectionId: string): Promise<boolean>;
  isOnline(room: string, email: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Presence for one process. */
export class MemoryPresence implements PresenceRegistry {
  private readonly connections = new Map<string, Set<string>>();

  async join(room: string, email: string, connectionId: string): Promise<boolean> {
    const key = `${room}\n${email}`;
    let ids = this.connections.get(key);
    if (!ids) this.connections.set(key, (ids = new Set()));
    ids.add(connectionId);
    return ids.size === 1;
  }

  async leave(room: string, email: string, connectionId: string): Promise<boolean> {
    const key = `${room}\n${email}`;
    const ids = this.connections.get(key);
    if (!ids?.delete(connectionId)) return false;
    if (ids.size > 0) return false;
    this.connections.delete(key);
    return true;
  }

  async isOnline(room: string, email: string): Promise<boolean> {
    return (this.connections.get(`${room}\n${email}`)?.size ?? 0) > 0;
  }

  async close(): Promise<void> {
    this.connections.clear();
  }
}

/** Opens the registry that matches the channel layer: memory alone, Redis for many instances. */
export async function openPresence(config: LayerConfig): Promise<PresenceRegistry> {
  if (config.kind === 'memory') return new MemoryPresence();
  const { RedisPresence } = await import('../layer/redis-presence.js');
  return RedisPresence.open(config);
}
