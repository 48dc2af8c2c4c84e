/**
 * The password rules, in one place for the server (auth/password-policy.ts, which adds the
 * common-password list) and the registration form, which shows every rule up front and
 * checks each as the person types. Compared case-insensitively, after NFKC.
 */

/** Fewest code points a password may have. */
export const MIN_PASSWORD_LENGTH = 8;
// Shorter parts ("al", "Li") would refuse every password that happens to contain them.
const MIN_PART_LENGTH = 4;

export type PasswordRule = 'length' | 'common' | 'email' | 'name';

/** Every rule as the form lists it, and the sentence the server refuses with. */
export const PASSWORD_RULES: ReadonlyArray<{ rule: PasswordRule; shown: string; refusal: string }> = [
  { rule: 'length', shown: `At least ${MIN_PASSWORD_LENGTH} characters`, refusal: `The password must have at least ${MIN_PASSWORD_LENGTH} characters` },
  { rule: 'common', shown: 'Not one of the most common passwords', refusal: 'This password is one of the most common passwords, choose another' },
  { rule: 'email', shown: 'Does not contain your email address', refusal: 'The password must not contain the email address' },
  { rule: 'name', shown: 'Does not contain your first or last name', refusal: 'The password must not contain your name' },
];

/** What a password must not be built from: the account's email and names. */
export interface PasswordOwner {
  email: string;
  firstName?: string;
  lastName?: string;
}

export const foldPassword = (text: string): string => text.normalize('NFKC').toLowerCase();

/** The rules `password` breaks for `owner`, all but `common` (the list stays on the server), in PASSWORD_RULES order. */
export function brokenPasswordRules(password: string, owner: PasswordOwner): PasswordRule[] {
  const folded = foldPassword(password);
  const broken: PasswordRule[] = [];
  if ([...folded].length < MIN_PASSWORD_LENGTH) broken.push('length');
  const local = foldPassword(owner.email.split('@')[0] ?? '');
  if (local !== '' && (folded === local || (local.length >= MIN_PART_LENGTH && folded.includes(local)))) broken.push('email');
  for (const name of [owner.firstName, owner.lastName]) {
    const part = foldPassword(name?.trim() ?? '');
    if (part !== '' && (folded === part || ([...part].length >= MIN_PART_LENGTH && folded.includes(part)))) {
      broken.push('name');
      break;
    }
  }
  return broken;
}

/** The sentence a broken rule is refused with. */
export const refusalOf = (rule: PasswordRule): string => PASSWORD_RULES.find((entry) => entry.rule === rule)!.refusal;
