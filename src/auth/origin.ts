/**
 * The origin rule for cookie-authenticated requests: a WebSocket handshake or a
 * state-changing HTTP request whose `Origin` is present must come from an allowed origin.
 * This is Tandem's CSRF protection, and both doors (src/http and src/chat/gateway.ts) decide
 * by it. Allowed are the `ALLOWED_ORIGINS` and `PUBLIC_ORIGIN`; when neither is set, the
 * request's own `Host` — which a DNS-rebinding page controls, so production sets
 * `PUBLIC_ORIGIN`. The Host rule also compares the scheme when it is known: behind a trusted
 * proxy (TRUST_PROXY), from `X-Forwarded-Proto`.
 */
import type { Config } from '../config.js';

/** What the rule needs of the settings. */
export interface OriginPolicy {
  /** ALLOWED_ORIGINS plus PUBLIC_ORIGIN; `null`: neither is set, the Host rule applies. */
  allowed: readonly string[] | null;
  /** Whether `X-Forwarded-Proto` names the scheme the browser used. */
  trustForwardedProto: boolean;
}

/** The headers the rule reads. */
export interface OriginHeaders {
  origin?: string | undefined;
  host?: string | undefined;
  'x-forwarded-proto'?: string | string[] | undefined;
}

/** The policy of a configuration. */
export function originPolicy(config: Pick<Config, 'allowedOrigins' | 'publicOrigin' | 'trustProxy'>): OriginPolicy {
  const listed = [...(config.allowedOrigins ?? []), ...(config.publicOrigin ? [config.publicOrigin] : [])];
  return { allowed: listed.length > 0 ? listed : null, trustForwardedProto: config.trustProxy !== false };
}

/** True when the request's `Origin` may act with the user's cookie. An absent Origin is allowed. */
export function isOriginAllowed(headers: OriginHeaders, policy: OriginPolicy): boolean {
  const { origin, host } = headers;
  if (origin === undefined) return true;
  if (policy.allowed !== null) return policy.allowed.includes(origin);
  if (!host) return false;
  try {
    const parsed = new URL(origin);
    if (parsed.host !== host.toLowerCase()) return false;
    const scheme = policy.trustForwardedProto ? forwardedProto(headers['x-forwarded-proto']) : undefined;
    return scheme === undefined || parsed.protocol === `${scheme}:`;
  } catch {
    return false;
  }
}

/** The scheme the nearest proxy reports (the last entry, as Fastify reads it), lower-cased. */
function forwardedProto(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[header.length - 1] : header;
  const last = value?.split(',').pop()?.trim().toLowerCase();
  return last === 'http' || last === 'https' ? last : undefined;
}
