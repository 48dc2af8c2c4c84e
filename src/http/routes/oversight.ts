/**
 * What admins may see of conversations (PROTOCOL.md Part 7, `CONVERSATION_POLICY`): every
 * pair's metadata under every policy; a pair's content only under `oversight` and
 * `moderated`, where each opening is audited and the pair is shown an `admin_viewed` notice,
 * live and in history. Under `private` content is 403 (reports are the exception, see
 * reports.ts). The audit log itself, append-only, paged.
 */
import { auditNames, auditNamesSchema } from '../audit-names.js';
import type { FastifyInstance } from 'fastify';
import { roomName } from '../../chat/room.js';
import { fullName, toNotice } from '../../chat/wire-message.js';
import { AppError } from '../../errors.js';
import { callerOf } from '../access.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { auditEntrySchema, auditView, peopleOf } from '../safeguarding-views.js';
import { addReactions, addVersions } from '../message-extras.js';
import { historyMessageSchema, pairHistoryMessage, messageIdSchema, publicUser, signedIn, userSchema, withErrors } from '../schemas.js';

const pageLimit = { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: 'Page size, at most 200 (default 50)' } as const;
const pairParam = { type: 'object', additionalProperties: false, required: ['pair_id'], properties: { pair_id: messageIdSchema } } as const;
const summarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pair_id', 'mentor', 'mentee', 'active', 'message_count', 'last_activity'],
  properties: {
    pair_id: { type: 'string' },
    mentor: userSchema,
    mentee: userSchema,
    active: { type: 'boolean' },
    message_count: { type: 'integer', minimum: 0 },
    last_activity: { type: ['string', 'null'], format: 'date-time', description: 'When the newest message was sent' },
  },
} as const;

export function oversightRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, hub, config } = context;
  const limitOf = (text: string | undefined) => Math.min(Number(text ?? 50), 200);

  app.get(
    '/api/conversations',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Every pair's metadata",
        description: 'ADMIN only, under every policy: who, whether matched, how many messages, the last activity. No content.',
        tags: ['safeguarding'],
        security: signedIn,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['policy', 'conversations'],
              properties: {
                policy: { type: 'string', enum: ['private', 'oversight', 'moderated'] },
                conversations: { type: 'array', items: summarySchema },
              },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async () => {
      const summaries = await store.matches.pairSummaries();
      const people = await peopleOf(
        store,
        summaries.map((summary) => summary.pairId),
      );
      return {
        policy: config.safeguarding.policy,
        conversations: summaries.map((summary) => {
          const { mentor, mentee } = people.get(summary.pairId)!;
          return {
            pair_id: String(summary.pairId),
            mentor: publicUser(mentor),
            mentee: publicUser(mentee),
            active: summary.active,
            message_count: summary.messageCount,
            last_activity: summary.lastActivity?.toISOString() ?? null,
          };
        }),
      };
    },
  );

  // A POST, not a GET: opening is audited and tells the pair, and a GET is what a link on another
  // site makes a signed-in admin's browser send (SameSite=Lax cookies go with a top-level GET).
  app.post<{ Params: { pair_id: string }; Body: { before?: string; limit?: string } | null }>(
    '/api/conversations/:pair_id/messages',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Open a conversation',
        description:
          "ADMIN only, under `oversight` and `moderated`: a page of the pair's history (as the pair sees it, notices included). " +
          'Every opening is audited, and the pair gets a `notice` `admin_viewed` live and in history (one per uninterrupted viewing). ' +
          'Under `private`: 403 `conversation_private`. A POST (with the origin check of every state-changing request), so that ' +
          'no link or embedded resource can make an admin open a conversation.',
        tags: ['safeguarding'],
        security: signedIn,
        params: pairParam,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { before: messageIdSchema, limit: pageLimit } },
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['messages', 'has_more'],
              properties: {
                messages: { type: 'array', items: historyMessageSchema },
                has_more: { type: 'boolean' },
              },
            },
          },
          ['forbidden', 'conversation_private', 'conversation_not_found'],
        ),
      },
    },
    async (request) => {
      if (config.safeguarding.policy === 'private') throw new AppError('conversation_private');
      const { user } = callerOf(request);
      const pairId = Number(request.params.pair_id);
      const people = (await peopleOf(store, [pairId])).get(pairId);
      if (!people) throw new AppError('conversation_not_found');
      await audit(context, request, 'view', `pair:${pairId}`, { mentor: people.mentor.email, mentee: people.mentee.email });
      // A notice names a user of the store; an API key (`api:<name>`, no row of its own) gets one, without a password.
      const actor =
        user.id > 0 ? user : (await store.accounts.upsert({ email: user.email, firstName: user.firstName, lastName: user.lastName, role: 'ADMIN' })).user;
      const { notice, created } = await store.audit.addViewedNotice(pairId, actor.id, fullName(actor) || actor.email);
      if (created) {
        await hub.publish(roomName(pairId), { kind: 'notice', notice: toNotice(notice) }).catch((error: unknown) => {
          // Stored with a seq: gap fill and the delivery check bring it to the pair.
          request.log.error({ err: error }, 'publishing an admin_viewed notice failed');
        });
      }
      const { before, limit } = request.body ?? {};
      const page = await store.messages.history(pairId, { before: before === undefined ? undefined : Number(before), limit: limitOf(limit) });
      const messages = page.messages.map((message) => pairHistoryMessage(message, people.mentor, people.mentee));
      await Promise.all([addReactions(store.changes, messages, [people.mentor, people.mentee]), addVersions(store.changes, messages)]);
      return { messages, has_more: page.hasMore };
    },
  );

  app.get<{ Querystring: { before?: string; limit?: string } }>(
    '/api/audit',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'The audit log',
        description:
          'ADMIN only. Newest first; `before` pages back. Each entry carries `names`: the people it is about, by name, for a sentence a person reads. Append-only: no route changes or deletes an entry, and the database refuses it.',
        tags: ['safeguarding'],
        security: signedIn,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { before: { ...messageIdSchema, description: 'Only entries older than this id' }, limit: pageLimit },
        },
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['entries', 'has_more'],
              properties: {
                entries: {
                  type: 'array',
                  items: {
                    ...auditEntrySchema,
                    required: [...auditEntrySchema.required, 'names'],
                    properties: { ...auditEntrySchema.properties, names: auditNamesSchema },
                  },
                },
                has_more: { type: 'boolean' },
              },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async (request) => {
      const page = await store.audit.page(limitOf(request.query.limit), request.query.before === undefined ? undefined : Number(request.query.before));
      const names = await auditNames(store, page.items);
      return { entries: page.items.map((entry, index) => ({ ...auditView(entry), names: names[index]! })), has_more: page.hasMore };
    },
  );
}
