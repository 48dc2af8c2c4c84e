/**
 * Input from thousands of WebSockets that lands in one poll phase — a close storm, when a
 * load balancer or a network blip ends them all at once, or the pongs of every socket after
 * a ping round — would be handled there, one socket after the other, and hold up everyone
 * else's chat until the last was done. A budget of reads per event-loop turn bounds that
 * phase: past it, a socket's chunk goes back into its stream (paused, `unshift`, which keeps
 * the order), and a TurnSlicer resumes a bounded number of such sockets per turn. A resumed
 * socket is read at once, whatever the budget, so that work put off always makes progress; a
 * turn that has budget left reads its new input first, so a storm's backlog never queues the
 * chat that arrives after it. A socket put off while it is talking (read within the last
 * `TALKING_MS`) is resumed ahead of the quiet ones: when a chat frame lands in the same poll
 * phase as three thousand close frames of sockets that had been silent since their upgrade,
 * the conversation goes on in the next turn instead of waiting for the whole storm.
 */
import type { Duplex } from 'node:stream';
import type { TurnSlicer } from './turn-slicer.js';
import { takeSocketReaders } from './ws-internals.js';

/** A socket read this recently is in a conversation: put off, it is resumed first. */
const TALKING_MS = 5_000;

export class ReadBudget {
  /** Reads spent in the current turn. */
  private spent = 0;
  /** Counts turns, so that a resumed socket is known to be granted for the one it is read in. */
  private turn = 0;
  private resetScheduled = false;

  constructor(
    private readonly perTurn: number,
    private readonly resumes: TurnSlicer,
  ) {}

  /**
   * Puts every `data` and `end` listener `socket` has now (ws's own, once it has taken the
   * socket, and Node's) behind the budget: they are called as before while the turn has
   * budget left, and in a later turn otherwise.
   */
  govern(socket: Duplex): void {
    const { data: listeners, end: enders } = takeSocketReaders(socket);
    let deferred = false;
    let grantedTurn = -1;
    let lastReadAt = -Infinity;
    const resume = () => {
      // Resumed meanwhile by whoever else pauses it (ws, for its receiver's backpressure): nothing to do.
      if (!deferred || socket.destroyed) return;
      grantedTurn = this.turn;
      socket.resume();
    };
    socket.on('data', (chunk: Buffer) => {
      deferred = false;
      if (grantedTurn !== this.turn && !this.spend()) {
        deferred = true;
        socket.pause();
        socket.unshift(chunk);
        if (performance.now() - lastReadAt < TALKING_MS) this.resumes.pushAhead(resume);
        else this.resumes.push(resume);
        return;
      }
      lastReadAt = performance.now();
      for (const listener of listeners) listener.call(socket, chunk);
    });
    // The end of input (the FIN after a close handshake) arrives in storms of its own and
    // starts the socket's teardown: past the budget, its listeners run in a later turn too.
    socket.once('end', () => {
      const run = () => {
        for (const listener of enders) listener.call(socket);
      };
      if (this.spend()) run();
      else this.resumes.push(run);
    });
  }

  /** Takes one read of this turn's budget; false when none is left. */
  private spend(): boolean {
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      // The check phase follows the poll phase that read this: the next poll starts afresh.
      setImmediate(() => {
        this.resetScheduled = false;
        this.spent = 0;
        this.turn++;
      });
    }
    return ++this.spent <= this.perTurn;
  }
}
