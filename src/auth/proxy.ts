/**
 * The `proxy` identity method, for a front end that must not change at all: Tandem asks the
 * platform who the request's cookies belong to (`GET AUTH_PROXY_URL` with the request's
 * `Cookie` and `Authorization`). A 200 `{id?, email, first_name, last_name, role}` (`id`: the
 * platform's key for the person; without it, the email as the platform wrote it) is reused for
 * the same credentials for `AUTH_PROXY_CACHE_SECONDS`; a 401/403 is a refusal, kept for the
 * same credentials for 5 s (signing in on the platform gives a new cookie, asked at once), and
 * one client address makes at most 30 lookups at once and 1 a second after, so made-up
 * cookies cannot turn Tandem into a flood of the platform; anything else — an error, a timeout, a body
 * that is not a user — means the platform cannot tell, and Tandem refuses with `unavailable`:
 * never an open door. Concurrent requests with the same credentials share one call.
 */
import type { ProxyConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { ExternalUser } from '../store/index.js';
import { syncUser, userOfClaims } from './claims.js';
import { LookupBudget } from './lookup-budget.js';
import { credentialHash, type Credentials, type Identity, type IdentityDeps, type IdentityMethod } from './identity.js';

/** Answers kept at most; past it the oldest goes, so that many distinct cookies cannot grow memory without bound. */
const MAX_CACHED = 10_000;
/** How long a refusal is kept for the same credentials. */
const REFUSAL_CACHE_MS = 5_000;
/** Platform lookups one client address may cause: at once, then per second. */
const LOOKUPS_BURST = 30;
const LOOKUPS_PER_SECOND = 1;

export interface ProxyOptions {
  /** The clock of the cache (tests control it). */
  now?: () => number;
  /** Answers kept at most (default 10 000). */
  maxCached?: number;
}

export class ProxyMethod implements IdentityMethod {
  readonly name = 'proxy' as const;
  /** Answers by credential hash; a refusal is kept as `null` for a short while. */
  private readonly cache = new Map<string, { user: ExternalUser | null; until: number }>();
  private readonly lookups: LookupBudget;
  private readonly pending = new Map<string, Promise<ExternalUser | null>>();
  private readonly now: () => number;
  private readonly maxCached: number;

  constructor(
    private readonly config: ProxyConfig,
    private readonly deps: IdentityDeps,
    options: ProxyOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxCached = options.maxCached ?? MAX_CACHED;
    this.lookups = new LookupBudget({ burst: LOOKUPS_BURST, perSecond: LOOKUPS_PER_SECOND, now: this.now });
  }

  async identify(credentials: Credentials): Promise<Identity | null> {
    const { cookie, authorization } = credentials;
    if (!cookie && !authorization) return null;
    const key = credentialHash('proxy', cookie ?? '', authorization ?? '');
    let external = this.cached(key);
    if (external === undefined) {
      if (credentials.address !== undefined && !this.pending.has(key) && !this.lookups.take(credentials.address)) {
        this.deps.onProblem('too many platform lookups from one address: refused without asking');
        return null;
      }
      external = await this.ask(key, cookie, authorization);
    }
    if (!external) return null;
    return { user: await syncUser(this.deps, external), sessionHash: key, expiresAt: null, method: 'proxy' };
  }

  /** The kept answer (a user, or null for a refusal); undefined when none is kept. */
  private cached(key: string): ExternalUser | null | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.user;
    this.cache.delete(key);
    return undefined;
  }

  private ask(key: string, cookie: string | undefined, authorization: string | undefined): Promise<ExternalUser | null> {
    let call = this.pending.get(key);
    if (!call) {
      call = this.fetchUser(cookie, authorization).finally(() => this.pending.delete(key));
      this.pending.set(key, call);
      call.then(
        (user) => this.remember(key, user),
        () => {},
      );
    }
    return call;
  }

  private remember(key: string, user: ExternalUser | null): void {
    const keepMs = user === null ? REFUSAL_CACHE_MS : this.config.cacheSeconds * 1000;
    if (keepMs === 0) return;
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { user, until: this.now() + keepMs });
  }

  /** The platform's answer: the user, null for a refusal; rejects with `unavailable` for anything else. */
  private async fetchUser(cookie: string | undefined, authorization: string | undefined): Promise<ExternalUser | null> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (cookie) headers.cookie = cookie;
    if (authorization) headers.authorization = authorization;
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(this.config.url, { headers, redirect: 'manual', signal: AbortSignal.timeout(this.config.timeoutMs) });
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        return null;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`the platform answered ${response.status}`);
      }
      body = await response.json();
    } catch (error) {
      this.deps.onProblem('the identity proxy failed', { reason: error instanceof Error ? error.message : String(error) });
      throw new AppError('unavailable', 'The platform cannot say who you are right now', { cause: error });
    }
    const described =
      typeof body === 'object' && body !== null ? userOfClaims(body as Record<string, unknown>, 'proxy', 'id') : { problem: 'not a JSON object' };
    if ('reserved' in described) {
      // A user the platform names but Tandem cannot have: refused like a stranger, not a failure to retry.
      this.deps.onProblem('the identity proxy named a reserved address', { reason: described.problem });
      return null;
    }
    if ('problem' in described) {
      this.deps.onProblem('the identity proxy answered something that is not a user', { reason: described.problem });
      throw new AppError('unavailable', 'The platform cannot say who you are right now');
    }
    return described.user;
  }
}
