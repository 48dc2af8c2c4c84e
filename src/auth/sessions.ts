/**
 * Session tokens: 256 random bits, given to the browser only as an HttpOnly cookie and
 * stored only as their SHA-256, so a leaked database does not leak live sessions.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'sessionid';

/** A fresh session token (base64url, 43 characters). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Reads one cookie from a Cookie header; `undefined` when absent or malformed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Builds the Set-Cookie value for a session token; `maxAgeSeconds` 0 clears the cookie. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
