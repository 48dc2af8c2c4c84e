/**
 * What a platform says about a user (a token's claims, the proxy's answer), checked once and
 * turned into Tandem's user: found by the platform's key for the person (a token's `iss` and
 * `sub`, the proxy's `id`), created on first sight, updated when the email, the names or the
 * role changed, so a role change takes effect at the user's next request or handshake.
 */
import { AppError, isAppError } from '../errors.js';
import { parseEmail } from '../protocol/email.js';
import { reservedEmailProblem } from '../protocol/erased-email.js';
import { nameProblem } from '../protocol/text.js';
import { ROLES, type ExternalUser, type Role, type User } from '../store/index.js';
import type { IdentityDeps } from './identity.js';

const MAX_NAME = 150;
const MAX_SUBJECT = 255;
// An opaque id is stored as given; only what no database can keep, or a log line could hide, is refused.
const UNSTORABLE = /[\p{Cc}\p{Cs}]/u;

/**
 * The user `claims` describe, or null with the reason when they do not describe one: an
 * email (`email`, else `sub` / `id`), the platform's key for the person (`issuer` and the
 * `subjectClaim`, or the email as the platform wrote it when that claim is absent), a role,
 * and names (`given_name`/`family_name` or `first_name`/`last_name`; absent names fall back
 * to the email's local part and nothing). `reserved`: the email is of the erased accounts'
 * domain, which no one may sign in with.
 */
export function userOfClaims(
  claims: Record<string, unknown>,
  issuer: string,
  subjectClaim: 'sub' | 'id',
): { user: ExternalUser } | { problem: string; reserved?: true } {
  const subjectValue = claims[subjectClaim];
  const rawEmail = typeof claims.email === 'string' ? claims.email : subjectValue;
  const parsed = parseEmail(rawEmail);
  if ('problem' in parsed) return { problem: `no usable email (email or ${subjectClaim}): ${parsed.problem}` };
  const subject = typeof subjectValue === 'number' && Number.isSafeInteger(subjectValue) ? String(subjectValue) : (subjectValue ?? rawEmail);
  if (typeof subject !== 'string' || subject === '' || subject.length > MAX_SUBJECT || UNSTORABLE.test(subject)) {
    return { problem: `${subjectClaim} must be a string of 1 to ${MAX_SUBJECT} characters, without control characters` };
  }
  const { email } = parsed;
  const reserved = reservedEmailProblem(email);
  if (reserved !== null) return { problem: `email: ${reserved}`, reserved: true };
  const role = claims.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) return { problem: 'role must be MENTOR, MENTEE or ADMIN' };
  const first = nameClaim(claims.given_name ?? claims.first_name);
  const last = nameClaim(claims.family_name ?? claims.last_name);
  if (first === undefined || last === undefined) return { problem: 'a name is not a one-line visible text of at most 150 characters' };
  return { user: { email, role: role as Role, firstName: first || fallbackName(email), lastName: last, platformId: { issuer, subject } } };
}

/**
 * The first name of a user the claims name without one: the email's local part, held to the
 * rules of a name (at most 150 characters, visible, one line); '' when it cannot be one.
 */
function fallbackName(email: string): string {
  const chars = Array.from(email.slice(0, email.lastIndexOf('@')));
  let local = chars.slice(0, MAX_NAME).join('');
  // MAX_NAME counts UTF-16 units, as the names of claims are counted: whole characters are dropped.
  while (local.length > MAX_NAME) local = Array.from(local).slice(0, -1).join('');
  local = local.trim();
  return local !== '' && nameProblem(local) === null ? local : '';
}

/** A name claim trimmed; '' when absent; undefined when it cannot be a name. */
function nameClaim(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return '';
  return text.length <= MAX_NAME && nameProblem(text) === null ? text : undefined;
}

/**
 * The stored user for `external`, created or brought up to date (one write at most, none when
 * nothing changed). A refusal of the store (`identity_conflict`: the email is another
 * person's; `role_locked`: a matched user's role would change) is told to the operator and
 * rejects, so the request gets it (HTTP 409; a socket closes 4001). Sessions of a password
 * account the platform just claimed are revoked; their sockets are closed through `deps`.
 */
export async function syncUser(deps: Pick<IdentityDeps, 'store' | 'onProblem' | 'onSessionsRevoked'>, external: ExternalUser): Promise<User> {
  try {
    const result = await deps.store.accounts.upsert(external);
    if (result.revokedSessions.length > 0) {
      deps.onProblem('the platform claimed an account that had a password: its password is cleared, its sessions revoked', { userId: result.user.id });
      deps.onSessionsRevoked?.(result.revokedSessions);
    }
    return result.user;
  } catch (error) {
    if (isAppError(error) && isSignInRefusal(error))
      deps.onProblem('a platform identity was refused', { reason: error.code, issuer: external.platformId?.issuer });
    throw error;
  }
}

/** A sign-in the platform vouched for but Tandem refuses: the socket closes 4001, like any refusal. */
export function isSignInRefusal(error: unknown): error is AppError {
  return error instanceof AppError && (error.code === 'identity_conflict' || error.code === 'role_locked');
}
