/**
 * The Store's changes to messages (PROTOCOL.md Part 8): edits, deletions and reactions. Each
 * change takes a place in its pair's timeline — the pair's next `seq`, from the counter that
 * messages and notices take theirs from — so that it reaches every connection once and in
 * order by the path messages take (live, gap fill, resume, the delivery check). What a change
 * replaced is kept for admins (`versions`) until retention erases it.
 */
import type { Message } from './message-types.js';
import type { HeldMessage } from './moderation.js';

export type ChangeKind = 'edit' | 'delete' | 'react' | 'unreact';

/** One change in a pair's timeline. */
export interface MessageChange {
  id: number;
  pairId: number;
  seq: number;
  kind: ChangeKind;
  /** The message changed. */
  messageId: number;
  /** Who changed it: the sender (edit, delete) or the user reacting. */
  actorId: number;
  /** An edit's new text (empty once the message is deleted or erased), a reaction's emoji, empty for a deletion. */
  content: string;
  createdAt: Date;
}

/** A message or a change: what a connection's feed delivers, by `seq`. */
export type TimelineEntry = Message | MessageChange;

/** True for a change, false for a message or a notice. */
export const isChange = (entry: TimelineEntry): entry is MessageChange => 'messageId' in entry;

/** A text the message had before an edit or a deletion replaced it, for admins. */
export interface MessageVersion {
  messageId: number;
  content: string;
  cause: 'edit' | 'delete';
  replacedAt: Date;
}

export interface EditInput {
  pairId: number;
  messageId: number;
  /** Only the message's sender may edit it. */
  actorId: number;
  content: string;
  /** How long after sending a message may be edited, in milliseconds. */
  windowMs: number;
}

export interface DeleteInput {
  pairId: number;
  messageId: number;
  actorId: number;
  /** False (`DELETED_RETENTION_DAYS=0`): the content and its earlier versions are erased at once, not kept for review. */
  keep: boolean;
}

export interface ReactInput {
  pairId: number;
  messageId: number;
  actorId: number;
  emoji: string;
  on: boolean;
}

/** A stored edit or deletion: the change, and the message as it is now. */
export interface ChangeResult {
  change: MessageChange;
  message: Message;
}

/**
 * Why a change is refused, checked in its storing transaction in this order:
 * `not_matched` (the pair is not active or the actor not in it), `match_paused`,
 * `message_not_found` (no message of this pair has that id; a notice is none),
 * `not_own_message` (an edit or deletion of the partner's message), `message_deleted` (it is deleted
 * already; reactions too), `edit_window_passed` (an edit after the window).
 */
export interface MessageChangeStore {
  /** Replaces the content of one's own message, keeping the old text as a version; the change takes the pair's next `seq`. */
  edit(input: EditInput): Promise<ChangeResult>;
  /** Empties one's own message (its text kept as a version unless `keep` is false); the change takes the pair's next `seq`. The message counts as read from then on. */
  delete(input: DeleteInput): Promise<ChangeResult>;
  /**
   * Holds an edit the filter matched (policy `moderated`): after the checks of `edit`, it is
   * stored as a held message whose `editOf` is the message; the message keeps its text.
   */
  holdEdit(input: EditInput & { rule: string; matched: string }): Promise<HeldMessage>;
  /**
   * Approves a held edit: the message gets its text as `edit` gives it (no window: it was
   * asked for within it), with the pair's next `seq`. `not_found` unless it is a held edit
   * awaiting a decision; `not_matched` when the pair has ended; `message_deleted`.
   */
  approveEdit(heldId: number, actor: string): Promise<ChangeResult & { held: HeldMessage }>;
  /** Sets or clears one reaction; null when it already was as asked (nothing stored, no `seq` taken). */
  react(input: ReactInput): Promise<MessageChange | null>;
  /** Up to `limit` changes of the pair with `seq > afterSeq`, oldest first. */
  after(pairId: number, afterSeq: number, limit: number): Promise<MessageChange[]>;
  /** The reactions on each of `messageIds`: emoji → the ids of the users who reacted, in the order they did. */
  reactions(messageIds: readonly number[]): Promise<Map<number, Map<string, number[]>>>;
  /** The earlier texts of each of `messageIds`, oldest first (for admins only). */
  versions(messageIds: readonly number[]): Promise<Map<number, MessageVersion[]>>;
  /** Erases the kept text of messages deleted before `cutoff`, except those under an open report; resolves with how many messages it cleared. */
  eraseDeletedBefore(cutoff: Date): Promise<number>;
}

/** Reads a pair's timeline after `afterSeq`: its messages and its changes, merged by `seq`, at most `limit`. */
export async function timelineAfter(
  messages: { after(pairId: number, afterSeq: number, limit: number): Promise<Message[]> },
  changes: Pick<MessageChangeStore, 'after'>,
  pairId: number,
  afterSeq: number,
  limit: number,
): Promise<TimelineEntry[]> {
  const [stored, changed] = await Promise.all([messages.after(pairId, afterSeq, limit), changes.after(pairId, afterSeq, limit)]);
  // Each list holds its first `limit` after `afterSeq`, so the merge's first `limit` are the timeline's.
  const merged: TimelineEntry[] = [...stored, ...changed].sort((a, b) => a.seq - b.seq);
  return merged.slice(0, limit);
}
