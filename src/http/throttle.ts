/**
 * Brute-force protection of login and registration, counted in the store so that every
 * instance counts together. Login counts failed attempts only: each attempt takes a slot
 * before the password is checked (so a burst of parallel guesses cannot slip past a limit),
 * and an attempt that is refused or succeeds gives its slots back. A refusal comes before
 * the password is checked — otherwise the answer would still reveal a right guess.
 *
 * Three counts guard login, so that nobody can lock a user out by failing on purpose:
 * - one account from one address (`perAccountAddress`): a hard limit for the window;
 * - one address across accounts (`perAddress`): a hard limit for the window;
 * - one account from everywhere (`perAccount`): past it, attempts from addresses that have
 *   failed in the window must wait 1, 2, 4 … `maxDelaySeconds` seconds, one per slot for the
 *   whole account, while an address without a failure is never delayed.
 */
import ipaddr from 'ipaddr.js';
import type { LoginThrottle as Settings, RegistrationThrottle as RegistrationSettings } from '../config.js';
import type { LoginAttempts, Store } from '../store/index.js';

export type ThrottleVerdict = { ok: true; keys: readonly string[] } | { ok: false; retryAfterSeconds: number };

const secondsUntil = (at: number, now: Date): number => Math.max(1, Math.ceil((at - now.getTime()) / 1000));

export class LoginThrottle {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
  ) {}

  /**
   * Counts an attempt to sign in as `email` from `address`. Refused while the account and
   * address together, or the address alone, is past its limit (until its window ends), or
   * while the account is past `perAccount` and this address has failed too (until the
   * account's current delay slot ends).
   */
  async attempt(email: string, address: string, now = new Date()): Promise<ThrottleVerdict> {
    const { perAccount, perAccountAddress, perAddress, windowSeconds, maxDelaySeconds } = this.settings;
    const windowMs = windowSeconds * 1000;
    const windowStart = new Date(now.getTime() - windowMs);
    const client = clientKey(address);
    const keys = [`pair:${email}|${client}`, `address:${client}`, `account:${email}`];
    const [pair, byAddress, account] = (await this.store.sessions.countLoginAttempt(keys, now, windowStart)) as [LoginAttempts, LoginAttempts, LoginAttempts];
    const refuse = async (retryAt: number): Promise<ThrottleVerdict> => {
      await this.store.sessions.refundLoginAttempt(keys);
      return { ok: false, retryAfterSeconds: secondsUntil(retryAt, now) };
    };
    const past = [pair.count > perAccountAddress ? pair : null, byAddress.count > perAddress ? byAddress : null].filter((row) => row !== null);
    if (past.length > 0) return refuse(Math.max(...past.map((row) => row.windowStartedAt.getTime() + windowMs)));
    // This attempt is the address's only one in the window: it has never failed here.
    const clean = byAddress.count === 1;
    if (account.count > perAccount && !clean) {
      const delay = Math.min(2 ** (account.count - perAccount - 1), maxDelaySeconds);
      // An admitted attempt marks the current slot of every delay length, so that a delay
      // that has just grown cannot open a slot in which a shorter one was already used.
      const lengths = delayLengths(maxDelaySeconds);
      const slots = lengths.map((length) => `slot:${email}:${length}:${Math.floor(now.getTime() / (length * 1000))}`);
      const marked = await this.store.sessions.countLoginAttempt(slots, now, windowStart);
      if (marked[lengths.indexOf(delay)]!.count > 1) {
        await this.store.sessions.refundLoginAttempt(slots);
        return refuse((Math.floor(now.getTime() / (delay * 1000)) + 1) * delay * 1000);
      }
    }
    return { ok: true, keys };
  }

  /**
   * Counts a wrong server API key from `address` as a failed login of that address (keys
   * and passwords are guessed alike); refused once the address is past `perAddress`.
   */
  async failedKey(address: string, now = new Date()): Promise<ThrottleVerdict> {
    const windowMs = this.settings.windowSeconds * 1000;
    const keys = [`address:${clientKey(address)}`];
    const [row] = await this.store.sessions.countLoginAttempt(keys, now, new Date(now.getTime() - windowMs));
    if (row!.count <= this.settings.perAddress) return { ok: true, keys };
    return { ok: false, retryAfterSeconds: secondsUntil(row!.windowStartedAt.getTime() + windowMs, now) };
  }

  /** The attempt succeeded: it no longer counts against the account or the address. */
  async succeeded(verdict: { keys: readonly string[] }): Promise<void> {
    await this.store.sessions.refundLoginAttempt(verdict.keys);
  }
}

/** 1, 2, 4 … seconds up to the cap, which ends the list even when it is no power of two. */
function delayLengths(maxDelaySeconds: number): number[] {
  const lengths: number[] = [];
  for (let length = 1; length < maxDelaySeconds; length *= 2) lengths.push(length);
  lengths.push(maxDelaySeconds);
  return lengths;
}

/** Registrations per client address in one window: cheap to ask for, expensive to serve (scrypt). */
export class RegistrationThrottle {
  constructor(
    private readonly store: Store,
    private readonly settings: RegistrationSettings,
  ) {}

  /** Counts a registration attempt from `address`; refused past the limit until the window ends. */
  async attempt(address: string, now = new Date()): Promise<ThrottleVerdict> {
    const windowMs = this.settings.windowSeconds * 1000;
    const keys = [`register:${clientKey(address)}`];
    const [row] = await this.store.sessions.countLoginAttempt(keys, now, new Date(now.getTime() - windowMs));
    if (row!.count <= this.settings.perAddress) return { ok: true, keys };
    return { ok: false, retryAfterSeconds: secondsUntil(row!.windowStartedAt.getTime() + windowMs, now) };
  }
}

/**
 * The throttling key of a client address. IPv4-mapped IPv6 is its IPv4 address; other IPv6
 * addresses count by their /64, the block one subscriber usually holds, so rotating through
 * it gains nothing.
 */
export function clientKey(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone < 0 ? address : address.slice(0, zone);
  if (!ipaddr.IPv6.isValid(bare)) return bare;
  const ip = ipaddr.IPv6.parse(bare);
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address().toString();
  return `${ip.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}
