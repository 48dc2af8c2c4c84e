/** Where a chat connection's `?after=<message_id>` starts it in the pair's timeline. */
import type { MessageChangeStore, MessageStore } from '../store/index.js';

/**
 * The `seq` after which `?after=<afterId>` resumes: just before the first entry of the pair's
 * timeline past that point — the first message after that id, or the first change after the
 * newest message up to it, whichever comes first — so that the changes made since (edits,
 * deletions, reactions: later `seq`s) are replayed too, and a hole the store cannot fill is
 * skipped as before. Nothing past it: `lastSeq`.
 */
export async function resumeFrom(
  store: { messages: Pick<MessageStore, 'history'>; changes: Pick<MessageChangeStore, 'after'> },
  pairId: number,
  afterId: number,
  lastSeq: number,
): Promise<number> {
  const [[at], [next]] = await Promise.all([
    store.messages.history(pairId, { before: afterId + 1, limit: 1 }).then((page) => page.messages),
    store.messages.history(pairId, { after: afterId, limit: 1 }).then((page) => page.messages),
  ]);
  // Without a message up to that id (retention took the oldest), changes before the first message left are not replayed.
  const [change] = at ? await store.changes.after(pairId, at.seq, 1) : [];
  const first = Math.min(next?.seq ?? Infinity, change?.seq ?? Infinity);
  return first === Infinity ? lastSeq : first - 1;
}
