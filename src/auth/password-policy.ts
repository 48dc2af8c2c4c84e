/**
 * Which passwords Tandem refuses, before any hashing: too short, one of the most common
 * passwords (src/auth/common-passwords.txt, made by scripts/common-passwords.mjs from
 * zxcvbn's frequency list), or the account's own email local part or name. Compared
 * case-insensitively, after the same NFKC normalisation the hash applies.
 */
import { readFileSync } from 'node:fs';

/** Fewest code points a password may have. */
export const MIN_PASSWORD_LENGTH = 8;
// Shorter parts ("al", "Li") would refuse every password that happens to contain them.
const MIN_PART_LENGTH = 4;

let common: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(new URL('../../../src/auth/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  return common;
}

/** What a password must not be built from: the account's email and names. */
export interface PasswordOwner {
  email: string;
  firstName?: string;
  lastName?: string;
}

const fold = (text: string): string => text.normalize('NFKC').toLowerCase();

/** Why `password` is refused for `owner`, as a sentence a person can act on; null when it is acceptable. */
export function passwordProblem(password: string, owner: PasswordOwner): string | null {
  const folded = fold(password);
  if ([...folded].length < MIN_PASSWORD_LENGTH) return `The password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (commonPasswords().has(folded)) return 'This password is one of the most common passwords, choose another';
  const local = fold(owner.email.split('@')[0] ?? '');
  if (folded === local || (local.length >= MIN_PART_LENGTH && folded.includes(local))) return 'The password must not contain the email address';
  for (const name of [owner.firstName, owner.lastName]) {
    const part = fold(name?.trim() ?? '');
    if (part !== '' && (folded === part || ([...part].length >= MIN_PART_LENGTH && folded.includes(part)))) return 'The password must not contain your name';
  }
  return null;
}
