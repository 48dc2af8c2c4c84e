/**
 * Who is asking: the one question both doors (the HTTP API and the WebSocket handshake) put,
 * answered by the identity methods `AUTH` lists (PROTOCOL.md Part 5) — `local` (Tandem's own
 * session cookie), `jwt` (a token the platform signed), `proxy` (the platform asked with the
 * request's cookies). The first method, in `AUTH` order, that recognises the request decides;
 * so every route and the socket behave the same whatever the method.
 */
import { createHash } from 'node:crypto';
import type { IdentityMethodName } from '../config.js';
import type { Store, User } from '../store/index.js';

/** What a request offers as proof. */
export interface Credentials {
  cookie: string | undefined;
  authorization: string | undefined;
  /** `?token=` of a WebSocket URL (browsers cannot set headers on one); null over HTTP. */
  token: string | null;
  /**
   * The client's throttling key (its address, an IPv6 /64), where the caller bounds the work
   * one client may cause (the proxy's platform lookups); absent on the WebSocket handshake,
   * whose failures the handshake guard already bounds per address.
   */
  address?: string;
}

/** A proven identity. */
export interface Identity {
  user: User;
  /**
   * The hash of the credential (session token, JWT, forwarded cookies): what revocation
   * and the socket's bookkeeping key on. Never the credential itself.
   */
  sessionHash: string;
  /** When the credential stops being valid (a token's `exp`); an open socket is closed then. */
  expiresAt: Date | null;
  method: IdentityMethodName;
}

/** One way of proving who one is. */
export interface IdentityMethod {
  readonly name: IdentityMethodName;
  /**
   * The identity the request proves this way; null when it carries no valid credential of
   * this kind (absent, bad, expired, foreign, refused). Rejects with `unavailable` when the
   * method cannot tell (the platform is down): never an open door.
   */
  identify(credentials: Credentials): Promise<Identity | null>;
}

/** The methods of `AUTH`, asked in order. */
export class Identifier {
  constructor(readonly methods: readonly IdentityMethod[]) {}

  /** The first identity a method proves; null when none does. A method that cannot tell rejects (see IdentityMethod). */
  async identify(credentials: Credentials): Promise<Identity | null> {
    for (const method of this.methods) {
      const identity = await method.identify(credentials);
      if (identity) return identity;
    }
    return null;
  }

  has(name: IdentityMethodName): boolean {
    return this.methods.some((method) => method.name === name);
  }
}

/** What the methods need besides their settings. */
export interface IdentityDeps {
  store: Store;
  /** Told why a credential was refused or a platform failed; never given the credential. */
  onProblem: (message: string, details?: Record<string, unknown>) => void;
  /** Sessions the platform's claim of an account revoked (see `AccountStore.upsert`): their sockets are closed everywhere. */
  onSessionsRevoked?: (sessionHashes: readonly string[]) => void;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match ? match[1]! : null;
}

/** Three base64url parts: a compact JWS, as opposed to an API key or a session id. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/** The stored form of a credential: its SHA-256, base64url. */
export function credentialHash(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('base64url');
}
