/** Formatting for the chat page: times, days, the banners of a paused or ended match, the connection's status line. */
import type { ConnectionState, Conversation } from '../../src/client/index.js';
import { setText } from '../shared/dom.js';
import { fullName } from '../shared/people.js';

/** The one time format of the chat page: "14:02", in the user's locale and time zone (the day shows in the separators). */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** A day separator: "Today", "Yesterday", "Tue 1 Dec", with the year when it is not this year's. */
export function dayLabel(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (date.toDateString() === now.toDateString()) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  const options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };
  if (date.getFullYear() !== now.getFullYear()) options.year = 'numeric';
  return date.toLocaleDateString(undefined, options).replace(',', '');
}

/** The banner of a conversation whose match ended before the page loaded it: read-only. */
export function archivedNotice(partnerName: string): string {
  return `Archived: your match with ${partnerName} has ended. You can read this conversation and report a message, but no longer send messages. Your coordinator can tell you what happens next.`;
}

/** The banner of a paused match. */
export function pausedNotice(partnerName: string): string {
  return `Your programme has paused this conversation with ${partnerName} for now. You can still read it and report a message. Sending comes back when it is resumed; your coordinator can tell you more.`;
}

/** The banner for a conversation that ended, by the reason the client reports. */
export function endedNotice(reason: string, partnerName: string): string {
  switch (reason) {
    case 'unmatched':
    case 'forbidden':
      return `Your match with ${partnerName} has ended. You can no longer send messages here, but you can read them for a while. Your coordinator can tell you what happens next.`;
    case 'logged_out':
    case 'unauthenticated':
      return 'You were signed out. Please sign in again.';
    case 'too_big':
      return 'The connection was closed because a message was too large. Reload the page to continue.';
    case 'policy':
      return 'The connection was closed because too many messages were sent too quickly. Reload the page to continue.';
    default:
      return 'This conversation is closed. Reload the page to continue.';
  }
}

/** The status line under the log while not connected; empty when connected or ended. */
export function connectionText(state: ConnectionState): string {
  switch (state.kind) {
    case 'connecting':
      return state.attempt === 0 ? 'Connecting…' : 'Reconnecting…';
    case 'waiting':
      return 'Connection lost. Reconnecting…';
    case 'paused':
      return 'You’re offline — messages will send later.';
    default:
      return '';
  }
}

/** The banner above the log: an archived, ended or paused match, with what the user can do next; hidden otherwise. */
export function renderBanner(banner: HTMLElement, conversation: Conversation | null): void {
  const ended = conversation?.ended ?? null;
  const paused = conversation !== null && ended === null && conversation.matchPaused;
  const kind = !conversation ? null : conversation.archived ? 'archived' : ended !== null ? 'ended' : paused ? 'paused' : null;
  banner.hidden = kind === null;
  if (kind === null || !conversation) return;
  const name = fullName(conversation.partner);
  banner.dataset.kind = kind;
  banner.setAttribute('role', kind === 'ended' ? 'alert' : 'status');
  setText(banner, kind === 'archived' ? archivedNotice(name) : kind === 'paused' ? pausedNotice(name) : endedNotice(ended!, name));
}
