/**
 * The in-process channel layer, for one Tandem instance. Events round-trip through JSON so
 * that code relying on anything JSON would drop fails here as it would on Redis.
 */
import type { BroadcastEvent, ChannelEvent } from '../protocol/events.js';
import type { ChannelLayer, Unsubscribe } from './types.js';

export class MemoryLayer implements ChannelLayer {
  private readonly rooms = new Map<string, Set<(event: ChannelEvent) => void>>();
  private readonly broadcastHandlers = new Set<(event: BroadcastEvent) => void>();
  private closed = false;

  async publish(room: string, event: ChannelEvent): Promise<void> {
    this.assertOpen();
    const encoded = JSON.stringify(event);
    const handlers = this.rooms.get(room);
    if (!handlers || handlers.size === 0) return;
    // Delivered after the publisher's turn, in publish order, as a broker would.
    queueMicrotask(() => deliver(handlers, encoded));
  }

  async subscribe(room: string, onEvent: (event: ChannelEvent) => void): Promise<Unsubscribe> {
    this.assertOpen();
    let handlers = this.rooms.get(room);
    if (!handlers) this.rooms.set(room, (handlers = new Set()));
    const handler = (event: ChannelEvent) => onEvent(event);
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.rooms.get(room) === handlers) this.rooms.delete(room);
    };
  }

  async broadcast(event: BroadcastEvent): Promise<void> {
    this.assertOpen();
    const encoded = JSON.stringify(event);
    queueMicrotask(() => deliver(this.broadcastHandlers, encoded));
  }

  onBroadcast(handler: (event: BroadcastEvent) => void): () => void {
    const wrapped = (event: BroadcastEvent) => handler(event);
    this.broadcastHandlers.add(wrapped);
    return () => this.broadcastHandlers.delete(wrapped);
  }

  /** One process never loses its layer: there is nothing to catch up on. */
  onReconnect(_handler: () => void): () => void {
    return () => {};
  }

  isUp(): boolean {
    return !this.closed;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.rooms.clear();
    this.broadcastHandlers.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('channel layer is closed');
  }
}

/** Each handler gets its own decoded copy; one that throws does not starve the others. */
function deliver<T>(handlers: Iterable<(event: T) => void>, encoded: string): void {
  for (const handler of handlers) {
    try {
      handler(JSON.parse(encoded) as T);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
