/** The `local` identity method: Tandem's own users and their `sessionid` cookie (PROTOCOL.md Parts 1–3). */
import type { SessionStore } from '../store/index.js';
import type { Credentials, Identity, IdentityMethod } from './identity.js';
import { sessionFromCookie } from './sessions.js';

export class LocalMethod implements IdentityMethod {
  readonly name = 'local' as const;

  constructor(private readonly store: Pick<SessionStore, 'userOf'>) {}

  async identify(credentials: Credentials): Promise<Identity | null> {
    const session = await sessionFromCookie(this.store, credentials.cookie);
    return session ? { ...session, expiresAt: null, method: 'local' } : null;
  }
}
