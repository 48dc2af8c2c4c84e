/**
 * The `jwt` identity method: a token the platform signed, `Authorization: Bearer <jwt>` over
 * HTTP or `?token=<jwt>` on the WebSocket URL. Keys: an HS256 secret, a PEM public key (RS256,
 * ES256/384/512 or EdDSA, chosen by the key's type, never by the token), or a JWKS URL that
 * jose fetches, caches, and fetches again when a token names a `kid` it does not hold (at most
 * once per `JWT_JWKS_REFRESH_SECONDS`, so a stream of unknown kids cannot make Tandem hammer
 * the platform).
 * `alg: none` and any algorithm other than the key's are refused; `exp` is required and may
 * lie at most `JWT_MAX_LIFETIME_SECONDS` after `iat` (or after now, without `iat`); an `iat`
 * more than a minute ahead of Tandem's clock is refused.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwtConfig } from '../config.js';
import { AppError } from '../errors.js';
import { syncUser, userOfClaims } from './claims.js';
import { bearerToken, credentialHash, looksLikeJwt, type Credentials, type Identity, type IdentityDeps, type IdentityMethod } from './identity.js';

const JWKS_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** How long a fetched JWKS is trusted before it is fetched again anyway. */
const JWKS_CACHE_MS = 10 * 60_000;
const JWKS_TIMEOUT_MS = 5000;
/**
 * How far a token's `iat` may lie ahead of Tandem's clock (the platform's clock may run a
 * little fast). Further ahead, the token is refused: its lifetime is measured from `iat`, so
 * a token "issued" next year with `exp` an hour later would pass the lifetime bound and live a year.
 */
const IAT_LEEWAY_SECONDS = 60;

export interface JwtOptions {
  /** The clock tokens are checked against (tests control it). */
  now?: () => Date;
}

export class JwtMethod implements IdentityMethod {
  readonly name = 'jwt' as const;
  private readonly key: Uint8Array | KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly now: () => Date;

  constructor(
    private readonly config: JwtConfig,
    private readonly deps: IdentityDeps,
    options: JwtOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    const key = config.key;
    if (key.kind === 'secret') {
      this.key = new TextEncoder().encode(key.secret);
      this.algorithms = ['HS256'];
    } else if (key.kind === 'pem') {
      const publicKey = createPublicKey(key.pem);
      this.key = publicKey;
      this.algorithms = algorithmsOf(publicKey);
    } else {
      this.key = createRemoteJWKSet(new URL(key.url), {
        cacheMaxAge: JWKS_CACHE_MS,
        cooldownDuration: config.jwksRefreshSeconds * 1000,
        timeoutDuration: JWKS_TIMEOUT_MS,
      });
      this.algorithms = JWKS_ALGORITHMS;
    }
  }

  async identify(credentials: Credentials): Promise<Identity | null> {
    const token = credentials.token ?? bearerToken(credentials.authorization);
    if (token === null || !looksLikeJwt(token)) return null;
    const payload = await this.verify(token);
    if (!payload) return null;
    // The person is the token's `iss` and `sub`; a token without `iss` is the platform's all the same.
    const described = userOfClaims(payload, `jwt:${payload.iss ?? ''}`, 'sub');
    if ('problem' in described) {
      this.deps.onProblem('a token was refused', { reason: described.problem });
      return null;
    }
    const user = await syncUser(this.deps, described.user);
    return { user, sessionHash: credentialHash('jwt', token), expiresAt: new Date(payload.exp! * 1000), method: 'jwt' };
  }

  /** The payload of a valid token; null for a bad, expired or foreign one. Rejects with `unavailable` when the JWKS cannot be had. */
  private async verify(token: string): Promise<JWTPayload | null> {
    const now = this.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        requiredClaims: ['exp'],
        currentDate: now,
        ...(this.config.issuer !== null ? { issuer: this.config.issuer } : {}),
        ...(this.config.audience !== null ? { audience: this.config.audience } : {}),
      }));
    } catch (error) {
      // jose's own refusals carry a specific code; the generic one, a timeout, a key set that is
      // not one, or a failed fetch mean the platform's keys cannot be had: fail closed, 503.
      if (
        !(error instanceof errors.JOSEError) ||
        error.code === 'ERR_JOSE_GENERIC' ||
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid
      ) {
        throw new AppError('unavailable', "The platform's keys cannot be fetched", { cause: error });
      }
      this.deps.onProblem('a token was refused', { reason: error.code });
      return null;
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + IAT_LEEWAY_SECONDS) {
      this.deps.onProblem('a token was refused', { reason: 'issued in the future' });
      return null;
    }
    const from = typeof payload.iat === 'number' ? payload.iat : nowSeconds;
    if (payload.exp! - from > this.config.maxLifetimeSeconds) {
      this.deps.onProblem('a token was refused', { reason: 'lives longer than JWT_MAX_LIFETIME_SECONDS' });
      return null;
    }
    return payload;
  }
}

/** The one family of algorithms a public key can verify. */
function algorithmsOf(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'secp384r1' ? ['ES384'] : curve === 'secp521r1' ? ['ES512'] : ['ES256'];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      throw new Error(`JWT_PUBLIC_KEY is a ${key.asymmetricKeyType ?? 'unknown'} key; RSA, EC or Ed25519 is needed`);
  }
}
