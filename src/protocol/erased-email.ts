/**
 * The address an erased account is renamed to, `deleted-<id>@deleted.invalid`, and the
 * domain it lives in, reserved: nobody may register, sync, import or sign in with an address
 * of `deleted.invalid` (or below it), so no account can take the address an erasure will
 * write (which would make that erasure fail on the unique email). One place for the form,
 * the check, and the SQL both engines use.
 */

/** The reserved domain; `.invalid` never resolves (RFC 2606). */
export const ERASED_DOMAIN = 'deleted.invalid';
const PREFIX = 'deleted-';

/** The address erasure gives the account `userId`. */
export function erasedEmailOf(userId: number): string {
  return `${PREFIX}${userId}@${ERASED_DOMAIN}`;
}

/** `erasedEmailOf`'s form, as a literal (lint:regex checks literals): PREFIX, digits, ERASED_DOMAIN. */
const ERASED = /^deleted-\d+@deleted\.invalid$/;

/** Whether `email` is an erased account's address (as erasure writes it). */
export function isErasedEmail(email: string): boolean {
  return ERASED.test(email);
}

/** SQL LIKE pattern of every address `erasedEmailOf` writes (no LIKE wildcard in the constants). */
export const ERASED_EMAIL_LIKE = `${PREFIX}%@${ERASED_DOMAIN}`;

/**
 * Why `email` may not be a user's address, or null: an address whose domain is
 * `deleted.invalid` or below it, in any case, with or without a trailing dot.
 */
export function reservedEmailProblem(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  let domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  while (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain === ERASED_DOMAIN || domain.endsWith(`.${ERASED_DOMAIN}`)) return `the domain ${ERASED_DOMAIN} is reserved for erased accounts`;
  return null;
}
