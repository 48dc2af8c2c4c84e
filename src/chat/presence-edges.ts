/**
 * A chat connection's presence, and what it leaves behind in its room when it closes. Presence goes offline with the
 * user's last connection to the pair, and so does their "typing…" (PROTOCOL.md, "typing never
 * sticks"): while another connection stays open, the partner's expiry ends a stale indicator.
 * When presence cannot tell (its backend failed), typing is withdrawn anyway.
 */
/** Presence is a courtesy: when its backend fails, chat goes on and the edge is not reported. */
export async function courtesy(work: Promise<boolean>, onError: (error: unknown, context: string) => void): Promise<boolean> {
  try {
    return await work;
  } catch (error) {
    onError(error, 'updating presence');
    return false;
  }
}

export interface Departure {
  /** Whether the closing connection was typing. */
  wasTyping: boolean;
  /** Whether it had joined presence (a connection closed during its start had not). */
  joinedPresence: boolean;
  /** Leaves presence; resolves with whether it was the user's last connection to the pair. */
  leavePresence(): Promise<boolean>;
  withdrawTyping(): void;
  publishOffline(): void;
  onError(error: unknown, context: string): void;
}

export function depart(departure: Departure): void {
  const withdraw = () => {
    if (departure.wasTyping) departure.withdrawTyping();
  };
  if (!departure.joinedPresence) return withdraw();
  departure.leavePresence().then(
    (last) => {
      if (!last) return;
      withdraw();
      departure.publishOffline();
    },
    (error: unknown) => {
      departure.onError(error, 'updating presence');
      withdraw();
    },
  );
}
