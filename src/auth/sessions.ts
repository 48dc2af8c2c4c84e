/**
 * Session tokens: 256 random bits, given to the browser only as an HttpOnly cookie and
 * stored only as their SHA-256, so a leaked database does not leak live sessions.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parse, serialize } from 'cookie';
import type { SessionStore, User } from '../store/index.js';

export const SESSION_COOKIE = 'sessionid';

/** A fresh session token (base64url, 43 characters). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Reads one cookie from a Cookie header (the first of that name); `undefined` when absent or malformed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const value = parse(header, { decode: decodeValue })[name];
  return value === MALFORMED ? undefined : value;
}

/**
 * Stands for a value whose escapes are broken. Not `undefined`, which would let a later
 * cookie of the same name win; decodeURIComponent never yields a lone surrogate.
 */
const MALFORMED = '\uD800';

function decodeValue(value: string): string {
  const bare = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  try {
    return decodeURIComponent(bare);
  } catch {
    return MALFORMED;
  }
}

/**
 * The live session named by a Cookie header: its user and the token's stored hash; null
 * when the cookie is missing or the session unknown, expired or revoked. The HTTP API and
 * the WebSocket handshake both authenticate through this.
 */
export async function sessionFromCookie(
  store: Pick<SessionStore, 'userOf'>,
  cookieHeader: string | undefined,
  now = new Date(),
): Promise<{ user: User; sessionHash: string } | null> {
  const token = readCookie(cookieHeader, SESSION_COOKIE);
  if (!token) return null;
  const sessionHash = hashSessionToken(token);
  const user = await store.userOf(sessionHash, now);
  return user ? { user, sessionHash } : null;
}

/** Builds the Set-Cookie value for a session token; `maxAgeSeconds` 0 clears the cookie. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: maxAgeSeconds, secure });
}
