/**
 * The Store's search of a conversation (PROTOCOL.md Part 8): full text, stemmed, accent- and
 * case-insensitive, over the pair's delivered, searchable messages. The index is kept in
 * step in the storing transaction (held messages enter it when approved; a deleted or erased
 * message leaves it).
 */
import type { Message } from './message-types.js';

/** A found message and its text with the matched words between the two marks. */
export interface SearchHit {
  message: Message;
  /** `content` with each matched word between `HIGHLIGHT_START` and `HIGHLIGHT_END`. */
  marked: string;
}

/** Control characters that message text can never hold (see protocol/text.ts), so they cannot be forged. */
export { MARK_END as HIGHLIGHT_END, MARK_START as HIGHLIGHT_START } from '../protocol/search-query.js';

export interface SearchStore {
  /**
   * The pair's messages matching every one of `terms` (words of letters and digits, as
   * protocol/search-query.ts takes them from the user: never query syntax), newest first,
   * at most `limit`, with an id below `beforeId` when given.
   */
  find(pairId: number, terms: readonly string[], limit: number, beforeId?: number): Promise<SearchHit[]>;
  /**
   * Takes a message out of search (and its files away) for good — what deleting a message
   * does; its text stays for admins. Resolves with whether it was in the pair's messages.
   */
  forgetMessage(messageId: number): Promise<boolean>;
}
