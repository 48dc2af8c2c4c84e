/**
 * The JSON-only rule for state-changing requests, the HTTP half of Tandem's CSRF protection
 * (the origin rule is in src/auth/origin.ts).
 */

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

/**
 * True for `application/x-ndjson`: the import's body, the one route that declares it
 * (`config.bodyType`). Not a type a cross-site form can send either.
 */
export function isNdjsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === 'application/x-ndjson';
}

/**
 * True for the types an HTML form sends by itself (`application/x-www-form-urlencoded`,
 * `multipart/form-data`): an upload refuses them, so that a cross-site form cannot post a file.
 */
export function isFormMediaType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}
