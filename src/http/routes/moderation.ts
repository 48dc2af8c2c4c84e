/**
 * The moderation queue of policy `moderated` (PROTOCOL.md Part 7): held messages with their
 * context; approval delivers one as a normal `chat_message` with the pair's next `seq`,
 * rejection tells its sender. Every decision is audited.
 */
import type { FastifyInstance } from 'fastify';
import { roomName } from '../../chat/room.js';
import { toWireMessage } from '../../chat/wire-message.js';
import { approveEdit } from '../held-edits.js';
import { AppError } from '../../errors.js';
import { audit, actorOf } from '../audit.js';
import type { RouteContext } from '../context.js';
import { heldView, heldViewSchema, peopleOf } from '../safeguarding-views.js';
import { emptyBody, historyMessage, historyMessageSchema, signedIn, withErrors } from '../schemas.js';

const heldParam = {
  type: 'object',
  additionalProperties: false,
  required: ['message_id'],
  properties: { message_id: { type: 'string', pattern: '^h[0-9]{1,15}$', description: "A held message's id, `h<digits>`" } },
} as const;
const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^h[0-9]{1,15}$', description: 'Only held messages after this one (paging forward)' },
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: 'Page size, at most 100 (default 50)' },
  },
} as const;
const rejectBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S', 'x-text': 'prose', description: 'Shown to the sender' } },
} as const;

const heldId = (wire: string): number => Number(wire.slice(1));

export function moderationRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, hub } = context;

  /** The held message of the path, still held: 404 `held_not_found` when there is none, 409 once decided. */
  const pending = async (wire: string) => {
    const held = await store.moderation.heldById(heldId(wire));
    if (!held) throw new AppError('held_not_found');
    if (held.status !== 'held') throw new AppError('already_decided');
    return held;
  };

  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/api/moderation',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Held messages awaiting review',
        description:
          'ADMIN only. Oldest first, each with its sender, receiver, the rule that held it and up to 10 messages of context. Empty unless `CONVERSATION_POLICY=moderated` held something.',
        tags: ['safeguarding'],
        security: signedIn,
        querystring: pageQuery,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['held', 'has_more'],
              properties: { held: { type: 'array', items: heldViewSchema }, has_more: { type: 'boolean' } },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? 50), 100);
      const page = await store.moderation.pending(limit, request.query.after === undefined ? 0 : heldId(request.query.after));
      const people = await peopleOf(
        store,
        page.items.map((held) => held.pairId),
      );
      const held = await Promise.all(page.items.map((item) => heldView(store, item, people.get(item.pairId)!)));
      return { held, has_more: page.hasMore };
    },
  );

  app.post<{ Params: { message_id: string } }>(
    '/api/moderation/:message_id/approve',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Approve a held message',
        description:
          "ADMIN only. The message takes the pair's next `seq` and reaches both participants, on every instance, as a normal `chat_message`. " +
          'A held edit (PROTOCOL.md Part 8) edits its message instead: the pair gets `message_edited`, and the answer is the message as edited. Audited.',
        tags: ['safeguarding'],
        security: signedIn,
        params: heldParam,
        body: emptyBody,
        response: withErrors(
          {
            200: { type: 'object', additionalProperties: false, required: ['message'], properties: { message: historyMessageSchema } },
          },
          ['forbidden', 'held_not_found', 'already_decided', 'not_matched', 'message_deleted'],
        ),
      },
    },
    async (request) => {
      const held = await pending(request.params.message_id);
      const people = (await peopleOf(store, [held.pairId])).get(held.pairId)!;
      if (held.editOf !== null) return { message: await approveEdit(context, request, held, people) };
      const { message } = await store.moderation.approve(held.id, actorOf(request)).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'not_found') throw new AppError('already_decided');
        throw error;
      });
      await audit(context, request, 'approve', `held:${held.id}`, { message_id: String(message.id), rule: held.rule });
      const sender = held.senderId === people.mentor.id ? people.mentor : people.mentee;
      const wire = toWireMessage(message, sender);
      // Stored: the room gets it now, or from the store (gap fill, the delivery check) if this publish is lost.
      await hub.publish(roomName(held.pairId), { kind: 'chat_message', message: wire }).catch((error: unknown) => {
        request.log.error({ err: error }, 'publishing an approved message failed');
      });
      return { message: historyMessage(message, sender) };
    },
  );

  app.post<{ Params: { message_id: string }; Body: { reason: string } }>(
    '/api/moderation/:message_id/reject',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Reject a held message',
        description: "ADMIN only. The message is never delivered; its sender's connections get `message_status` `rejected` with the reason. Audited.",
        tags: ['safeguarding'],
        security: signedIn,
        params: heldParam,
        body: rejectBody,
        response: withErrors({ 200: { type: 'object', additionalProperties: false, required: ['held'], properties: { held: heldViewSchema } } }, [
          'forbidden',
          'held_not_found',
          'already_decided',
        ]),
      },
    },
    async (request) => {
      const held = await pending(request.params.message_id);
      const reason = request.body.reason.trim();
      const rejected = await store.moderation.reject(held.id, actorOf(request), reason).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'not_found') throw new AppError('already_decided');
        throw error;
      });
      await audit(context, request, 'reject', `held:${held.id}`, { rule: held.rule, reason });
      const people = (await peopleOf(store, [held.pairId])).get(held.pairId)!;
      const sender = held.senderId === people.mentor.id ? people.mentor : people.mentee;
      const status = { type: 'message_status', message_id: request.params.message_id, status: 'rejected', reason } as const;
      await hub.publish(roomName(held.pairId), { kind: 'message_status', sender_id: sender.id, status }).catch((error: unknown) => {
        // The rejection is stored: the sender's history shows it.
        request.log.error({ err: error }, 'publishing a rejection failed');
      });
      return { held: await heldView(store, rejected, people) };
    },
  );
}
