/**
 * JSON schemas shared by routes, the public shapes built from store records, and the
 * helpers that declare error responses. Route schemas are the single source of the OpenAPI
 * document (see openapi.ts), so every schema here says what it means in `description`.
 */
import { HOLD_RULES } from '../protocol/frames.js';
import type { HistoryMessage, PublicMatch, PublicUser, UndeliveredMessage } from '../protocol/http.js';
import { ErrorCatalogue, type ErrorCode } from '../errors.js';
import type { HeldMessage, Match, Message, User } from '../store/index.js';
import { senderOf, toHeldEcho, toWireMessage } from '../chat/wire-message.js';

/** An address; the email rule (protocol/email.ts) decides what it is, the same on every path, Unicode included. */
export const emailSchema = {
  type: 'string',
  minLength: 3,
  maxLength: 254,
  'x-text': 'email',
  description: 'An email address: NFC, compared lower-cased, nothing invisible',
} as const;
export const passwordSchema = { type: 'string', minLength: 8, maxLength: 1024, 'x-text': 'secret' } as const;
export const nameSchema = { type: 'string', minLength: 1, maxLength: 150, pattern: '\\S', 'x-text': 'label' } as const;
/** A message id as the wire shows it: decimal digits, at most 15 so it stays an exact JS number. */
export const messageIdSchema = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;

/**
 * The OpenAPI security requirement of routes that need a caller: the session cookie, or a
 * bearer (a platform's token with `AUTH=jwt`, or — admin routes — a server API key).
 */
export const signedIn: Array<Record<string, string[]>> = [{ session: [] }, { bearer: [] }];

/** A body that must be absent or `{}`: actions without parameters (an absent body is `null`, see server.ts). */
export const emptyBody = { type: ['object', 'null'], additionalProperties: false, maxProperties: 0, description: 'No parameters: absent or `{}`' } as const;

/** A path parameter naming a user by email (compared case-insensitively). */
export const emailParam = (name: string, description: string) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: [name],
    properties: { [name]: { type: 'string', minLength: 1, maxLength: 254, 'x-text': 'email', description } },
  }) as const;

export const newUserBody = (roles: readonly string[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password', 'first_name', 'last_name', 'role'],
    properties: {
      email: emailSchema,
      password: passwordSchema,
      first_name: nameSchema,
      last_name: nameSchema,
      role: { type: 'string', enum: roles },
    },
  }) as const;

export interface NewUserBody {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  role: 'MENTOR' | 'MENTEE' | 'ADMIN';
}

export const userSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'first_name', 'last_name', 'role'],
  properties: {
    email: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    role: { type: 'string', enum: ['MENTOR', 'MENTEE', 'ADMIN'] },
  },
} as const;

export const matchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mentor', 'mentee', 'matched_at', 'paused'],
  properties: {
    mentor: userSchema,
    mentee: userSchema,
    matched_at: { type: 'string', format: 'date-time' },
    paused: { type: 'boolean', description: 'Paused by an admin: the pair reads but cannot send' },
  },
} as const;

/** A file as a message shows it (PROTOCOL.md Part 8). */
export const attachmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['attachment_id', 'name', 'content_type', 'size'],
  properties: {
    attachment_id: { ...messageIdSchema, description: 'Its bytes are at `GET /api/attachments/{attachment_id}`' },
    name: { type: 'string', description: 'The file name its sender gave' },
    content_type: { type: 'string', description: "The type decided from the file's bytes" },
    size: { type: 'integer', minimum: 0, description: 'Bytes, after an image lost its metadata' },
  },
} as const;

/** A message of the history: the WebSocket `chat_message` fields plus `is_read`. */
export const historyMessageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['message_id', 'seq', 'sender_email', 'sender_name', 'content', 'timestamp', 'is_read'],
  properties: {
    message_id: messageIdSchema,
    seq: { type: 'integer', minimum: 1, description: 'Position in the pair, contiguous from 1' },
    sender_email: { type: 'string' },
    sender_name: { type: 'string', description: '"First Last"' },
    content: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    is_read: { type: 'boolean', description: 'Whether the receiver marked it read' },
    client_id: { type: 'string', description: "The sender's idempotency key, when it sent one" },
    kind: { type: 'string', enum: ['admin_viewed'], description: 'Only on a notice: an admin viewed the conversation (policies `oversight`, `moderated`)' },
    actor_name: { type: 'string', description: 'Only on a notice: who viewed it' },
    edited_at: { type: 'string', format: 'date-time', description: 'When its content was last edited; absent if never' },
    deleted: { type: 'boolean', description: 'Deleted by its sender: `content` is empty' },
    reply_to: { ...messageIdSchema, description: 'The message it answers' },
    reply_preview: {
      type: 'object',
      additionalProperties: false,
      required: ['message_id', 'sender_email', 'content'],
      properties: {
        message_id: messageIdSchema,
        sender_email: { type: 'string' },
        content: { type: 'string', description: 'The first 100 characters of the message it answers; empty once that is deleted or erased' },
      },
    },
    reactions: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
      description: 'Emoji → the emails of the users who reacted with it',
    },
    versions: {
      type: 'array',
      description: "Admins only: the texts edits replaced, and a deleted message's text while it is kept (`DELETED_RETENTION_DAYS`), oldest first",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['content', 'cause', 'replaced_at'],
        properties: { content: { type: 'string' }, cause: { type: 'string', enum: ['edit', 'delete'] }, replaced_at: { type: 'string', format: 'date-time' } },
      },
    },
    attachments: { type: 'array', items: attachmentSchema, description: 'The files sent with it; absent when none' },
    reported: { type: 'boolean', enum: [true], description: "Only in the reporter's own history: they reported this message" },
  },
} as const;

