/** Sessions revoked outside a logout (the platform claimed their account): their sockets close on every instance. */
import type { Hub } from '../chat/hub.js';

/** Tells every instance to close the sockets of `sessionHashes` (`force_disconnect` `logged_out`, as a logout). */
export function revokeEverywhere(hub: Pick<Hub, 'revokeSession'>, sessionHashes: readonly string[], onError: (error: unknown) => void): void {
  for (const hash of sessionHashes) hub.revokeSession(hash, 'logged_out').catch(onError);
}
