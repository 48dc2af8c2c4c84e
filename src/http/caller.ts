/**
 * Who is calling the HTTP API: a server API key (`Authorization: Bearer <secret>`, the
 * platform's backend acting as the admin `api:<name>`), or whoever the identity methods of
 * `AUTH` say the request is. A bearer that proves nobody gets one answer whatever its shape
 * (an API key's, a token's, neither): 401 `unauthenticated`, and — when keys are configured —
 * it counts toward the address's login throttle (429 past it), so keys cannot be guessed
 * faster than passwords and a prober cannot tell which kinds of credential exist.
 */
import type { FastifyRequest } from 'fastify';
import { apiUser, ApiKeys } from '../auth/api-keys.js';
import { bearerToken, credentialHash, type Identifier, type Identity } from '../auth/identity.js';
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

  constructor(
    private readonly identifier: Identifier,
    store: Store,
    config: Readonly<Config>,
  ) {
    this.keys = new ApiKeys(config.identity.apiKeys);
    this.throttle = new LoginThrottle(store, config.loginThrottle);
  }

  /** The caller, or null when the request proves nobody and carries no bearer. A bearer that proves nobody rejects (401, or 429 when throttled). */
  async resolve(request: FastifyRequest): Promise<ResolvedCaller | null> {
    const bearer = bearerToken(request.headers.authorization);
    const name = bearer !== null && this.keys.enabled ? this.keys.match(bearer) : null;
    if (name !== null) return { user: apiUser(name), sessionHash: credentialHash('api', name), expiresAt: null, method: 'api_key' };
    const identity = await this.identifier.identify({
      cookie: request.headers.cookie,
      authorization: request.headers.authorization,
      token: null,
      address: clientKey(request.ip),
    });
    if (identity !== null || bearer === null) return identity;
    if (this.keys.enabled) {
      const verdict = await this.throttle.failedKey(request.ip);
      if (!verdict.ok)
        throw new AppError('rate_limited', 'Too many failed attempts from this address, try again later', { retryAfterSeconds: verdict.retryAfterSeconds });
    }
    throw new AppError('unauthenticated');
  }
}
