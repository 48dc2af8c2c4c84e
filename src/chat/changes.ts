/**
 * What a connection's `edit_message`, `delete_message` and `react` frames do (PROTOCOL.md
 * Part 8): the change is checked and stored with the pair's next `seq` (store.changes), then
 * published to the pair's room like a message, so that every connection gets it once and in
 * order (see MessageFeed). Each frame takes its place among the connection's answers, so an
 * error for it comes after the echoes of what the connection sent before.
 */
import type { ConversationConfig } from '../config-types.js';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import { recordFrameRejected } from '../metrics.js';
import { encodeFrame } from '../protocol/encode.js';
import type { RoomEvent } from '../protocol/events.js';
import { ErrorText, type DeleteMessageIn, type EditMessageIn, type ErrorOut, type MessageStatusOut, type ReactIn } from '../protocol/frames.js';
import type { MessageFilter } from '../moderation/filter.js';
import type { MessageChange, MessageChangeStore, User } from '../store/index.js';
import type { Hub } from './hub.js';
import type { OwnMessage } from './message-feed.js';
import type { Outbound } from './outbound.js';
import { announceUnread, type Announcer } from './announce.js';
import { heldWireId, toChangeFrame } from './wire-message.js';

export type ChangeFrame = EditMessageIn | DeleteMessageIn | ReactIn;

export interface ChangeDeps {
  changes: Pick<MessageChangeStore, 'edit' | 'delete' | 'react' | 'holdEdit'>;
  conversation: ConversationConfig;
  filter: MessageFilter | null;
  hub: Pick<Hub, 'layerUp' | 'publish' | 'publishEventually'>;
  outbound: Pick<Outbound, 'own' | 'offer'>;
  announcer: Announcer;
  onError: (error: unknown, context: string) => void;
  user: User;
  partner: User;
  pairId: number;
  room: string;
}

/** The refusals a change may get, with the text and code of their error frames. */
const REFUSALS: Partial<Record<ErrorCode, string>> = {
  not_matched: ErrorText.notMatched,
  match_paused: ErrorText.matchPaused,
  message_not_found: ErrorText.messageNotFound,
  not_own_message: ErrorText.notOwnMessage,
  message_deleted: ErrorText.messageDeleted,
  edit_window_passed: ErrorText.editWindowPassed,
  unknown_reaction: ErrorText.unknownReaction,
};

/** Takes one change frame; resolves once it is stored and published, or answered. */
export async function takeChange(deps: ChangeDeps, frame: ChangeFrame): Promise<void> {
  const slot = deps.outbound.own();
  if (!deps.hub.layerUp) return slot.answer(encodeFrame(refusal(ErrorText.unavailable, 'unavailable')));
  try {
    const change = await store(deps, frame, slot);
    if (change === null) return slot.nothing();
    await publish(deps, change, slot);
    if (change.kind === 'delete') announceUnread(deps.announcer, deps.partner, deps.user, deps.pairId);
  } catch (error) {
    const text = isAppError(error) ? REFUSALS[error.code] : undefined;
    if (isAppError(error) && text !== undefined) {
      recordFrameRejected(error.code === 'match_paused' || error.code === 'not_matched' ? error.code : 'change_refused');
      return slot.answer(encodeFrame(refusal(text, error.code)));
    }
    recordFrameRejected('unavailable');
    deps.onError(error, `storing ${frame.type}`);
    slot.answer(encodeFrame(refusal(ErrorText.unavailable, 'unavailable')));
  }
}

/** Stores the change; null when nothing changed (a reaction as it already was, an edit held for review and answered). */
async function store(deps: ChangeDeps, frame: ChangeFrame, slot: OwnMessage): Promise<MessageChange | null> {
  const { changes, conversation, user, pairId } = deps;
  const target = { pairId, messageId: Number(frame.message_id), actorId: user.id };
  switch (frame.type) {
    case 'edit_message': {
      const windowMs = conversation.editWindowSeconds * 1000;
      // Filtered before anything is stored, as a message is: a held edit leaves the partner the previous text.
      const match = deps.filter?.check(frame.content, { pairId, senderId: user.id }) ?? null;
      if (match !== null) {
        const held = await changes.holdEdit({ ...target, content: frame.content, windowMs, rule: match.rule, matched: match.text });
        const status: MessageStatusOut = {
          type: 'message_status',
          message_id: frame.message_id,
          status: 'held',
          rule: match.rule,
          held_id: heldWireId(held.id),
        };
        slot.answer(encodeFrame(status));
        return null;
      }
      return (await changes.edit({ ...target, content: frame.content, windowMs })).change;
    }
    case 'delete_message':
      return (await changes.delete({ ...target, keep: conversation.deletedRetentionDays > 0 })).change;
    case 'react':
      if (!conversation.reactions.includes(frame.emoji)) throw new AppError('unknown_reaction');
      return changes.react({ ...target, emoji: frame.emoji, on: frame.on });
  }
}

async function publish(deps: ChangeDeps, change: MessageChange, slot: OwnMessage): Promise<void> {
  const { hub, room, onError, outbound } = deps;
  const event: RoomEvent = { kind: 'change', change: toChangeFrame(change, deps.user) };
  try {
    await hub.publish(room, event);
  } catch (error) {
    // Stored, so it is in the pair's timeline: this connection gets it now, the room as soon as the layer takes it again.
    onError(error, 'publishing a change');
    outbound.offer(change.seq, encodeFrame(event.change));
    hub.publishEventually(room, event, (lost) => onError(lost, 'republishing a change'));
  }
  slot.stored(change.seq);
}

function refusal(message: string, code: string): ErrorOut {
  return { type: 'error', message, code };
}
