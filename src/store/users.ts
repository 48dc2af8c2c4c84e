/**
 * The Store's people: accounts (users, the platform's word about them, the admin's
 * directory) and sessions (sign-ins and the attempts counted against them).
 */
import { AppError } from '../errors.js';
import { parseEmail } from '../protocol/email.js';

export type Role = 'MENTOR' | 'MENTEE' | 'ADMIN';
export const ROLES: readonly Role[] = ['MENTOR', 'MENTEE', 'ADMIN'];

export interface User {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  createdAt: Date;
}

export interface NewUser {
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  role: Role;
}

/** A page of the admin's directory: filters, and where the previous page ended. */
export interface DirectoryQuery {
  role?: Role;
  /** `matched`: mentors and mentees with an active match; `unmatched`: those without (admins are neither). */
  status?: 'matched' | 'unmatched';
  /** Part of an email or of "First Last", case-insensitive. */
  search?: string;
  /** Users with a larger id only (the cursor of the previous page). */
  afterId?: number;
  limit: number;
}

/** A user of the directory with their current partners (a mentor's load is their number). */
export interface DirectoryEntry {
  user: User;
  partners: User[];
  /** When the user's most recent ended match ended: someone unmatched waits from then, not from registering. */
  lastEndedAt: Date | null;
}

export interface DirectoryPage {
  /** In id order (the order of registration). */
  entries: DirectoryEntry[];
  /** The cursor of the next page; null on the last. */
  nextAfterId: number | null;
}

/** A live session of a user, as their list of sign-ins shows it. */
export interface SessionRecord {
  /** The stored hash of the session token (never the token). */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Failed logins counted under one key (an account or a client address) in its current window. */
export interface LoginAttempts {
  key: string;
  count: number;
  /** When the key's current window started; it ends one window length later. */
  windowStartedAt: Date;
}

/**
 * Who the platform says a person is, in its own terms: a token's `iss` and `sub`, or the
 * proxy's `id`. Stored as given; an account holds at most one.
 */
export interface PlatformId {
  issuer: string;
  subject: string;
}

/** A user as a platform describes them (a token's claims, the proxy's answer, the server API, the import). */
export interface ExternalUser {
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  /** The platform's key for the person; absent when it names them by email only (server API, import). */
  platformId?: PlatformId | null;
}

/** What `AccountStore.upsert` did. */
export interface UpsertResult {
  user: User;
  /** The user did not exist before. */
  created: boolean;
  /** Something was written: created, or email, names, role, password or platform id changed. */
  changed: boolean;
  /**
   * The sessions revoked because the platform claimed an account that had a password (a
   * registration of the platform's address): their sockets must be closed.
   */
  revokedSessions: string[];
}

export interface AccountStore {
  /** Creates a user; rejects with `email_taken` when the email is in use. */
  create(user: NewUser): Promise<User>;
  byEmail(email: string): Promise<User | null>;
  /**
   * The platform's word about a user, in one transaction. The account is the one holding
   * `platformId` when given, else the one holding the email; none: it is created, with no
   * password (they cannot sign in with `local`), holding `platformId`. An existing account
   * takes the email, names and role, and becomes the platform's: a password it had is
   * cleared and its sessions revoked (`revokedSessions`) — an address registered locally is
   * never reachable with a password once the platform vouches for its owner. Rejects with
   * `identity_conflict` when the email is held by an account of another platform id (or,
   * for a known platform id, by any other account), and with `role_locked` when the role
   * would change while the user has an active match. Writes nothing when all is already so.
   * Concurrent calls for one person on any instance end in one user, exactly one of them
   * seeing `created`.
   */
  upsert(user: ExternalUser): Promise<UpsertResult>;
  /** The users of `ids` that exist, in no particular order. */
  byIds(ids: readonly number[]): Promise<User[]>;
  /** The user and their password hash, for login only. */
  credentials(email: string): Promise<{ user: User; passwordHash: string } | null>;
  /** Replaces the user's password hash if it is still `previous` (a rehash never undoes a change made meanwhile); true when replaced. */
  replacePasswordHash(userId: number, previous: string, next: string): Promise<boolean>;
  /** One page of users for the admin's directory, each with their current partners; two statements whatever the page size. */
  directory(query: DirectoryQuery): Promise<DirectoryPage>;
}

export interface SessionStore {
  create(tokenHash: string, userId: number, expiresAt: Date): Promise<void>;
  /** The user of a live session: known, not expired at `now`, not revoked. */
  userOf(tokenHash: string, now: Date): Promise<User | null>;
  /** Revokes a session; true when it was not revoked before. */
  revoke(tokenHash: string): Promise<boolean>;
  /** The user's live sessions (not expired at `now`, not revoked), newest first. */
  liveOf(userId: number, now: Date): Promise<SessionRecord[]>;
  /** Revokes every session of the user not revoked yet; resolves with their hashes. */
  revokeAllOf(userId: number): Promise<string[]>;
  /**
   * Counts one login attempt under each key and resolves with each key's count in its
   * current window. A key whose window started at or before `windowStart` starts a new
   * window at `now` with a count of 1. Windows that ended are forgotten. Atomic per key, so
   * concurrent attempts on any instance each get their own count. Keys are distinct.
   */
  countLoginAttempt(keys: readonly string[], now: Date, windowStart: Date): Promise<LoginAttempts[]>;
  /** Takes back one attempt counted under each key (the login succeeded); never below zero. */
  refundLoginAttempt(keys: readonly string[]): Promise<void>;
  /** Keeps the hash of a one-time password reset link's token for the user, valid until `expiresAt`. */
  createPasswordReset(tokenHash: string, userId: number, expiresAt: Date): Promise<void>;
  /** The user of a reset link still valid at `now` (known, unused, not expired); the link is not used up. */
  passwordResetUser(tokenHash: string, now: Date): Promise<number | null>;
  /**
   * Uses up a reset link: true when it was still valid at `now` and this call took it (of
   * concurrent calls on any instance, one), and then every other link of its user goes too.
   */
  usePasswordReset(tokenHash: string, now: Date): Promise<boolean>;
}

/** The stored password hash of a user who has none: no password verifies against it. */
export const NO_PASSWORD = '';

/**
 * The kept form of an email (see protocol/email.ts: NFC, lower-cased, nothing invisible);
 * rejects with `invalid_request` (naming `field`) for what is not an email address.
 */
export function normalizeEmail(email: string, field = 'email'): string {
  const verdict = parseEmail(email);
  if ('problem' in verdict) throw new AppError('invalid_request', `${field} ${verdict.problem}`);
  return verdict.email;
}

/** The counterpart role a user of `role` may chat with; null for admins. */
export function counterpartRole(role: Role): Role | null {
  if (role === 'MENTEE') return 'MENTOR';
  if (role === 'MENTOR') return 'MENTEE';
  return null;
}
