/** What a connection's feed (message-feed.ts) is given and hands out. */
import type { TimelineEntry } from '../store/index.js';

/** Messages after `afterSeq` up to `untilSeq` that the store did not have, read twice. */
export interface Gap {
  afterSeq: number;
  untilSeq: number;
}

/** The pair's timeline after a `seq`: messages, notices and changes, which share one `seq` counter (see `timelineAfter`). */
export interface FeedSource {
  after(pairId: number, afterSeq: number, limit: number): Promise<TimelineEntry[]>;
}

/** The feed's only ways out: `send` for frames, `onFailure` (once) for a failed read; and the turns it is given (rule 3). */
export interface FeedDeps {
  /** Where missed messages are read from; the feed reads nothing else. */
  source: FeedSource;
  pairId: number;
  /** The outbound frame of a stored message, notice or change (`chat_message`, `notice`, `message_edited`…). */
  encode(entry: TimelineEntry): string;
  /** Writes a frame; `written` runs once the socket took it (backpressure for catching up). */
  send(frame: string, written?: () => void): void;
  /** A store read failed: the feed has stopped, the connection cannot be kept consistent. */
  onFailure(error: unknown): void;
  /** The store lacks messages this connection needs (see rule 1): the feed has stopped, counted. */
  onGap(gap: Gap): void;
  /** Messages per store read; `PAGE` unless set (tests use small pages). */
  pageSize?: number;
}

/** An inbound `chat_message`'s place in the output order, from the moment it is taken. */
export interface OwnMessage {
  /** Stored as `seq` and published: the slot ends once that message is delivered. */
  stored(seq: number): void;
  /** Answered by a frame of its own (a refusal): sent at its turn. */
  answer(frame: string): void;
  /**
   * A retry, stored earlier as `seq` (its encoded frame `frame`): answered at its turn by
   * that message, once and in `seq` order (see rule 2).
   */
  original(seq: number, frame: string): void;
  /** Needs no answer (a reaction already so): the slot ends at its turn, sending nothing. */
  nothing(): void;
}
