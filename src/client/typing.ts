/**
 * This user's side of "typing…": turns a stream of input events into few `typing` frames.
 * `is_typing: true` goes out on the first keystroke and is renewed while typing goes on (the
 * server forgets it after 10 s); `false` goes out on a pause, a send, or leaving the box.
 */

/** While the user keeps typing, `is_typing: true` is renewed this often. */
const RENEW_MS = 4_000;
/** The user stopped typing after this long without input. */
const IDLE_MS = 3_000;

/** Reports this user's typing for one conversation; see the file comment for the rules. */
export class TypingReporter {
  private sentAt: number | null = null;
  private idle: ReturnType<typeof setTimeout> | undefined;

  /** `send` transmits one `typing` frame and says whether it could (false while disconnected). */
  constructor(private readonly send: (isTyping: boolean) => boolean) {}

  /** Call with true on every input that leaves text in the box, false when it is emptied, sent or left. */
  report(active: boolean): void {
    clearTimeout(this.idle);
    if (active) {
      const now = Date.now();
      if ((this.sentAt === null || now - this.sentAt >= RENEW_MS) && this.send(true)) this.sentAt = now;
      this.idle = setTimeout(() => this.report(false), IDLE_MS);
    } else if (this.sentAt !== null) {
      this.sentAt = null;
      this.send(false);
    }
  }

  /** Stops the idle timer without telling anyone (the connection is closing). */
  dispose(): void {
    clearTimeout(this.idle);
  }
}
