/**
 * The periodic delivery check. The channel layer may lose a room's last events for good —
 * the instance that stored them died before publishing, or Redis dropped them — and a
 * receiver notices a gap in `seq` only when a later message arrives. So every interval the
 * newest stored `seq` of every room with local connections is read, in one store query, and
 * compared with the newest one the room's members were handed; a room still behind after a
 * short grace (a message stored a moment ago may be on its way through the layer) has its
 * members catch up on the rest from the store. A room that is not behind costs a comparison,
 * nothing per connection.
 */
import type { MessageStore } from '../store/index.js';

/** Rooms compared per tick at most; more rooms are taken in turns, this many per tick. */
const MAX_ROOMS_PER_TICK = 5000;
/** How long a room found behind may take to catch up live before it catches up from the store. */
const GRACE_MS = 250;

/** A room as the check sees it (see `Hub.checkedRooms`). */
export interface CheckedRoom {
  readonly pairId: number;
  /** The newest `seq` every member of the room was handed, or told to catch up to. */
  readonly seenSeq: number;
  /** The store has messages up to `seq`: every member delivers whichever it has not had. */
  catchUpTo(seq: number): void;
}

export interface DeliveryCheckDeps {
  store: Pick<MessageStore, 'lastSeqs'>;
  /** The rooms with local connections, read afresh at every tick. */
  rooms: () => Iterable<CheckedRoom>;
  /** Milliseconds between ticks; 0 starts no timer (`tick` still works). */
  intervalMs: number;
  /** A failed store read; reported once per run of failures, and the next tick tries again. */
  onError: (error: unknown, context: string) => void;
  maxRoomsPerTick?: number;
  graceMs?: number;
}

/** Runs the check every `intervalMs` until `stop`; a tick due while one is running is skipped. */
export class DeliveryCheck {
  private readonly timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private failing = false;
  /** Where the next tick starts among the rooms, when there are more than one tick takes. */
  private cursor = 0;
  private endGrace: (() => void) | null = null;

  constructor(private readonly deps: DeliveryCheckDeps) {
    if (deps.intervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), deps.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * One check: one `lastSeqs` query, then — after the grace — a catch-up of the rooms still
   * behind. Resolves when done; at once when another tick is running or the check stopped.
   */
  async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const rooms = this.nextRooms();
      if (rooms.length === 0) return;
      const stored = await this.deps.store.lastSeqs([...new Set(rooms.map((room) => room.pairId))]);
      this.failing = false;
      const behind = rooms.filter((room) => (stored.get(room.pairId) ?? 0) > room.seenSeq);
      if (behind.length === 0 || !(await this.grace())) return;
      // Rooms that caught up live meanwhile are not behind any more: `catchUpTo` does nothing.
      for (const room of behind) room.catchUpTo(stored.get(room.pairId)!);
    } catch (error) {
      if (!this.failing) this.deps.onError(error, 'checking rooms against the store');
      this.failing = true;
    } finally {
      this.running = false;
    }
  }

  /** No more ticks; a tick in its grace ends without catching up. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.endGrace?.();
  }

  /** Resolves true after the grace, false when stopped meanwhile. */
  private grace(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.endGrace = null;
        resolve(!this.stopped);
      }, this.deps.graceMs ?? GRACE_MS);
      this.endGrace = () => {
        clearTimeout(timer);
        this.endGrace = null;
        resolve(false);
      };
    });
  }

  private nextRooms(): CheckedRoom[] {
    const all = [...this.deps.rooms()];
    const max = this.deps.maxRoomsPerTick ?? MAX_ROOMS_PER_TICK;
    if (all.length <= max) return all;
    const start = this.cursor % all.length;
    this.cursor = start + max;
    const taken = all.slice(start, start + max);
    return taken.length === max ? taken : taken.concat(all.slice(0, max - taken.length));
  }
}
