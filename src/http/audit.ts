/**
 * Who acts, for the audit log and for decisions: an admin by email (an API key, when there
 * are keys, by `api:<name>`), and the one way routes append to the log.
 */
import type { FastifyRequest } from 'fastify';
import type { AdminTopic } from '../protocol/user-stream.js';
import type { NewAuditEntry } from '../store/index.js';
import { callerOf } from './access.js';
import type { RouteContext } from './context.js';

/** Which of the admin page's lists an audited action changes; any other action changes the log alone. */
const TOPIC_OF: Readonly<Record<string, AdminTopic>> = {
  approve: 'held',
  reject: 'held',
  report: 'reports',
  resolve: 'reports',
  retry_webhook: 'deliveries',
  match: 'matches',
  unmatch: 'matches',
  pause: 'matches',
  resume: 'matches',
};

/** The name under which the caller of `request` is audited. */
export function actorOf(request: FastifyRequest): string {
  return callerOf(request).user.email;
}

/**
 * Appends one entry for what the caller of `request` did to `target`. The store finds the
 * entry's user and pair from `target`; `about` names them when it cannot (an erased user).
 */
export async function audit(
  context: RouteContext,
  request: FastifyRequest,
  action: string,
  target: string,
  detail: NewAuditEntry['detail'] = null,
  about: Pick<NewAuditEntry, 'userId' | 'pairId'> = {},
): Promise<void> {
  await context.store.audit.record({ actor: actorOf(request), action, target, detail, ...about });
  // Every admin page, on every instance, re-reads what the action changed.
  await context.channels.toAdmins(TOPIC_OF[action] ?? 'audit', (error) => request.log.error({ err: error }, 'signalling admins failed'));
}
