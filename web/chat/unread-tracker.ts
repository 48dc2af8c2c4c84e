/**
 * Unread messages as a reader meets them: the view opens at an "N unread messages" divider,
 * a "New messages ↓" button shows while unread messages lie below what is on screen, and the
 * page reads the partner's messages only once the newest one is in view (`seesNewest`, which
 * the chat view passes on to `Conversation.setActive`).
 */
import type { ChatMessage, Conversation } from '../../src/client/index.js';
import { byId } from '../shared/dom.js';
import type { MessageLog } from './message-log.js';

/** How close to the bottom (px) counts as seeing the newest message. */
const NEAR_BOTTOM_PX = 80;
/** Room left above the divider when the view opens at it. */
const ABOVE_DIVIDER_PX = 12;

export class UnreadTracker {
  private readonly jump = byId<HTMLButtonElement>('jump-new');
  private conversation: Conversation | null = null;
  private seen = true;
  /** The view was placed at the divider (or the end) once the conversation's messages came. */
  private placed = false;

  constructor(
    private readonly log: HTMLElement,
    private readonly messageLog: MessageLog,
    private readonly onSeenChange: () => void,
  ) {
    this.jump.addEventListener('click', () => {
      this.log.scrollTop = this.log.scrollHeight;
      this.scrolled();
    });
  }

  /** A conversation opens: the divider goes before its first unread message from the partner (once its messages are here). */
  opened(conversation: Conversation | null): void {
    this.conversation = conversation;
    this.placed = false;
    this.jump.hidden = true;
    this.messageLog.setUnread(null);
    this.needsPlacing();
  }

  /**
   * Whether the open conversation's first messages just arrived (history loads after it
   * opens): then the divider is set, and the caller renders and calls `scrollToFirstUnread`.
   */
  needsPlacing(): boolean {
    const conversation = this.conversation;
    if (this.placed || !conversation || conversation.messages.length === 0) return false;
    this.placed = true;
    const unread = conversation.messages.filter((message) => !message.mine && !message.is_read && message.kind !== 'admin_viewed');
    const first = unread[0];
    this.messageLog.setUnread(first ? { messageId: first.message_id, count: Math.max(unread.length, conversation.unread) } : null);
    return true;
  }

  /** Puts the divider near the top of the view, or shows the newest message when nothing is unread. */
  scrollToFirstUnread(): void {
    const divider = this.messageLog.divider;
    if (divider) this.log.scrollTop += divider.getBoundingClientRect().top - this.log.getBoundingClientRect().top - ABOVE_DIVIDER_PX;
    else this.log.scrollTop = this.log.scrollHeight;
    this.scrolled();
  }

  seesNewest(): boolean {
    // Before its messages are shown, an unread conversation has shown nothing.
    if (!this.placed && (this.conversation?.unread ?? 0) > 0) return false;
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < NEAR_BOTTOM_PX;
  }

  /** The view moved (or grew): tell the page when the newest message came into view or left it. */
  scrolled(): void {
    const sees = this.seesNewest();
    if (sees !== this.seen) {
      this.seen = sees;
      this.onSeenChange();
    }
    this.renderJump();
  }

  /** Partner messages arrived below the view: the button says so. */
  arrivedOutOfView(messages: readonly ChatMessage[]): void {
    if (messages.some((message) => !message.mine)) this.renderJump(true);
  }

  private renderJump(arrived = false): void {
    const below = arrived || (this.conversation?.unread ?? 0) > 0;
    this.jump.hidden = this.seesNewest() || !below;
  }
}
