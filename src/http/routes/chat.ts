/**
 * The chat over HTTP: the conversation list, a pair's history page by page, and marking
 * read. Each is authorized by the match at the moment of the request: the current one, or —
 * for reading — one that ended less than `ARCHIVE_DAYS` ago (the archive).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KeyedBuckets } from '../../chat/rate-limit.js';
import { roomName } from '../../chat/room.js';
import { announceRead } from '../../chat/announce.js';
import { addReactions } from '../message-extras.js';
import { AppError } from '../../errors.js';
import type { User } from '../../store/index.js';
import { callerOf, pairOf } from '../access.js';
import { archivedSince, type RouteContext } from '../context.js';
import {
  emailParam,
  emptyBody,
  pairHistoryMessage,
  historyMessageSchema,
  messageIdSchema,
  publicUser,
  signedIn,
  undeliveredMessage,
  undeliveredSchema,
  userSchema,
  withErrors,
} from '../schemas.js';

const partnerParam = emailParam('partner_email', "The email of the signed-in user's current partner");

const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    before: { ...messageIdSchema, description: 'Only messages with a smaller id: the page just before it (paging back)' },
    after: { ...messageIdSchema, description: 'Only messages with a larger id: the page just after it (paging forward)' },
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,5}$', description: 'Page size; `HISTORY_LIMIT_DEFAULT` when absent, capped at `HISTORY_LIMIT_MAX`' },
  },
} as const;

const conversationsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    include: { type: 'string', enum: ['archived'], description: '`archived`: also the pairs unmatched less than `ARCHIVE_DAYS` ago, after the current ones' },
  },
} as const;

interface HistoryQuery {
  before?: string;
  after?: string;
  limit?: string;
}

export function chatRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;
  const markReadRate = new KeyedBuckets(config.chat.markReadRatePerSecond, config.chat.markReadRateBurst);

  app.get(
    '/api/chat/reactions',
    {
      config: { access: 'user' },
      schema: {
        summary: 'The reactions participants may use',
        description: 'The published set of emoji a `react` frame may carry (`REACTIONS`), in order (PROTOCOL.md Part 8).',
        tags: ['chat'],
        security: signedIn,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['reactions'],
              properties: { reactions: { type: 'array', items: { type: 'string' } } },
            },
          },
          [],
        ),
      },
    },
    async () => ({ reactions: config.conversation.reactions }),
  );

  app.get<{ Querystring: { include?: 'archived' } }>(
    '/api/chat/conversations',
    {
      config: { access: 'user' },
      schema: {
        summary: 'One row per current partner',
        description:
          "The partner, the pair's newest message (or null), how many of the partner's messages are unread, whether the partner is connected now (any instance), and whether the pair is paused or archived. Most recent activity first; with `include=archived`, the archive follows.",
        tags: ['chat'],
        security: signedIn,
        querystring: conversationsQuery,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['conversations'],
            properties: {
              conversations: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['partner', 'last_message', 'unread_count', 'partner_online', 'archived', 'paused'],
                  properties: {
                    partner: userSchema,
                    last_message: { anyOf: [historyMessageSchema, { type: 'null' }] },
                    unread_count: { type: 'integer', minimum: 0 },
                    partner_online: { type: 'boolean' },
                    archived: { type: 'boolean', description: 'The match ended: readable, nothing can be sent' },
                    paused: { type: 'boolean', description: 'Paused by an admin: readable, nothing can be sent until resumed' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { user } = callerOf(request);
      const since = request.query.include === 'archived' ? archivedSince(context) : null;
      const rows = await store.messages.conversations(user.id, since === null ? {} : { endedSince: since });
      const online = await Promise.all(rows.map((row) => partnerOnline(context, request, row.pairId, row.partner)));
      return {
        conversations: rows.map((row, index) => ({
          partner: publicUser(row.partner),
          last_message: row.lastMessage && pairHistoryMessage(row.lastMessage, user, row.partner),
          unread_count: row.unreadCount,
          partner_online: online[index],
          archived: row.archived,
          paused: row.paused,
        })),
      };
    },
  );

  app.get<{ Params: { partner_email: string }; Querystring: HistoryQuery }>(
    '/api/chat/:partner_email/messages',
    {
      config: { access: 'archive' },
      schema: {
        summary: "A page of the pair's history, in id order",
        description:
          'The pair only, also for `ARCHIVE_DAYS` after an unmatch. Without `before`/`after`: the newest page. `has_more` says whether more messages lie beyond the page ' +
          'in the direction of paging: older ones for `before` (or no cursor), newer ones for `after` (up to `before` when both are given).',
        tags: ['chat'],
        security: signedIn,
        params: partnerParam,
        querystring: historyQuery,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['messages', 'has_more'],
              properties: {
                messages: { type: 'array', items: historyMessageSchema },
                has_more: { type: 'boolean' },
                undelivered: {
                  type: 'array',
                  items: undeliveredSchema,
                  description:
                    "On the newest page (no `before`, no `after`): the caller's own messages that the filter held or an admin rejected, since the page's first message. Never shown to the partner.",
                },
              },
            },
          },
          ['not_matched'],
        ),
      },
    },
    async (request) => {
      const { user, partner, pair } = pairOf(request);
      const query = request.query;
      const limit = Math.min(query.limit === undefined ? config.history.defaultLimit : Number(query.limit), config.history.maxLimit);
      const page = await store.messages.history(pair.id, {
        before: query.before === undefined ? undefined : Number(query.before),
        after: query.after === undefined ? undefined : Number(query.after),
        limit,
      });
      // The reporter's own page keeps saying which messages they reported, across sign-ins.
      const reported = new Set(
        await store.reports.reportedBy(
          user.id,
          page.messages.filter((message) => message.senderId === partner.id).map((message) => message.id),
        ),
      );
      const messages = page.messages.map((message) => {
        const shown = pairHistoryMessage(message, user, partner);
        return reported.has(message.id) ? { ...shown, reported: true as const } : shown;
      });
      await addReactions(store.changes, messages, [user, partner]);
      if (query.before !== undefined || query.after !== undefined) return { messages, has_more: page.hasMore };
      const since = page.hasMore ? (page.messages[0]?.createdAt ?? null) : null;
      const undelivered = await store.moderation.ownUndelivered(pair.id, user.id, since, null);
      return {
        messages,
        has_more: page.hasMore,
        undelivered: undelivered.filter((held) => held.editOf === null).map((held) => undeliveredMessage(held, user)),
      };
    },
  );

  app.post<{ Params: { partner_email: string } }>(
    '/api/chat/:partner_email/read',
    {
      config: { access: 'pair' },
      schema: {
        summary: "Mark the partner's messages read",
        description:
          'The same as the WebSocket `mark_read`: every unread message from the partner is marked read, and — when that marked ' +
          'any — the partner gets a `read_receipt` with `count` and `last_read_id`. Limited per user (`MARK_READ_RATE_PER_SECOND`, ' +
          '`MARK_READ_RATE_BURST`, per instance): past it, 429 with `Retry-After`.',
        tags: ['chat'],
        security: signedIn,
        params: partnerParam,
        body: emptyBody,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['count'],
              properties: { count: { type: 'integer', minimum: 0, description: 'Messages marked read' } },
            },
          },
          ['not_matched', 'rate_limited'],
        ),
      },
    },
    async (request, reply) => {
      const { user, partner, pair } = pairOf(request);
      if (!markReadRate.take(user.id)) {
        reply.header('retry-after', String(markReadRate.retryAfterSeconds()));
        throw new AppError('rate_limited');
      }
      const result = await store.messages.markRead(pair.id, user.id);
      if (result.count === 0) return { count: 0 };
      // The messages are marked in the store; a failed publish loses only the live notices.
      const onError = (error: unknown) => request.log.error({ err: error }, 'announcing a read failed');
      await announceRead({ hub: context.hub, channels: context.channels, onError }, pair.id, user, partner, result, null);
      return { count: result.count };
    },
  );
}

/** Presence of the partner; a presence backend that fails is logged and shows the partner offline rather than failing the list. */
async function partnerOnline(context: RouteContext, request: FastifyRequest, pairId: number, partner: User): Promise<boolean> {
  try {
    return await context.presence.isOnline(roomName(pairId), partner.id);
  } catch (error) {
    request.log.error({ err: error }, 'presence lookup failed');
    return false;
  }
}
