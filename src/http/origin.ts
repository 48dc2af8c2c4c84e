/**
 * Origin checks for cookie-authenticated requests: a WebSocket handshake or a
 * state-changing request whose `Origin` is present must come from an allowed origin
 * (default: the request's own host). This is Tandem's CSRF protection.
 */

/** True when `origin` may act with the user's cookie. An absent Origin is allowed. */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[] | null): boolean {
  if (origin === undefined) return true;
  if (allowed !== null) return allowed.includes(origin);
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** True when `origin` should get CORS headers: only origins named in ALLOWED_ORIGINS. */
export function isCorsOrigin(origin: string | undefined, allowed: readonly string[] | null): origin is string {
  return origin !== undefined && allowed !== null && allowed.includes(origin);
}
