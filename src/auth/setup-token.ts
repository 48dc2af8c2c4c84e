/**
 * The first run's one-time setup link: with no admin and no `TANDEM_ADMIN_*`, an instance
 * makes a random token, prints a link carrying it, and lets `POST /api/setup` create the
 * first admin with it once. The token lives in this process only (its SHA-256, compared in
 * constant time): the printed link names this instance's own address, so it reaches the
 * process that holds it, and a token that never touches the database cannot be read from a
 * backup or another instance. Several instances started with no admin each print their own
 * link; whichever is used first makes the admin, and the others then refuse (410).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a link stays valid when unused. */
export const SETUP_TOKEN_TTL_MS = 3600 * 1000;

export type SetupCheck = 'ok' | 'wrong' | 'expired' | 'closed';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export class SetupGate {
  private hash: Buffer | null = null;
  private expiresAt = 0;
  /** An admin exists: the gate never opens again in this process. */
  private done = false;

  /** Makes a fresh token valid for SETUP_TOKEN_TTL_MS from `now`, and returns it (the only time it is seen). */
  open(now: Date): string {
    const token = randomBytes(32).toString('base64url');
    this.hash = digest(token);
    this.expiresAt = now.getTime() + SETUP_TOKEN_TTL_MS;
    this.done = false;
    return token;
  }

  /** Whether a token was issued here and is neither used nor expired. */
  isOpen(now: Date): boolean {
    return !this.done && this.hash !== null && now.getTime() < this.expiresAt;
  }

  /** Whether the setup is over for good (an admin was made or found). */
  get closed(): boolean {
    return this.done;
  }

  /** Checks `given` against the token in constant time (both sides hashed to one length). */
  check(given: string, now: Date): SetupCheck {
    if (this.done) return 'closed';
    // Never issued here, or taken by a setup in progress.
    if (this.hash === null) return 'wrong';
    const matches = timingSafeEqual(digest(given), this.hash);
    if (!matches) return 'wrong';
    return now.getTime() < this.expiresAt ? 'ok' : 'expired';
  }

  /**
   * Takes the token for one setup, synchronously, so two requests with it cannot both pass;
   * `release` gives it back if creating the admin failed (a weak password, say).
   */
  take(): { release(): void; finish(): void } {
    const { hash } = this;
    this.hash = null;
    return {
      release: () => {
        if (!this.done) this.hash = hash;
      },
      finish: () => this.close(),
    };
  }

  /** An admin exists: refuse from now on. */
  close(): void {
    this.done = true;
    this.hash = null;
  }
}
