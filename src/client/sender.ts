/**
 * Delivery of the outbox over a connection's current socket: in order, each message with its
 * `client_id`, at most `MAX_IN_FLIGHT` unacknowledged, and sent again — on a new socket,
 * after a retryable refusal, after a rate-limit refusal — until its echo arrives. The server
 * stores a retry with the same `client_id` once, so resending is always safe.
 */
import type { ChatMessageIn, ErrorOut } from '../protocol/frames.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { isPermanentRefusal } from './close-policy.js';
import type { Outbox } from './outbox.js';

/**
 * Messages sent but not yet echoed, at most: a long outbox written offline goes out in step
 * with the echoes, well inside the server's per-connection burst (60 frames by default).
 */
export const MAX_IN_FLIGHT = 16;

/** What the sender needs from its connection. */
export interface SenderDeps {
  outbox: Outbox;
  /** Sends a frame on the open socket; false when there is none. */
  transmit(frame: ChatMessageIn): boolean;
  /** The outbox changed (state of a message, or one acknowledged). */
  changed(): void;
  /** Messages waited `ackTimeoutMs` without an echo: the socket looks open but is dead. */
  dead(): void;
  backoff: BackoffOptions;
  ackTimeoutMs: number;
  random?: (() => number) | undefined;
}

/** Sends one connection's outbox; the connection tells it when sockets open and close. */
export class OutboxSender {
  /** `client_id`s sent on the current socket. */
  private sentHere = new Set<string>();
  private retryAttempt = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: SenderDeps) {}

  /** A new socket is open: everything unacknowledged goes out again, in order. */
  opened(): void {
    this.sentHere = new Set();
    this.flush();
  }

  /** The socket is gone: nothing is sent and no timer runs until `opened`. */
  stopped(): void {
    this.sentHere = new Set();
    clearTimeout(this.ackTimer);
    clearTimeout(this.retryTimer);
    this.ackTimer = this.retryTimer = undefined;
  }

  /** Sends what is waiting, as far as the window allows. */
  flush(): void {
    const { outbox } = this.deps;
    let changed = false;
    let inFlight = outbox.unsent.filter((item) => this.sentHere.has(item.client_id)).length;
    for (const item of outbox.unsent) {
      if (this.sentHere.has(item.client_id)) continue;
      if (inFlight >= MAX_IN_FLIGHT) break;
      const frame: ChatMessageIn = {
        type: 'chat_message',
        content: item.content,
        client_id: item.client_id,
        ...(item.attachments ? { attachments: [...item.attachments] } : {}),
      };
      if (item.reply_to !== undefined) frame.reply_to = item.reply_to;
      if (!this.deps.transmit(frame)) break;
      inFlight++;
      this.sentHere.add(item.client_id);
      if (item.state !== 'sent') {
        outbox.mark(item.client_id, 'sent');
        changed = true;
      }
    }
    if (changed) this.deps.changed();
    this.armAckTimer(false);
  }

  /** An own message came back with `clientId`: acknowledged. True when it was pending. */
  echoed(clientId: string): boolean {
    if (!this.deps.outbox.acknowledge(clientId)) return false;
    this.retryAttempt = 0;
    this.armAckTimer(true);
    this.deps.changed();
    this.flush(); // the window has room again
    return true;
  }

  /** An error frame for pending message `clientId`: failed for good, or queued to be sent again later. */
  refused(clientId: string, frame: ErrorOut): void {
    this.sentHere.delete(clientId);
    const permanent = isPermanentRefusal(frame);
    this.deps.outbox.mark(clientId, permanent ? 'failed' : 'queued', permanent ? frame.message : undefined);
    this.deps.changed();
    if (!permanent) this.retryLater();
  }

  /** A rate-limit refusal names no message: everything unacknowledged goes out again, after a delay. */
  slowDown(): void {
    this.sentHere.clear();
    this.armAckTimer(true);
    this.retryLater();
  }

  private retryLater(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.flush(), backoffDelay(this.retryAttempt++, this.deps.backoff, this.deps.random));
  }

  /** While a sent message waits, watches for the silence that means a dead socket; `restart` after progress. */
  private armAckTimer(restart: boolean): void {
    const waiting = this.deps.outbox.unsent.some((item) => this.sentHere.has(item.client_id));
    if (!waiting || restart) {
      clearTimeout(this.ackTimer);
      this.ackTimer = undefined;
    }
    if (!waiting || this.ackTimer !== undefined) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      this.deps.dead();
    }, this.deps.ackTimeoutMs);
  }
}
