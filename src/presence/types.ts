/**
 * Presence: who is connected to which pair's room, across every instance. Memory for one
 * process, Redis for many; both held to the contract suite in test/contract/presence.ts.
 *
 * Users are known by id and rooms by pair id (see chat/room.ts), so no two people can share
 * an entry whatever their emails look like. A user is online in a room while at least one of their connections is. `join` tells
 * whether a connection is the user's first there and `leave` whether it was the last, so
 * presence frames go out exactly on those edges and a second tab opening or closing never
 * flaps the partner's view. Every instance agrees on the edges: of two connections joining
 * at once, on one instance or two, exactly one is first.
 */

export interface PresenceRegistry {
  /** Registers a connection; resolves true when it is the user's first in the room. */
  join(room: string, userId: number, connectionId: string): Promise<boolean>;
  /**
   * Removes a connection; resolves true when it was the user's last in the room, false when
   * others remain or the id was not registered (so a repeated leave reports no second edge).
   */
  leave(room: string, userId: number, connectionId: string): Promise<boolean>;
  /** Resolves whether user `userId` has at least one open connection to `room`, on any instance. */
  isOnline(room: string, userId: number): Promise<boolean>;
  /**
   * Releases the backend without leaving. The connections registered here stop counting
   * when their entries expire (Redis: within the entry lifetime, on every instance); in
   * memory they end with the registry. Safe to call twice.
   */
  close(): Promise<void>;
}
