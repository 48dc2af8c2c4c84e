/**
 * The server API's keys (`API_KEYS`): a request bearing one acts as the admin `api:<name>`.
 * Every configured key is compared, in constant time, whatever matches first, so the time
 * of a refusal tells nothing about any key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config.js';
import type { User } from '../store/index.js';

/** The user an API key acts as. Not stored: its id matches no row, so it has no partners and no messages. */
export function apiUser(name: string): User {
  return { id: 0, email: `api:${name}`, firstName: `api:${name}`, lastName: '', role: 'ADMIN', createdAt: new Date(0) };
}

export class ApiKeys {
  /** SHA-256 of each secret: equal lengths for timingSafeEqual, whatever the secrets' lengths. */
  private readonly digests: Array<{ name: string; digest: Buffer }>;

  constructor(keys: readonly ApiKey[]) {
    this.digests = keys.map((key) => ({ name: key.name, digest: digest(key.secret) }));
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** The name of the key `secret` is, or null. */
  match(secret: string): string | null {
    const given = digest(secret);
    let found: string | null = null;
    for (const key of this.digests) if (timingSafeEqual(key.digest, given) && found === null) found = key.name;
    return found;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
