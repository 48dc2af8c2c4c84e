/**
 * Brute-force protection of login, per account and per client address, counted in the store
 * so that every instance counts together. Only failed attempts count: each attempt takes a
 * slot before the password is checked (so a burst of parallel guesses cannot slip past the
 * limit), and a successful login gives its slots back. Past the limit an attempt is refused
 * before its password is checked — otherwise the answer would still reveal a right guess.
 */
import ipaddr from 'ipaddr.js';
import type { LoginThrottle as Settings } from '../config.js';
import type { Store } from '../store/index.js';

export type ThrottleVerdict =
  | { ok: true; keys: readonly string[] }
  | { ok: false; retryAfterSeconds: number };

export class LoginThrottle {
  constructor(private readonly store: Store, private readonly settings: Settings) {}

  /**
   * Counts an attempt to sign in as `email` from `address`. Refused when the account or the
   * address is past its limit in the current window, with the seconds until the later of
   * the windows that refuse ends.
   */
  async attempt(email: string, address: string, now = new Date()): Promise<ThrottleVerdict> {
    const windowMs = this.settings.windowSeconds * 1000;
    const keys = [`account:${email}`, `address:${clientKey(address)}`];
    const limits = [this.settings.perAccount, this.settings.perAddress];
    const counted = await this.store.countLoginAttempt(keys, now, new Date(now.getTime() - windowMs));
    let retryAt = 0;
    counted.forEach((row, index) => {
      if (row.count > limits[index]!) retryAt = Math.max(retryAt, row.windowStartedAt.getTime() + windowMs);
    });
    if (retryAt === 0) return { ok: true, keys };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now.getTime()) / 1000)) };
  }

  /** The attempt succeeded: it no longer counts against the account or the address. */
  async succeeded(verdict: { keys: readonly string[] }): Promise<void> {
    await this.store.refundLoginAttempt(verdict.keys);
  }
}

/**
 * The throttling key of a client address. IPv4-mapped IPv6 is its IPv4 address; other IPv6
 * addresses count by their /64, the block one subscriber usually holds, so rotating through
 * it gains nothing.
 */
export function clientKey(address: string): string {
  const bare = address.replace(/%.*$/, '');
  if (!ipaddr.IPv6.isValid(bare)) return bare;
  const ip = ipaddr.IPv6.parse(bare);
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address().toString();
  return `${ip.parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
