/**
 * Every close code Tandem sends, in one place. A *terminal* code means "do not reconnect
 * with the same credentials/partner"; a *resume* code means "reconnect, with `?after=`".
 * Reasons stay under RFC 6455's 123-byte limit.
 */
export const CloseCode = {
  normal: { code: 1000, reason: 'closed', kind: 'terminal' },
  shutdown: { code: 1001, reason: 'server shutting down', kind: 'resume' },
  policy: { code: 1008, reason: 'policy violation', kind: 'terminal' },
  tooBig: { code: 1009, reason: 'frame too large', kind: 'terminal' },
  internalError: { code: 1011, reason: 'internal error', kind: 'resume' },
  tryAgain: { code: 1013, reason: 'slow consumer', kind: 'resume' },
  unauthenticated: { code: 4001, reason: 'not authenticated', kind: 'terminal' },
  forbidden: { code: 4003, reason: 'not matched with this partner', kind: 'terminal' },
  /** The store lacks a message the connection needs (an inconsistency): it starts again from where the client is. */
  outOfStep: { code: 4009, reason: 'messages out of step, resume with ?after=', kind: 'resume' },
  tooManyConnections: { code: 4029, reason: 'too many connections for this user', kind: 'resume' },
} as const satisfies Record<string, { code: number; reason: string; kind: 'terminal' | 'resume' }>;

export type CloseCodeName = keyof typeof CloseCode;
