/**
 * Which passwords Tandem refuses, before any hashing: the rules of protocol/password-rules.ts
 * (the registration form shows and checks the same ones), and one of the most common
 * passwords (src/auth/common-passwords.txt, made by scripts/common-passwords.mjs from
 * zxcvbn's frequency list), a list that stays on the server.
 */
import { readFileSync } from 'node:fs';
import { brokenPasswordRules, foldPassword, refusalOf, type PasswordOwner } from '../protocol/password-rules.js';

export { MIN_PASSWORD_LENGTH, type PasswordOwner } from '../protocol/password-rules.js';

let common: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(new URL('../../../src/auth/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  return common;
}

/** Why `password` is refused for `owner`, as a sentence a person can act on; null when it is acceptable. */
export function passwordProblem(password: string, owner: PasswordOwner): string | null {
  const broken = brokenPasswordRules(password, owner);
  if (broken[0] === 'length') return refusalOf('length');
  if (commonPasswords().has(foldPassword(password))) return refusalOf('common');
  return broken[0] === undefined ? null : refusalOf(broken[0]);
}
