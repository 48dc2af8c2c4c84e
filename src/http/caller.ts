/**
 * Who is calling the HTTP API: a server API key (`Authorization: Bearer <secret>`, the
 * platform's backend acting as the admin `api:<name>`), or whoever the identity methods of
 * `AUTH` say the request is. A bearer that is not a JWT, or any bearer when `jwt` is off, is
 * taken for an API key when keys are configured: a wrong one is 401 and counts toward the
 * address's login throttle (429 past it), so keys cannot be guessed faster than passwords.
 */
import type { FastifyRequest } from 'fastify';
import { apiUser, ApiKeys } from '../auth/api-keys.js';
import { bearerToken, credentialHash, looksLikeJwt, type Identifier, type Identity } from '../auth/identity.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { clientKey, LoginThrottle } from './throttle.js';

/** How the caller proved who they are. */
export type CallerMethod = Identity['method'] | 'api_key';

export interface ResolvedCaller extends Omit<Identity, 'method'> {
  method: CallerMethod;
}

export class CallerResolver {
  private readonly keys: ApiKeys;
  private readonly throttle: LoginThrottle;

  constructor(private readonly identifier: Identifier, store: Store, config: Readonly<Config>) {
    this.keys = new ApiKeys(config.identity.apiKeys);
    this.throttle = new LoginThrottle(store, config.loginThrottle);
  }

  /** The caller, or null when the request proves nobody. A wrong API key rejects (401, or 429 when throttled). */
  async resolve(request: FastifyRequest): Promise<ResolvedCaller | null> {
    const bearer = bearerToken(request.headers.authorization);
    if (bearer !== null && this.keys.enabled && !(this.identifier.has('jwt') && looksLikeJwt(bearer))) {
      const name = this.keys.match(bearer);
      if (name !== null) return { user: apiUser(name), sessionHash: credentialHash('api', name), expiresAt: null, method: 'api_key' };
      const verdict = await this.throttle.failedKey(request.ip);
      if (!verdict.ok) throw new AppError('rate_limited', 'Too many failed attempts from this address, try again later', { retryAfterSeconds: verdict.retryAfterSeconds });
      throw new AppError('unauthenticated', 'Unknown API key');
    }
    return this.identifier.identify({ cookie: request.headers.cookie, authorization: request.headers.authorization, token: null, address: clientKey(request.ip) });
  }
}
