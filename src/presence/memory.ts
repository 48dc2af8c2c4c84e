/** Presence for one process: a set of connection ids per user and room. */
import type { PresenceRegistry } from './types.js';

/** PresenceRegistry in this process's memory; what it knows ends with the process. */
export class MemoryPresence implements PresenceRegistry {
  private readonly connections = new Map<string, Set<string>>();

  async join(room: string, userId: number, connectionId: string): Promise<boolean> {
    const key = `${room}:${userId}`;
    let ids = this.connections.get(key);
    if (!ids) this.connections.set(key, (ids = new Set()));
    ids.add(connectionId);
    return ids.size === 1;
  }

  async leave(room: string, userId: number, connectionId: string): Promise<boolean> {
    const key = `${room}:${userId}`;
    const ids = this.connections.get(key);
    if (!ids?.delete(connectionId)) return false;
    if (ids.size > 0) return false;
    this.connections.delete(key);
    return true;
  }

  async isOnline(room: string, userId: number): Promise<boolean> {
    return (this.connections.get(`${room}:${userId}`)?.size ?? 0) > 0;
  }

  async close(): Promise<void> {
    this.connections.clear();
  }
}
