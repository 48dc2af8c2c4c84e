/**
 * What route handlers share: the store, the hub, presence, settings, and the signed-in user
 * of a request (resolved from the session cookie on demand).
 */
import type { FastifyRequest } from 'fastify';
import { sessionFromCookie } from '../auth/sessions.js';
import type { Hub } from '../chat/hub.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { ChannelLayer } from '../layer/index.js';
import type { PresenceRegistry } from '../presence/index.js';
import { emailProblem } from '../protocol/text.js';
import { normalizeEmail, type Pair, type Store, type User } from '../store/index.js';

export interface RouteContext {
  store: Store;
  layer: ChannelLayer;
  hub: Hub;
  /** Routes only ask; joining and leaving belong to the chat sessions. */
  presence: Pick<PresenceRegistry, 'isOnline'>;
  config: Readonly<Config>;
}

/** The signed-in user and the hash of their session; rejects with 401 when there is none. */
export async function requireUser(context: RouteContext, request: FastifyRequest): Promise<{ user: User; sessionHash: string }> {
  const session = await sessionFromCookie(context.store, request.headers.cookie);
  if (!session) throw new AppError('unauthenticated');
  return session;
}

/** The signed-in admin and the hash of their session; 401 when signed out, 403 for any other role. */
export async function requireAdmin(context: RouteContext, request: FastifyRequest): Promise<{ user: User; sessionHash: string }> {
  const session = await requireUser(context, request);
  if (session.user.role !== 'ADMIN') throw new AppError('forbidden');
  return session;
}

/**
 * The signed-in user's active pair with `partnerEmail`: 401 when signed out, 403
 * `not_matched` otherwise — the same answer whether the partner is unknown, of the wrong
 * role or simply not this user's partner, so nobody can probe who exists.
 */
export async function requirePair(
  context: RouteContext,
  request: FastifyRequest,
  partnerEmail: string,
): Promise<{ user: User; sessionHash: string; partner: User; pair: Pair }> {
  const { user, sessionHash } = await requireUser(context, request);
  const problem = emailProblem(partnerEmail);
  if (problem !== null) throw new AppError('invalid_request', `partner_email ${problem}`);
  const found = await context.store.activePairWith(user, normalizeEmail(partnerEmail));
  if (!found) throw new AppError('not_matched');
  return { user, sessionHash, partner: found.partner, pair: found.pair };
}
