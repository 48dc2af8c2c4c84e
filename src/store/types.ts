/**
 * The Store: everything Tandem keeps, as a few parts split by concern, each a small
 * interface in its own file. One implementation per database (sqlite/, postgres/), each a
 * folder with one file per part, all held to the contract suites in test/contract/. Methods
 * speak the domain, always return Promises, and authorize writes at the moment of use (a
 * message is stored only while its pair is matched).
 */
import type { AttachmentStore } from './attachments.js';
import type { AuditStore } from './audit.js';
import type { ProgrammeStore } from './programme.js';
import type { AnnouncementStore } from './announcements.js';
import type { DataRightsStore } from './data-rights.js';
import type { MatchStore } from './matches.js';
import type { MessageChangeStore } from './message-changes.js';
import type { MessageStore } from './messages.js';
import type { ModerationStore } from './moderation.js';
import type { OutboxStore } from './outbox.js';
import type { ReportStore } from './reports.js';
import type { SearchStore } from './search.js';
import type { AccountStore, SessionStore } from './users.js';

export type * from './attachments.js';
export type * from './audit.js';
export type * from './programme.js';
export type * from './announcements.js';
export type * from './data-rights.js';
export type * from './matches.js';
export type * from './message-types.js';
export type * from './message-changes.js';
export type * from './messages.js';
export type * from './moderation.js';
export type * from './outbox.js';
export type * from './reports.js';
export type * from './search.js';
export type * from './users.js';
export { OUT_OF_ORDER } from './messages.js';
export { REPLY_PREVIEW_LENGTH, previewOf } from './message-types.js';
export { isChange, timelineAfter } from './message-changes.js';
export { HIGHLIGHT_END, HIGHLIGHT_START } from './search.js';
export { NO_PASSWORD, ROLES, counterpartRole, normalizeEmail } from './users.js';

export interface Store {
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly matches: MatchStore;
  readonly messages: MessageStore;
  readonly changes: MessageChangeStore;
  readonly moderation: ModerationStore;
  readonly reports: ReportStore;
  readonly audit: AuditStore;
  readonly outbox: OutboxStore;
  readonly dataRights: DataRightsStore;
  readonly programme: ProgrammeStore;
  readonly announcements: AnnouncementStore;
  readonly attachments: AttachmentStore;
  readonly search: SearchStore;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Stores what is pending, then closes. */
  close(): Promise<void>;
}

/** The names of the Store's parts, for what wraps each of them (see wrap.ts). */
export const STORE_PARTS = [
  'accounts',
  'sessions',
  'matches',
  'messages',
  'changes',
  'moderation',
  'reports',
  'audit',
  'outbox',
  'dataRights',
  'programme',
  'announcements',
  'attachments',
  'search',
] as const;
