/**
 * What history adds to its messages from the store's changes (PROTOCOL.md Part 8): the
 * reactions on each, for everyone who may read the conversation, and the earlier versions of
 * each (the texts edits replaced, a deleted message's text while it is kept) for admins only.
 */
import type { HistoryMessage } from '../protocol/http.js';
import type { MessageChangeStore, User } from '../store/index.js';

/** Adds `reactions` (emoji → emails) to each of `views` that has any; `people` are the pair's two. */
export async function addReactions(changes: Pick<MessageChangeStore, 'reactions'>, views: HistoryMessage[], people: readonly User[]): Promise<void> {
  const byMessage = await changes.reactions(idsOf(views));
  if (byMessage.size === 0) return;
  const emailOf = new Map(people.map((user) => [user.id, user.email]));
  for (const view of views) {
    const reactions = byMessage.get(Number(view.message_id));
    if (!reactions) continue;
    view.reactions = Object.fromEntries([...reactions].map(([emoji, users]) => [emoji, users.map((id) => emailOf.get(id) ?? '')]));
  }
}

/** Adds `versions` (oldest first) to each of `views` that has any: for admins' eyes only. */
export async function addVersions(changes: Pick<MessageChangeStore, 'versions'>, views: HistoryMessage[]): Promise<void> {
  const byMessage = await changes.versions(idsOf(views));
  for (const view of views) {
    const versions = byMessage.get(Number(view.message_id));
    if (versions) view.versions = versions.map((v) => ({ content: v.content, cause: v.cause, replaced_at: v.replacedAt.toISOString() }));
  }
}

/** The message ids of `views` (notices included: they have none of either). */
const idsOf = (views: readonly HistoryMessage[]): number[] => views.filter((view) => view.kind === undefined).map((view) => Number(view.message_id));
