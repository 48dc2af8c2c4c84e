/**
 * The frames a socket is sent in one event-loop turn, written to the kernel in one `writev`.
 * A group commit echoes and delivers a whole batch of messages in one turn; written frame by
 * frame, that is a system call per frame and socket, the largest single cost of a busy
 * server. Here a socket is corked at its first frame and uncorked once the callback that
 * wrote it and the promise reactions it set off have run: a microtask queued at the first
 * `cork` queues a `process.nextTick`, and Node runs that only when the microtask queue is
 * empty. Nothing waits for a later turn: the frames leave in the same turn, in the same
 * order, only in fewer writes.
 *
 * Corked frames count in the socket's `writableLength` (ws's `bufferedAmount`) as unsent: a
 * writer that bounds that figure calls `flush` every few kilobytes, so that the figure stays
 * what the kernel could not take, as if each frame had gone out at once.
 */
import type { Duplex } from 'node:stream';

/**
 * The most a socket's corked frames should reach before its writer flushes them: large enough
 * that a turn of chat messages leaves in a write or two, small enough that a bound on unsent
 * data is judged as if each frame had been written at once (within this much).
 */
export const FLUSH_SLICE_BYTES = 16 * 1024;

/** One socket's side of the coalescer, for its only writer. */
export interface CorkedWrites {
  /** Frames written from now until the end of this turn's callbacks go out together. */
  cork(): void;
  /** Hands what is corked to the kernel now; later frames of the turn are corked again. */
  flush(): void;
}

export class WriteCoalescer {
  private corked: Duplex[] = [];

  for(socket: Duplex): CorkedWrites {
    return {
      cork: () => this.cork(socket),
      // Corked only by `cork` (ws corks inside one frame's write and uncorks it there).
      flush: () => {
        if (socket.writableCorked > 0) socket.uncork();
      },
    };
  }

  private cork(socket: Duplex): void {
    if (socket.writableCorked > 0 || socket.destroyed) return;
    socket.cork();
    this.corked.push(socket);
    if (this.corked.length === 1) queueMicrotask(this.uncorkAfterReactions);
  }

  private readonly uncorkAfterReactions = (): void => {
    process.nextTick(this.uncorkAll);
  };

  private readonly uncorkAll = (): void => {
    const corked = this.corked;
    this.corked = [];
    // A socket flushed during the turn is not corked any more: uncork does nothing then.
    for (const socket of corked) if (socket.writableCorked > 0) socket.uncork();
  };
}
