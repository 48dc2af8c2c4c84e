/**
 * What the client does when a socket closes or a message is refused: which closes end
 * a conversation for good (PROTOCOL.md: terminal codes, never retried with the same
 * credentials), and which refusals a resend cannot change.
 */
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorText, type ErrorOut } from '../protocol/frames.js';

/** Reasons for terminal close codes that come without a `force_disconnect`. */
const TERMINAL_REASONS: Record<number, string> = {
  [CloseCode.unauthenticated.code]: 'unauthenticated',
  [CloseCode.forbidden.code]: 'forbidden',
  [CloseCode.policy.code]: 'policy',
  [CloseCode.tooBig.code]: 'too_big',
  [CloseCode.normal.code]: 'closed',
};

/** Refusals that a resend cannot change; anything else (unavailable, rate limit…) is retried. */
const PERMANENT_REFUSALS = new Set<string>([
  ErrorText.emptyContent,
  ErrorText.tooLong,
  ErrorText.badCharacters,
  ErrorText.badClientId,
  ErrorText.contentNotString,
  ErrorText.notMatched,
  ErrorText.matchPaused,
]);

/** The reason a close with `code` ends the conversation, or null when the client should reconnect (1001, 1006, 1011, 1013, …). */
export function terminalReason(code: number): string | null {
  return TERMINAL_REASONS[code] ?? null;
}

/**
 * Why a close ends the connection for good, or null when the client should come back: the
 * reason of the `force_disconnect` before it, else the one named for a terminal code. A close
 * for too many sockets (4029) is always worth another try, once one of the others is gone.
 */
export function endReason(code: number, forceReason: string | null): string | null {
  if (code === CloseCode.tooManyConnections.code) return null;
  return forceReason ?? terminalReason(code);
}

/** True when the refusal of a message is final: resending the same message would be refused again. */
export function isPermanentRefusal(frame: ErrorOut): boolean {
  return frame.code === 'not_matched' || frame.code === 'match_paused' || PERMANENT_REFUSALS.has(frame.message);
}

/** Close codes the client sends (4000–4999 is the application range; 1000 is a normal close). */
export const ClientClose = {
  reconnecting: { code: 4000, reason: 'reconnecting' },
  done: { code: 1000, reason: 'client done' },
} as const;
