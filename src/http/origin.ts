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

/** True when a request carries a body (a length above 0, or a chunked one). */
export function hasBody(headers: { 'content-length'?: string | undefined; 'transfer-encoding'?: string | undefined }): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * True for `application/json`, parameters allowed (`; charset=utf-8`). The only body type a
 * state-changing request may have: a cross-site HTML form cannot send it, and a cross-site
 * script can only with a CORS preflight, which Tandem answers for allowed origins alone.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';
}
