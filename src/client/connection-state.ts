/** What a `ChatConnection` reports: its state and its events. */
import type { ChangeOut, ErrorOut, HeldEchoOut, MessageStatusOut, NoticeOut, WireMessage } from '../protocol/frames.js';
import type { PendingMessage } from './outbox.js';

/** Where a connection stands. `ended` is final: `reason` is the `force_disconnect` reason or one named for the close code. */
export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  | { kind: 'waiting'; attempt: number; delayMs: number }
  | { kind: 'paused' }
  | { kind: 'ended'; reason: string; code: number };

/** A `read_receipt` as the client reports it. */
export interface ReadReceipt {
  /** Rows the partner marked read; null from a server without Part 2. */
  count: number | null;
  /** Newest message the partner marked read; null when unknown (then: everything sent so far). */
  lastReadId: string | null;
}

/** The events of a `ChatConnection`, by name, with their payloads. */
export interface ChatConnectionEvents extends Record<string, unknown> {
  state: ConnectionState;
  /** `connection_established`; `partnerOnline` is null from a server without presence; `paused`: the pair is paused now. */
  established: { partnerOnline: boolean | null; paused: boolean };
  /** `match_state`: an admin paused (true) or resumed (false) the pair. */
  paused: boolean;
  /** `read_state`: this user read the partner's messages, up to `lastReadId`, on another connection. */
  readElsewhere: string | null;
  /** Every stored message of the pair this connection receives, own echoes included, in `seq` order. */
  message: WireMessage;
  /** The outbox changed (a message queued, sent, acknowledged or refused). */
  outbox: readonly PendingMessage[];
  typing: boolean;
  read: ReadReceipt;
  presence: boolean;
  /** An error frame that is not about one of this connection's pending messages. */
  error: ErrorOut;
  /** One of this user's messages was held for review (policy `moderated`): stored, not delivered. */
  held: HeldEchoOut;
  /** An admin viewed the conversation (it takes its place in `seq` order like a message). */
  notice: NoticeOut;
  /** A decision on one of this user's held messages (or an edit of theirs held for review). */
  status: MessageStatusOut;
  /** An edit, deletion or reaction (PROTOCOL.md Part 8), once each, in `seq` order with the messages. */
  change: ChangeOut;
}
