/**
 * The audit log written for people: one sentence per entry, with people's names ("Ada
 * Lovelace paused Mia Lee and Dana Okafor"), from the names `GET /api/audit` gives each entry;
 * the raw actor, target and detail stay one click away (see `auditFacts`).
 */
import type { AuditEntryView } from '../../src/client/index.js';

const count = (value: unknown, one: string, many: string): string => {
  const n = typeof value === 'number' ? value : 0;
  return `${n} ${n === 1 ? one : many}`;
};
const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Who acted, as a person reads it: their name, else the API key's, else the address as stored. */
function actorOf(entry: AuditEntryView): string {
  if (entry.names?.actor) return entry.names.actor;
  if (entry.actor.startsWith('api:')) return `The platform (API key “${entry.actor.slice(4)}”)`;
  return entry.actor;
}

/** The pair's two people, mentee first, by name; by email when the names are unknown. */
function pairOf(entry: AuditEntryView): string {
  const detail = record(entry.detail);
  const mentee = entry.names?.mentee ?? (text(detail.mentee) || 'a mentee');
  const mentor = entry.names?.mentor ?? (text(detail.mentor) || 'a mentor');
  return `${mentee} and ${mentor}`;
}

/** The user the entry is about: their name, else the email of its `user:` target. */
function userOf(entry: AuditEntryView): string {
  return entry.names?.user ?? (entry.target.startsWith('user:') ? entry.target.slice(5) : 'a user');
}

function importSentence(detail: Record<string, unknown>): string {
  const users = record(detail.users);
  const matches = record(detail.matches);
  const messages = record(detail.messages);
  const parts = [
    `${count(users.created, 'user', 'users')} created and ${users.updated ?? 0} updated`,
    `${count(matches.created, 'match', 'matches')} created`,
    `${count(messages.created, 'message', 'messages')} created`,
  ];
  const refused = typeof detail.refused === 'number' && detail.refused > 0 ? `; ${count(detail.refused, 'line was', 'lines were')} refused` : '';
  return `imported history: ${parts.join(', ')}${refused}`;
}

/** What the actor did, after their name. */
function deed(entry: AuditEntryView): string {
  const detail = record(entry.detail);
  switch (entry.action) {
    case 'match':
      return `matched ${entry.names?.mentee ?? (text(detail.mentee) || 'a mentee')} with ${entry.names?.mentor ?? (text(detail.mentor) || 'a mentor')}`;
    case 'unmatch':
      return `unmatched ${pairOf(entry)}${detail.replaced === true ? ' (to match the mentee with someone else)' : ''}`;
    case 'pause':
      return `paused ${pairOf(entry)}`;
    case 'resume':
      return `resumed ${pairOf(entry)}`;
    case 'view':
      return `opened the conversation of ${pairOf(entry)}`;
    case 'approve':
      return `approved a held message in the conversation of ${pairOf(entry)}`;
    case 'reject':
      return `rejected a held message in the conversation of ${pairOf(entry)}${text(detail.reason) ? `: “${text(detail.reason)}”` : ''}`;
    case 'report':
      return `reported a message in the conversation of ${pairOf(entry)}`;
    case 'resolve':
      return `resolved a report about the conversation of ${pairOf(entry)}${text(detail.note) ? `: “${text(detail.note)}”` : ''}`;
    case 'create_user':
      return `created ${userOf(entry)}${text(detail.role) ? ` as ${text(detail.role).toLowerCase() === 'admin' ? 'an admin' : `a ${text(detail.role).toLowerCase()}`}` : ''}`;
    case 'update_user':
      return text(detail.previous_role)
        ? `changed ${userOf(entry)} from ${text(detail.previous_role).toLowerCase()} to ${text(detail.role).toLowerCase()}`
        : `updated ${userOf(entry)}`;
    case 'export':
      return `downloaded everything Tandem keeps about ${userOf(entry)}`;
    case 'erase':
      return `erased ${userOf(entry)}`;
    case 'import':
      return importSentence(detail);
    case 'change_words':
      return `changed the word list (${count(Array.isArray(detail.add) ? detail.add.length : 0, 'phrase', 'phrases')} added, ${Array.isArray(detail.remove) ? detail.remove.length : 0} removed)`;
    case 'announce':
      return `made an announcement to ${text(detail.audience) === 'all' || !text(detail.audience) ? 'everyone' : `all ${text(detail.audience)}`}`;
    case 'retry_webhook':
      return `sent a failed webhook delivery again${text(detail.type) ? ` (${text(detail.type)})` : ''}`;
    case 'create_password_reset':
      return `made a password reset link for ${userOf(entry)}`;
    case 'password_reset':
      return 'set a new password with a reset link';
    default:
      return `did “${entry.action}” to ${entry.target}`;
  }
}

/** One sentence a person reads: "Ada Lovelace paused Mia Lee and Dana Okafor". */
export function auditSentence(entry: AuditEntryView): string {
  return `${actorOf(entry)} ${deed(entry)}`;
}

/** The raw entry, for whoever needs the ids: `name: value` pairs, objects as JSON (never "[object Object]"). */
export function auditFacts(entry: AuditEntryView): Array<[string, string]> {
  const shown = (value: unknown) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value));
  return [
    ['actor', entry.actor],
    ['action', entry.action],
    ['target', entry.target],
    ...Object.entries(entry.detail ?? {}).map(([key, value]): [string, string] => [key, shown(value)]),
  ];
}
