/**
 * The Store's moderation (PROTOCOL.md Part 7): the messages the filter held and the
 * decisions on them, and the coordinators' changes to the filter's word list.
 */
import type { AttachmentInfo } from './attachments.js';
import type { Message, NewMessage, Paged } from './message-types.js';

export type HeldStatus = 'held' | 'approved' | 'rejected';

/** A message the filter held: kept apart from the pair's messages until an admin approves it. */
export interface HeldMessage {
  id: number;
  pairId: number;
  senderId: number;
  content: string;
  clientId: string | null;
  createdAt: Date;
  status: HeldStatus;
  /** The filter rule that held it, and the text that matched. */
  rule: string;
  matched: string;
  /** The reason given with a rejection. */
  reason: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** The delivered message, once approved. */
  messageId: number | null;
  /** A held edit (PROTOCOL.md Part 8): the message whose new text this is; approving it edits that message (see `MessageChangeStore.approveEdit`). */
  editOf: number | null;
  /** The files sent with it (absent or empty: none). */
  attachments?: readonly AttachmentInfo[];
}

export interface NewHeldMessage extends NewMessage {
  rule: string;
  matched: string;
}

/**
 * What holding a message did: stored it held (`created`), found it held or decided before
 * (a retry of the same `clientId`), or found that the same `clientId` was delivered already.
 */
export type HoldResult = { held: HeldMessage; created: boolean } | { message: Message; created: false };

/**
 * A coordinator's change to the filter's word list, kept in the store so that every
 * instance applies the same list: each phrase (as its folded words) is either added or taken
 * off (a phrase of Tandem's safeguarding list or of MODERATION_WORDS_FILE). The last change of
 * a phrase wins.
 */
export interface WordListChange {
  /** The phrase as its folded words joined by one space: "Our  LITTLE secret" is "our little secret". */
  phrase: string;
  /** True: held by the filter; false: taken off the list. */
  listed: boolean;
  changedAt: Date;
}

export interface ModerationStore {
  /**
   * Stores a held message, after the same checks as `MessageStore.append` (the pair must be
   * active and the sender in it, else `not_matched`). Idempotent on `(pairId, senderId,
   * clientId)` across held and delivered messages alike. Takes no `seq`.
   */
  hold(message: NewHeldMessage): Promise<HoldResult>;
  heldById(id: number): Promise<HeldMessage | null>;
  /** The message the sender's `clientId` held in the pair (whatever became of it), or null. */
  heldByClientId(pairId: number, senderId: number, clientId: string): Promise<HeldMessage | null>;
  /** Held messages awaiting a decision, oldest first, after the held id `afterId`. */
  pending(limit: number, afterId?: number): Promise<Paged<HeldMessage>>;
  /**
   * Approves a held message: it enters the pair's messages with the pair's next `seq`, in
   * one transaction. Rejects with `not_found` unless it is held now (a second decision is
   * refused, and so is a held edit: see `MessageChangeStore.approveEdit`), `not_matched` when the pair has ended.
   */
  approve(id: number, actor: string): Promise<{ held: HeldMessage; message: Message }>;
  /** Rejects a held message with a reason; `not_found` unless it is held now. */
  reject(id: number, actor: string, reason: string): Promise<HeldMessage>;
  /** The sender's own held and rejected messages in the pair, created in `[from, to)` (open ends when null), oldest first. */
  ownUndelivered(pairId: number, senderId: number, from: Date | null, to: Date | null): Promise<HeldMessage[]>;
  /** Every change of the word list, oldest first. */
  wordListChanges(): Promise<WordListChange[]>;
  /** Lists each of `add` and takes off each of `remove`, in one transaction. */
  changeWordList(add: readonly string[], remove: readonly string[]): Promise<void>;
}
