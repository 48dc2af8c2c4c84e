/**
 * The people an audit entry is about, by name, so that a page can say "Ada Lovelace paused
 * Mia Lee and Dana Okafor" without a request per entry: the actor, the user, and the pair's
 * mentor and mentee, found from the ids the store kept with each entry.
 */
import type { AuditEntry, Store, User } from '../store/index.js';

/** Full names, null where the entry names nobody of that kind (or an API key acted). */
export interface AuditNames {
  actor: string | null;
  user: string | null;
  mentor: string | null;
  mentee: string | null;
}

export const auditNamesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['actor', 'user', 'mentor', 'mentee'],
  description: 'The names of the people the entry is about ("First Last"): the actor, the user, the pair\'s mentor and mentee; null where none',
  properties: {
    actor: { type: ['string', 'null'] },
    user: { type: ['string', 'null'] },
    mentor: { type: ['string', 'null'] },
    mentee: { type: ['string', 'null'] },
  },
} as const;

const fullName = (user: User | undefined): string | null => (user === undefined ? null : `${user.firstName} ${user.lastName}`.trim());

/** The names of each entry's people, in the entries' order; one lookup per distinct pair, one for every user. */
export async function auditNames(store: Store, entries: readonly AuditEntry[]): Promise<AuditNames[]> {
  const pairIds = [...new Set(entries.flatMap((entry) => (entry.pairId === null ? [] : [entry.pairId])))];
  const pairs = new Map(
    (await Promise.all(pairIds.map((id) => store.matches.pairById(id)))).flatMap((pair) => (pair === null ? [] : [[pair.id, pair] as const])),
  );
  const userIds = new Set<number>();
  for (const entry of entries) {
    for (const id of [entry.actorId, entry.userId]) if (id !== null) userIds.add(id);
  }
  for (const pair of pairs.values()) userIds.add(pair.mentorId).add(pair.menteeId);
  const users = new Map((await store.accounts.byIds([...userIds])).map((user) => [user.id, user]));
  return entries.map((entry) => {
    const pair = entry.pairId === null ? undefined : pairs.get(entry.pairId);
    return {
      actor: entry.actorId === null ? null : fullName(users.get(entry.actorId)),
      user: entry.userId === null ? null : fullName(users.get(entry.userId)),
      mentor: pair === undefined ? null : fullName(users.get(pair.mentorId)),
      mentee: pair === undefined ? null : fullName(users.get(pair.menteeId)),
    };
  });
}
