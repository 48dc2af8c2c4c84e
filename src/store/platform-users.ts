/**
 * What both engines decide the same way when a platform describes a user (`AccountStore.upsert`):
 * which account the description is about, whether that is a conflict, and what changes.
 * The engines only read the rows (under their locks) and write what is decided here.
 */
import { AppError } from '../errors.js';
import { isErasedEmail, USER_COLUMNS, type UserRow } from './rows.js';
import { NO_PASSWORD, type ExternalUser } from './types.js';

/** A user row with what only this decision reads. */
export interface AccountRow extends UserRow {
  password_hash: string;
  platform_issuer: string | null;
  platform_subject: string | null;
}

export const ACCOUNT_COLUMNS = `${USER_COLUMNS}, password_hash, platform_issuer, platform_subject`;

/** What an accepted description changes on its account. */
export interface AccountChange {
  /** The account had a password: it is cleared, its sessions revoked. */
  claim: boolean;
  /** The role differs (refused while the user has an active match). */
  roleChanges: boolean;
}

/**
 * The account `user` describes, among the one holding its platform id and the one holding its
 * email (either may be absent); null when neither exists. `identity_conflict` when the email
 * is another person's: held by an account of another platform id, by an erased account, or,
 * for a known platform id, by any other account.
 */
export function accountOf(user: ExternalUser, byPlatformId: AccountRow | undefined, byEmail: AccountRow | undefined): AccountRow | null {
  if (byPlatformId) {
    if (byEmail && byEmail.id !== byPlatformId.id) throw conflict();
    return byPlatformId;
  }
  if (!byEmail) return null;
  // An erased account stays erased: its reserved address names nobody the platform can describe.
  if (isErasedEmail(byEmail.email) || (user.platformId && byEmail.platform_subject !== null)) throw conflict();
  return byEmail;
}

/** What `user` changes on `row`; null when all is already so. */
export function changeOf(row: AccountRow, user: ExternalUser): AccountChange | null {
  const claim = row.password_hash !== NO_PASSWORD;
  const binds = !!user.platformId && row.platform_subject === null;
  const roleChanges = row.role !== user.role;
  const same = row.email === user.email && row.first_name === user.firstName && row.last_name === user.lastName;
  return claim || binds || roleChanges || !same ? { claim, roleChanges } : null;
}

/** `role_locked`: a matched user keeps their role (a mentee whose role is MENTOR would stay matched). */
export function roleLocked(): AppError {
  return new AppError('role_locked');
}

function conflict(): AppError {
  return new AppError('identity_conflict');
}
