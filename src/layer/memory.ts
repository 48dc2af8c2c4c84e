/**
 * The in-process channel layer, for one Tandem instance. Every handler gets the published
 * event itself, deeply frozen: a publisher or handler that modifies an event after a publish
 * that reached a handler throws here, as its change would be lost on Redis (an event for a
 * room without local handlers is dropped as it is, unfrozen: nothing would see it anyway). The event types (protocol/)
 * have only what JSON carries, so nothing else tells the two apart; the cluster suites run
 * the same cases over Redis. No JSON round trip: the hub's encode is the message's only one.
 */
import type { BroadcastEvent, ChannelEvent } from '../protocol/events.js';
import type { ChannelLayer, Unsubscribe } from './types.js';

export class MemoryLayer implements ChannelLayer {
  private readonly rooms = new Map<string, Set<(event: ChannelEvent) => void>>();
  private readonly broadcastHandlers = new Set<(event: BroadcastEvent) => void>();
  private closed = false;

  async publish(room: string, event: ChannelEvent): Promise<void> {
    this.assertOpen();
    const handlers = this.rooms.get(room);
    if (!handlers || handlers.size === 0) return;
    const frozen = deepFreeze(event);
    // Delivered after the publisher's turn, in publish order, as a broker would.
    queueMicrotask(() => deliver(handlers, frozen));
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
    const frozen = deepFreeze(event);
    queueMicrotask(() => deliver(this.broadcastHandlers, frozen));
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

/** The event and every object in it made read-only; events are small trees of plain objects. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const field of Object.values(value)) deepFreeze(field);
  return Object.freeze(value);
}

/** Every handler gets the same frozen event; one that throws does not starve the others. */
function deliver<T>(handlers: Iterable<(event: T) => void>, event: T): void {
  for (const handler of handlers) {
    try {
      handler(event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
