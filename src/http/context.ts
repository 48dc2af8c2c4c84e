/**
 * What route handlers share: the store, the hub, presence, settings, and the caller of a
 * request (resolved on demand by the identity methods, see caller.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { Hub } from '../chat/hub.js';
import type { UserChannels } from '../chat/user-channels.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { ChannelLayer } from '../layer/index.js';
import type { ErasureLog } from '../operations/erasure-log.js';
import type { PresenceRegistry } from '../presence/index.js';
import { emailProblem } from '../protocol/text.js';
import { normalizeEmail, type Pair, type Store, type User } from '../store/index.js';
import type { CallerResolver, ResolvedCaller } from './caller.js';
import type { WordListSync } from './word-list-sync.js';
import type { SetupGate } from '../auth/setup-token.js';

export interface RouteContext {
  store: Store;
  layer: ChannelLayer;
  hub: Hub;
  channels: UserChannels;
  /** Routes only ask; joining and leaving belong to the chat sessions. */
  presence: Pick<PresenceRegistry, 'isOnline'>;
  config: Readonly<Config>;
  /** Who a request is: an API key or the identity methods of `AUTH` (see caller.ts). */
  callers: CallerResolver;
  /** Now, as far as the API is concerned (see TandemOptions.clock). */
  clock: () => Date;
  /** The filter's word list as this instance applies it, and its changes. */
  wordList: WordListSync;
  /** Where erasures are logged before they run (ERASURE_LOG); null: nowhere. */
  erasureLog: ErasureLog | null;
  /** The first run's one-time setup link (open only while no admin exists). */
  setup: SetupGate;
}

/** The caller, whatever proved it (session, token, platform, API key); rejects with 401 when nothing does. */
export async function requireUser(context: RouteContext, request: FastifyRequest): Promise<ResolvedCaller> {
  const caller = await context.callers.resolve(request);
  if (!caller) throw new AppError('unauthenticated');
  return caller;
}

/** The calling admin (an API key acts as one); 401 when nobody is proven, 403 for any other role. */
export async function requireAdmin(context: RouteContext, request: FastifyRequest): Promise<ResolvedCaller> {
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
): Promise<ResolvedCaller & { partner: User; pair: Pair }> {
  const caller = await requireUser(context, request);
  const { user } = caller;
  const problem = emailProblem(partnerEmail);
  if (problem !== null) throw new AppError('invalid_request', `partner_email ${problem}`);
  const found = await context.store.matches.activePairWith(user, normalizeEmail(partnerEmail));
  if (!found) throw new AppError('not_matched');
  return { ...caller, partner: found.partner, pair: found.pair };
}

/**
 * Like `requirePair`, but the pair may also have ended less than `ARCHIVE_DAYS` ago (by the
 * context's clock): the former pair reads its archive. Anyone else, and the former pair once
 * the archive expired, gets the same 403 `not_matched`.
 */
export async function requireArchive(
  context: RouteContext,
  request: FastifyRequest,
  partnerEmail: string,
): Promise<ResolvedCaller & { partner: User; pair: Pair }> {
  const caller = await requireUser(context, request);
  const problem = emailProblem(partnerEmail);
  if (problem !== null) throw new AppError('invalid_request', `partner_email ${problem}`);
  const found = await context.store.matches.pairWith(caller.user, normalizeEmail(partnerEmail));
  if (!found || !(found.pair.active || isArchived(context, found.pair))) throw new AppError('not_matched');
  return { ...caller, partner: found.partner, pair: found.pair };
}

/** The instant after which an ended pair is still archived; null when `ARCHIVE_DAYS` is 0. */
export function archivedSince(context: Pick<RouteContext, 'config' | 'clock'>): Date | null {
  if (context.config.archiveDays === 0) return null;
  return new Date(context.clock().getTime() - context.config.archiveDays * 24 * 3600 * 1000);
}

/** Whether an ended pair is still in its archive (`ARCHIVE_DAYS`). */
export function isArchived(context: Pick<RouteContext, 'config' | 'clock'>, pair: Pair): boolean {
  const since = archivedSince(context);
  return since !== null && pair.endedAt !== null && pair.endedAt > since;
}
