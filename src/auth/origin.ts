/**
 * The origin rule for cookie-authenticated requests: a WebSocket handshake or a
 * state-changing HTTP request whose `Origin` is present must come from an allowed origin
 * (default: the request's own host). This is Tandem's CSRF protection, and both doors
 * (src/http and src/chat/gateway.ts) decide by it.
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
