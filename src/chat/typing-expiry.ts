/**
 * The receiving side's guard against a "typing…" that never ends: each `is_typing: true`
 * from the partner arms a timer, renewed by the next one; when it runs out, `expire` tells
 * the client the partner stopped. It runs where the indicator is shown, so it works even if
 * the typer's instance died without a word.
 */
export class TypingExpiry {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly expire: () => void,
  ) {}

  /** The partner's latest typing state, as forwarded to the client. */
  saw(isTyping: boolean): void {
    this.stop();
    if (!isTyping) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
