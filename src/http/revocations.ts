/** Sessions revoked outside one logout (the platform claimed their account, a user signed out everywhere): their sockets close on every instance. */
import type { Hub } from '../chat/hub.js';

/** Tells every instance to close the sockets of `sessionHashes` (`force_disconnect` `logged_out`, as a logout). */
export async function revokeEverywhere(hub: Pick<Hub, 'revokeSession'>, sessionHashes: readonly string[], onError: (error: unknown) => void): Promise<void> {
  await Promise.all(sessionHashes.map((hash) => hub.revokeSession(hash, 'logged_out').catch(onError)));
}
