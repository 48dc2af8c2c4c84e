/**
 * What a platform says about a user (a token's claims, the proxy's answer), checked once and
 * turned into Tandem's user: created on first sight, updated when the names or the role
 * changed, so a role change takes effect at the user's next request or handshake.
 */
import { reservedEmailProblem } from '../protocol/erased-email.js';
import { emailProblem, nameProblem } from '../protocol/text.js';
import { normalizeEmail, ROLES, type ExternalUser, type Role, type Store, type User } from '../store/index.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_EMAIL = 254;
const MAX_NAME = 150;

/**
 * The user `claims` describe, or null with the reason when they do not describe one: an
 * email (`email`, else `sub`), a role, and names (`given_name`/`family_name` or
 * `first_name`/`last_name`; absent names fall back to the email's local part and nothing).
 * `reserved`: the email is of the erased accounts' domain, which no one may sign in with.
 */
export function userOfClaims(claims: Record<string, unknown>): { user: ExternalUser } | { problem: string; reserved?: true } {
  const rawEmail = typeof claims.email === 'string' ? claims.email : claims.sub;
  if (typeof rawEmail !== 'string' || rawEmail.length > MAX_EMAIL || emailProblem(rawEmail) !== null || !EMAIL.test(rawEmail.trim())) {
    return { problem: 'no usable email (email or sub)' };
  }
  const email = normalizeEmail(rawEmail);
  const reserved = reservedEmailProblem(email);
  if (reserved !== null) return { problem: `email: ${reserved}`, reserved: true };
  const role = claims.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) return { problem: 'role must be MENTOR, MENTEE or ADMIN' };
  const first = nameClaim(claims.given_name ?? claims.first_name);
  const last = nameClaim(claims.family_name ?? claims.last_name);
  if (first === undefined || last === undefined) return { problem: 'a name is not a one-line visible text of at most 150 characters' };
  return { user: { email, role: role as Role, firstName: first || email.split('@')[0]!, lastName: last } };
}

/** A name claim trimmed; '' when absent; undefined when it cannot be a name. */
function nameClaim(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return '';
  return text.length <= MAX_NAME && nameProblem(text) === null ? text : undefined;
}

/** The stored user for `external`, created or brought up to date (one write at most, none when nothing changed). */
export async function syncUser(store: Pick<Store, 'upsertUser'>, external: ExternalUser): Promise<User> {
  return (await store.upsertUser(external)).user;
}
