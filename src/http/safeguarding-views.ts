/**
 * How admins see what safeguarding keeps: held messages and reports with their pair and
 * 10 messages of context, audit entries. Shapes and schemas together, as in schemas.ts.
 */
import type { AuditEntry, HeldMessage, Message, Report, Store, User } from '../store/index.js';
import { heldWireId, toWireAttachment } from '../chat/wire-message.js';
import { showInvisible } from '../moderation/reader-view.js';
import { HOLD_RULES } from '../protocol/frames.js';
import { attachmentSchema, historyMessageSchema, pairHistoryMessage, publicUser, userSchema } from './schemas.js';
import { addVersions } from './message-extras.js';
import type { HistoryMessage } from '../protocol/http.js';

/** Messages of context around a held or reported message (PROTOCOL.md Part 7). */
export const CONTEXT_MESSAGES = 10;

/** The two people of each pair in `pairIds`. */
export async function peopleOf(store: Store, pairIds: readonly number[]): Promise<Map<number, { mentor: User; mentee: User }>> {
  const pairs = (await Promise.all([...new Set(pairIds)].map((id) => store.matches.pairById(id)))).filter((pair) => pair !== null);
  const users = new Map((await store.accounts.byIds(pairs.flatMap((pair) => [pair.mentorId, pair.menteeId]))).map((user) => [user.id, user]));
  return new Map(pairs.map((pair) => [pair.id, { mentor: users.get(pair.mentorId)!, mentee: users.get(pair.menteeId)! }]));
}

const contextOf = (messages: readonly Message[], people: { mentor: User; mentee: User }) =>
  messages.map((message) => pairHistoryMessage(message, people.mentor, people.mentee));

const pairSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mentor', 'mentee'],
  properties: { mentor: userSchema, mentee: userSchema },
} as const;
const contextSchema = {
  type: 'array',
  items: historyMessageSchema,
  description: `Up to ${CONTEXT_MESSAGES} of the pair's messages up to this one, oldest first`,
} as const;

export const heldViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['message_id', 'sender', 'receiver', 'content', 'timestamp', 'status', 'rule', 'matched', 'context'],
  properties: {
    message_id: { type: 'string', description: "`h<digits>`: the held message's own id" },
    sender: userSchema,
    receiver: userSchema,
    content: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['held', 'approved', 'rejected'] },
    rule: { type: 'string', enum: [...HOLD_RULES] },
    matched: {
      type: 'string',
      description:
        "The text the rule matched, as the filter read it: look-alike letters and other scripts' digits as Latin ones, invisible characters gone, in display order, lower case",
    },
    content_marked: {
      type: 'string',
      description: 'Only when the content has invisible or format characters: the content with each shown by its code point (`⟨U+200B⟩`)',
    },
    reason: { type: 'string' },
    attachments: {
      type: 'array',
      items: attachmentSchema,
      description: 'The files sent with it: an admin opens each at `GET /api/attachments/{attachment_id}`',
    },
    context: contextSchema,
  },
} as const;

/** A held message as the moderation queue shows it. */
export async function heldView(store: Store, held: HeldMessage, people: { mentor: User; mentee: User }) {
  const sender = held.senderId === people.mentor.id ? people.mentor : people.mentee;
  const receiver = sender === people.mentor ? people.mentee : people.mentor;
  const context = await store.messages.upTo(held.pairId, { at: held.createdAt }, CONTEXT_MESSAGES);
  return {
    message_id: heldWireId(held.id),
    sender: publicUser(sender),
    receiver: publicUser(receiver),
    content: held.content,
    timestamp: held.createdAt.toISOString(),
    status: held.status,
    rule: held.rule,
    matched: held.matched,
    ...(showInvisible(held.content) === held.content ? {} : { content_marked: showInvisible(held.content) }),
    ...(held.reason === null ? {} : { reason: held.reason }),
    ...(held.attachments?.length ? { attachments: held.attachments.map(toWireAttachment) } : {}),
    context: await withVersions(store, contextOf(context, people)),
  };
}

/** Admins see the earlier versions of what they are shown (PROTOCOL.md Part 8). */
async function withVersions<T extends HistoryMessage>(store: Store, views: T[]): Promise<T[]> {
  await addVersions(store.changes, views);
  return views;
}

export const reportViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['report_id', 'message', 'reporter', 'pair', 'reason', 'created_at', 'resolved_at', 'resolved_by', 'resolution', 'context'],
  properties: {
    report_id: { type: 'string' },
    message: historyMessageSchema,
    reporter: userSchema,
    pair: pairSchema,
    reason: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    resolved_at: { type: ['string', 'null'], format: 'date-time' },
    resolved_by: { type: ['string', 'null'] },
    resolution: { type: ['string', 'null'] },
    context: contextSchema,
  },
} as const;

/** A report as admins see it, whatever the policy: the message, who reported it, and its context. */
export async function reportView(store: Store, report: Report, people: { mentor: User; mentee: User }) {
  const context = await store.messages.upTo(report.pairId, { id: report.messageId }, CONTEXT_MESSAGES);
  const message = context.find((m) => m.id === report.messageId) ?? (await store.messages.byId(report.messageId))!;
  const reporter = report.reporterId === people.mentor.id ? people.mentor : people.mentee;
  return {
    report_id: String(report.id),
    message: (await withVersions(store, [pairHistoryMessage(message, people.mentor, people.mentee)]))[0]!,
    reporter: publicUser(reporter),
    pair: { mentor: publicUser(people.mentor), mentee: publicUser(people.mentee) },
    reason: report.reason,
    created_at: report.createdAt.toISOString(),
    resolved_at: report.resolvedAt?.toISOString() ?? null,
    resolved_by: report.resolvedBy,
    resolution: report.resolution,
    context: await withVersions(store, contextOf(context, people)),
  };
}

export const auditEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'at', 'actor', 'action', 'target', 'detail'],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: "An admin's email, a participant's (a report), or `api:<name>`" },
    action: { type: 'string', description: '`view`, `approve`, `reject`, `report`, `resolve`, `match`, `unmatch`, …' },
    target: { type: 'string', description: '`pair:<id>`, `held:<id>`, `message:<id>`, `report:<id>`, `user:<email>`' },
    detail: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

export const auditView = (entry: AuditEntry) => ({
  id: String(entry.id),
  at: entry.at.toISOString(),
  actor: entry.actor,
  action: entry.action,
  target: entry.target,
  detail: entry.detail,
});
