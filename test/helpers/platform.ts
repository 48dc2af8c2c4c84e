/**
 * The platform Tandem is plugged into, as the tests play it: a real HTTP server on port 0
 * with its own signed-in users (a `sessionid` cookie of its own), the proxy endpoint that
 * says who a cookie is, a JWKS endpoint, and the keys it mints tokens with. It counts the
 * calls Tandem makes, and can be made to fail or to hang.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Hooks } from './server.js';

export interface PlatformUser {
  /** The platform's id of the person, when its proxy answer carries one. */
  id?: string | number;
  email: string;
  first_name: string;
  last_name: string;
  role: 'MENTOR' | 'MENTEE' | 'ADMIN';
}

/** `ok`: answers; `down`: 500; `hang`: never answers (Tandem's timeout must act). */
export type ProxyMode = 'ok' | 'down' | 'hang';

export class Platform {
  /** The platform's sessions: its cookie value → its user. */
  readonly sessions = new Map<string, PlatformUser>();
  /** Keys the JWKS endpoint publishes. */
  readonly jwks: JWK[] = [];
  calls = { whoami: 0, jwks: 0 };
  mode: ProxyMode = 'ok';
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    readonly url: string,
    private readonly close: () => Promise<void>,
  ) {}

  static async start(t: Hooks): Promise<Platform> {
    let platform: Platform | undefined;
    const server = createServer((request, response) => platform!.handle(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    platform = new Platform(`http://127.0.0.1:${port}`, async () => {
      for (const response of platform!.hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    t.after(() => platform!.close());
    return platform;
  }

  /** Signs `user` in on the platform; returns the platform's own cookie for them. */
  signIn(user: PlatformUser): string {
    const session = `platform-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    this.sessions.set(session, user);
    return `sessionid=${session}`;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/jwks') {
      this.calls.jwks++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.jwks }));
      return;
    }
    if (path === '/whoami') {
      this.calls.whoami++;
      if (this.mode === 'hang') {
        this.hanging.add(response);
        return;
      }
      if (this.mode === 'down') {
        response.writeHead(500).end('platform error');
        return;
      }
      const cookie = /(?:^|;\s*)sessionid=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      const user = cookie === undefined ? undefined : this.sessions.get(cookie);
      if (!user) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"not signed in"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(user));
      return;
    }
    response.writeHead(404).end();
  }
}

/** A key pair the platform signs with, and the forms Tandem may be given its public half in. */
export interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: CryptoKey;
  pem: string;
  jwk: JWK;
}

export async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, pem: await exportSPKI(publicKey), jwk };
}

/** The claims a platform puts in a token for `user`, valid for `lifetimeSeconds` from now. */
export function claimsOf(user: PlatformUser, lifetimeSeconds = 300): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { sub: user.email, role: user.role, given_name: user.first_name, family_name: user.last_name, iat: now, exp: now + lifetimeSeconds };
}

/** Signs `payload` with an HS256 secret or a key pair (its `kid` in the header). */
export async function mint(payload: JWTPayload, key: string | SigningKey, header: Record<string, unknown> = {}): Promise<string> {
  const jwt = new SignJWT(payload);
  if (typeof key === 'string') return jwt.setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode(key));
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

/** An unsigned token (`alg: none`), which must never be accepted. */
export function unsigned(payload: JWTPayload): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

let people = 0;
/** A platform user with a unique email. */
export function platformUser(role: PlatformUser['role'], first = role === 'MENTOR' ? 'Maria' : 'Sam'): PlatformUser {
  return { email: `${role.toLowerCase()}.${process.pid}.${++people}@platform.test`, first_name: first, last_name: `Platform${people}`, role };
}