/** One of the caller's own messages that was held or rejected (see `UndeliveredMessage`). */
export const undeliveredSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['message_id', 'sender_email', 'sender_name', 'content', 'timestamp', 'status', 'rule'],
  properties: {
    message_id: { type: 'string', description: "The held message's id, `h<digits>`: not a position in the pair" },
    sender_email: { type: 'string' },
    sender_name: { type: 'string' },
    content: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    client_id: { type: 'string' },
    status: { type: 'string', enum: ['held', 'rejected'] },
    rule: {
      type: 'string',
      enum: [...HOLD_RULES],
      description: 'The filter rule that held it, or `attachment` (every message with files is held under `moderated`)',
    },
    attachments: { type: 'array', items: attachmentSchema },
    reason: { type: 'string', description: 'Why it was rejected' },
  },
} as const;

export function publicUser(user: User): PublicUser {
  return { email: user.email, first_name: user.firstName, last_name: user.lastName, role: user.role };
}

export function publicMatch(match: Match): PublicMatch {
  return { mentor: publicUser(match.mentor), mentee: publicUser(match.mentee), matched_at: match.matchedAt.toISOString(), paused: match.paused };
}

/** A stored message as history shows it; `sender` is whichever of the pair sent it (unused for a notice). */
export function historyMessage(message: Message, sender: User, other?: User): HistoryMessage {
  if (message.kind === 'admin_viewed') {
    return {
      message_id: String(message.id),
      seq: message.seq,
      sender_email: '',
      sender_name: message.content,
      content: `${message.content} (an administrator) viewed this conversation`,
      timestamp: message.createdAt.toISOString(),
      is_read: true,
      kind: 'admin_viewed',
      actor_name: message.content,
    };
  }
  return { ...toWireMessage(message, sender, other), is_read: message.isRead };
}

/** A message of the pair of `one` and `other` as history shows it, whichever of them sent it. */
export function pairHistoryMessage(message: Message, one: User, other: User): HistoryMessage {
  const sender = senderOf(message, one, other);
  return historyMessage(message, sender, sender === one ? other : one);
}

/** A held or rejected message as its sender's history shows it. */
export function undeliveredMessage(held: HeldMessage, sender: User): UndeliveredMessage {
  const { type: _type, status: _held, ...echo } = toHeldEcho(held, sender);
  const row: UndeliveredMessage = { ...echo, status: held.status === 'rejected' ? 'rejected' : 'held' };
  if (held.reason !== null) row.reason = held.reason;
  return row;
}

/** The error body, its `error` limited to `codes`; the description lists when each happens. */
export function errorBody(codes: readonly ErrorCode[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['error', 'message'],
    properties: { error: { type: 'string', enum: [...codes] }, message: { type: 'string' } },
    description: codes.map((code) => `\`${code}\`: ${ErrorCatalogue[code].message}`).join('; '),
  } as const;
}

type ResponseSchemas = Record<string, unknown>;

/**
 * Adds the error responses of `codes` to `responses`, one per status; codes sharing a
 * status (403 `forbidden` and `origin_not_allowed`) share its body's enum. Returns a new object.
 */
export function withErrors(responses: ResponseSchemas, codes: readonly ErrorCode[]): ResponseSchemas {
  const result: ResponseSchemas = { ...responses };
  for (const code of codes) {
    const status = String(ErrorCatalogue[code].status);
    const existing = result[status] as { properties?: { error?: { enum?: ErrorCode[] } } } | undefined;
    const known = existing?.properties?.error?.enum;
    if (existing && !known) continue; // a success or custom body: left alone
    if (known?.includes(code)) continue;
    result[status] = errorBody([...(known ?? []), code]);
  }
  return result;
}
