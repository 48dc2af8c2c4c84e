/**
 * Approving a held edit (PROTOCOL.md Part 8): the message gets the new text with the pair's
 * next `seq`, and the pair gets `message_edited` as for any edit. Audited like an approval.
 */
import type { FastifyRequest } from 'fastify';
import { roomName } from '../chat/room.js';
import { toChangeFrame } from '../chat/wire-message.js';
import { AppError } from '../errors.js';
import type { HistoryMessage } from '../protocol/http.js';
import type { HeldMessage, User } from '../store/index.js';
import { actorOf, audit } from './audit.js';
import type { RouteContext } from './context.js';
import { pairHistoryMessage } from './schemas.js';

export async function approveEdit(
  context: RouteContext,
  request: FastifyRequest,
  held: HeldMessage,
  people: { mentor: User; mentee: User },
): Promise<HistoryMessage> {
  const { store, hub } = context;
  const { change, message } = await store.changes.approveEdit(held.id, actorOf(request)).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found') throw new AppError('already_decided');
    throw error;
  });
  await audit(context, request, 'approve', `held:${held.id}`, { message_id: String(message.id), rule: held.rule, edit: true });
  const sender = held.senderId === people.mentor.id ? people.mentor : people.mentee;
  // Stored with a seq: gap fill and the delivery check bring it to the pair if this publish is lost.
  await hub.publish(roomName(held.pairId), { kind: 'change', change: toChangeFrame(change, sender) }).catch((error: unknown) => {
    request.log.error({ err: error }, 'publishing an approved edit failed');
  });
  return pairHistoryMessage(message, people.mentor, people.mentee);
}
