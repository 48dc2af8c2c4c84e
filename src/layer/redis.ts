/**
 * The Redis channel layer, for many Tandem instances: Redis pub/sub over two connections per
 * process, one that publishes and one dedicated subscriber that every room of the process
 * shares. Redis pub/sub is at-most-once; what it loses while a connection is down is announced
 * through `onReconnect`, and receivers fill the gap from the store.
 */
import type { Redis } from 'ioredis';
import type { BroadcastEvent, ChannelEvent } from '../protocol/events.js';
import { closeRedisConnection, openRedisConnections, redisClientNames } from '../redis/connection.js';
import { SharedSubscriptions } from '../subscriptions/shared-subscriptions.js';
import type { ChannelLayer, Unsubscribe } from './types.js';

type RoomHandler = (event: ChannelEvent) => void;

/**
 * ChannelLayer over Redis pub/sub on channels `<prefix>room:<room>` and `<prefix>broadcast`.
 * Keeps reconnecting in the background; while a connection is down calls reject rather than
 * wait, and `onReconnect` tells when the subscriptions are live again.
 */
export class RedisLayer implements ChannelLayer {
  /**
   * One Redis subscription per room, shared by every local handler of it; keyed by Redis
   * channel, so an incoming message finds its room without a scan.
   */
  private readonly rooms: SharedSubscriptions<string, RoomHandler, unknown>;
  private readonly broadcastHandlers = new Set<(event: BroadcastEvent) => void>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly broadcastChannel: string;
  /** True while every room in `rooms` is subscribed on the current subscriber connection. */
  private subscribed = false;
  private readyCount = 0;
  private closed = false;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
    /** The names of this instance's two connections in Redis' CLIENT LIST. */
    readonly connectionNames: { readonly pub: string; readonly sub: string },
  ) {
    this.broadcastChannel = `${prefix}broadcast`;
    this.rooms = new SharedSubscriptions({
      create: () => ({ members: new Set<RoomHandler>() }),
      subscribe: (channel) => sub.subscribe(channel),
      // At once: the connection keeps the order of SUBSCRIBE and UNSUBSCRIBE, pending or not.
      unsubscribe: (channel) => this.unsubscribe(channel),
    });
    sub.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    sub.on('close', () => {
      this.subscribed = false;
    });
  }

  /**
   * Connects both connections (named `<prefix>pub:<tag>` and `<prefix>sub:<tag>` in CLIENT
   * LIST, the tag telling instances apart) and
   * subscribes the broadcast channel. Resolves once both are ready; rejects, leaving nothing
   * open, when Redis cannot be reached on the first attempt. Later outages are retried forever.
   */
  static async open(config: { url: string; prefix: string }): Promise<RedisLayer> {
    const connectionNames = redisClientNames(config.prefix, 'pub', 'sub');
    const [pub, sub] = await openRedisConnections(config.url, 'the Redis channel layer', [
      { name: connectionNames.pub },
      // The subscriber re-subscribes from `rooms` itself, see `resubscribe`.
      { name: connectionNames.sub, overrides: { autoResubscribe: false } },
    ]);
    const layer = new RedisLayer(pub, sub, config.prefix, connectionNames);
    try {
      await sub.subscribe(layer.broadcastChannel);
    } catch (error) {
      pub.disconnect();
      sub.disconnect();
      throw new Error(`cannot open the Redis channel layer: ${messageOf(error)}`, { cause: error });
    }
    layer.subscribed = true;
    // Registered after the first `ready`, so every later one is a reconnect.
    sub.on('ready', () => void layer.resubscribe());
    return layer;
  }

  /**
   * Encodes once and PUBLISHes. Rejects when Redis is unreachable or the connection drops
   * before Redis answered; the event may then be lost, never silently.
   */
  async publish(room: string, event: ChannelEvent): Promise<void> {
    await this.send(this.roomChannel(room), event);
  }

  /**
   * Resolves once Redis acknowledged the room's SUBSCRIBE, so events published afterwards are
   * delivered. Handlers of one room share one subscription; the last Unsubscribe of a room
   * UNSUBSCRIBEs. Rejects, registering nothing, while the subscriber connection is down.
   */
  async subscribe(room: string, onEvent: RoomHandler): Promise<Unsubscribe> {
    this.assertOpen();
    if (!this.subscribed) throw new Error('Redis channel layer: the subscriber connection is down');
    const channel = this.roomChannel(room);
    // A handler of its own, so that each Unsubscribe removes only what its subscribe added.
    const handler: RoomHandler = (event) => onEvent(event);
    try {
      await this.rooms.join(channel, handler);
    } catch (error) {
      throw new Error(`Redis channel layer: cannot subscribe to ${room}: ${messageOf(error)}`, { cause: error });
    }
    return () => this.rooms.leave(channel, handler);
  }

  /** Sends to the onBroadcast handlers of every instance, this one included. */
  async broadcast(event: BroadcastEvent): Promise<void> {
    await this.send(this.broadcastChannel, event);
  }

  /** Registers a handler for broadcasts; the returned function removes it. */
  onBroadcast(handler: (event: BroadcastEvent) => void): () => void {
    const wrapped = (event: BroadcastEvent) => handler(event);
    this.broadcastHandlers.add(wrapped);
    return () => this.broadcastHandlers.delete(wrapped);
  }

  /**
   * Calls `handler` each time the subscriber connection came back and every room that still
   * has handlers is subscribed again. Events published while it was down are lost: a receiver
   * that needs every one catches up from the store. The returned function removes the handler.
   */
  onReconnect(handler: () => void): () => void {
    const wrapped = () => handler();
    this.reconnectHandlers.add(wrapped);
    return () => this.reconnectHandlers.delete(wrapped);
  }

  isUp(): boolean {
    return !this.closed && this.subscribed && this.pub.status === 'ready';
  }

  /** Resolves when Redis answers a PING and the subscriber connection is subscribed. */
  async ping(): Promise<void> {
    this.assertOpen();
    if (!this.subscribed) throw new Error('Redis channel layer: the subscriber connection is down');
    try {
      await this.pub.ping();
    } catch (error) {
      throw new Error(`Redis channel layer: PING failed: ${messageOf(error)}`, { cause: error });
    }
  }

  /** Quits both connections; every later call but `close` rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribed = false;
    this.rooms.clear();
    this.broadcastHandlers.clear();
    this.reconnectHandlers.clear();
    await Promise.all([closeRedisConnection(this.pub), closeRedisConnection(this.sub)]);
  }

  private roomChannel(room: string): string {
    return `${this.prefix}room:${room}`;
  }

  private async send(channel: string, event: ChannelEvent | BroadcastEvent): Promise<void> {
    this.assertOpen();
    const encoded = JSON.stringify(event);
    try {
      await this.pub.publish(channel, encoded);
    } catch (error) {
      throw new Error(`Redis channel layer: PUBLISH failed: ${messageOf(error)}`, { cause: error });
    }
  }

  /** The room's last handler left. */
  private async unsubscribe(channel: string): Promise<void> {
    try {
      await this.sub.unsubscribe(channel);
    } catch {
      // Either the connection is down, and Redis forgot the subscription with it (`rooms` no
      // longer lists it, so it is not renewed), or Redis keeps a subscription nobody listens
      // to until the next reconnect; the handler is gone in both cases.
    }
  }

  /**
   * After a reconnect, subscribes every room `rooms` lists now. ioredis' own autoResubscribe
   * renews what Redis had acknowledged before the drop, without telling when it is done, and
   * also renews rooms whose UNSUBSCRIBE was lost with the connection.
   */
  private async resubscribe(): Promise<void> {
    const attempt = ++this.readyCount;
    try {
      await this.sub.subscribe(this.broadcastChannel, ...this.rooms.keys());
    } catch {
      // A connection that dropped again retries on its next `ready`; one that stays up
      // without its subscriptions is dropped so that it does.
      if (attempt === this.readyCount && !this.closed && this.sub.status === 'ready') this.sub.disconnect(true);
      return;
    }
    if (attempt !== this.readyCount || this.closed) return;
    this.subscribed = true;
    for (const handler of this.reconnectHandlers) isolate(handler, undefined);
  }

  private dispatch(channel: string, message: string): void {
    if (channel === this.broadcastChannel) {
      const event = decode(message) as BroadcastEvent | undefined;
      if (event) for (const handler of this.broadcastHandlers) isolate(handler, event);
      return;
    }
    const room = this.rooms.get(channel);
    if (!room) return;
    const event = decode(message) as ChannelEvent | undefined;
    if (event) for (const handler of room.members) isolate(handler, event);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('channel layer is closed');
  }
}

/** The event, or undefined for anything that is not a JSON object with a `kind`. */
function decode(message: string): { kind: string } | undefined {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string') {
      return value as { kind: string };
    }
  } catch {
    // Malformed input from the channel is dropped, never thrown into ioredis' parser.
  }
  return undefined;
}

/**
 * Calls one handler so that its exception reaches the process as an uncaught error, as it
 * would with the memory layer, without skipping the other handlers or unwinding into ioredis.
 */
function isolate<T>(handler: (value: T) => void, value: T): void {
  try {
    handler(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
