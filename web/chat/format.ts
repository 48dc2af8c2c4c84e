/** Formatting for the chat page: times, the notices shown when a conversation ends, the connection's status line. */
import type { ConnectionState } from '../../src/client/index.js';

/** "14:02" today, "Mon 14:02" this week, "3 Feb 14:02" before; the user's locale and time zone. */
export function formatTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return time;
  const days = (now.getTime() - date.getTime()) / 86_400_000;
  const day = days < 6 ? date.toLocaleDateString(undefined, { weekday: 'short' }) : date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return `${day} ${time}`;
}

/** The banner of a conversation whose match ended before the page loaded it: read-only. */
export function archivedNotice(partnerName: string): string {
  return `Archived: your match with ${partnerName} has ended. You can read this conversation and report a message, but no longer send messages.`;
}

/** The banner of a paused match. */
export function pausedNotice(partnerName: string): string {
  return `This conversation with ${partnerName} is paused by the programme. You can read it; sending is off until it is resumed.`;
}

/** The banner for a conversation that ended, by the reason the client reports. */
export function endedNotice(reason: string, partnerName: string): string {
  switch (reason) {
    case 'unmatched':
    case 'forbidden':
      return `Your match with ${partnerName} has ended. You can no longer send messages here.`;
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
