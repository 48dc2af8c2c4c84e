/**
 * The channel layer: how an event published in a room reaches every Tandem instance with a
 * connection in that room. Memory for one process, Redis pub/sub for many; both kept to the
 * contract suite in test/contract/layer.ts.
 *
 * Contract: `subscribe` resolves once the subscription is live, so an event published after
 * it resolves is delivered. Delivery includes the publishing instance. Events of one room
 * published by one instance arrive in publish order. Delivery is at-most-once: a receiver
 * that needs every message (chat) fills gaps from the store by `seq`, and catches up after
 * `onReconnect`. While the backend is unreachable, `publish`, `subscribe` and `ping` reject
 * instead of waiting. A handler may run before `subscribe` resolves; handlers must not
 * modify the events they receive, and one handler throwing does not keep the event from the
 * others.
 */
import type { BroadcastEvent, ChannelEvent } from '../protocol/events.js';

export type Unsubscribe = () => Promise<void>;

export interface ChannelLayer {
  publish(room: string, event: ChannelEvent): Promise<void>;
  subscribe(room: string, onEvent: (event: ChannelEvent) => void): Promise<Unsubscribe>;
  /** Sends to every instance (session revocation). */
  broadcast(event: BroadcastEvent): Promise<void>;
  onBroadcast(handler: (event: BroadcastEvent) => void): () => void;
  /**
   * Called after the layer lost its connection and has every subscription live again:
   * events published in between may be lost, so receivers catch up from the store.
   */
  onReconnect(handler: () => void): () => void;
  /** Resolves when the layer can carry events now. */
  ping(): Promise<void>;
  /**
   * False while the layer knows it cannot carry events (a connection is down). Checked
   * before a message is stored, so that a client is told to retry instead of getting an
   * acknowledgement its partner cannot receive yet.
   */
  isUp(): boolean;
  close(): Promise<void>;
}
