/**
 * The partner as a conversation shows them: online or not (null: unknown), and typing or not.
 * A typing flag goes stale by itself, since a lost "stopped typing" would otherwise leave it
 * on for good.
 */

/** The partner's typing flag is dropped after this long without renewal, even if the server never says so. */
const TYPING_STALE_MS = 12_000;

export class PartnerActivity {
  online: boolean | null;
  typing = false;
  private typingStale: ReturnType<typeof setTimeout> | undefined;

  /** `changed` hears of each change, after it is made. */
  constructor(
    online: boolean | null,
    private readonly changed: (what: 'typing' | 'online') => void,
  ) {
    this.online = online;
  }

  setTyping(typing: boolean): void {
    clearTimeout(this.typingStale);
    if (typing) this.typingStale = setTimeout(() => this.setTyping(false), TYPING_STALE_MS);
    if (this.typing === typing) return;
    this.typing = typing;
    this.changed('typing');
  }

  setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    if (!online) this.setTyping(false);
    this.changed('online');
  }

  /** Without a live connection the partner's presence and typing are unknown, not stale. */
  forget(): void {
    this.online = null;
    this.setTyping(false);
  }

  dispose(): void {
    clearTimeout(this.typingStale);
  }
}
