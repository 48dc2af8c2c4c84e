/**
 * Versioned schema migrations, applied in order at start. Each version has one script per
 * SQL dialect; both describe the same schema. A released migration is never edited: a
 * change is a new version.
 */
import { initial } from './001-initial.js';
import { messagesByPairId } from './002-messages-by-pair-id.js';
import { loginAttempts } from './003-login-attempts.js';
import { importedMessages } from './004-imported-messages.js';
import { webhookOutbox } from './005-webhook-outbox.js';
import { pairPause } from './006-pair-pause.js';
import { safeguarding } from './007-safeguarding.js';
import { webhookSafeguarding } from './008-webhook-safeguarding.js';
import { platformIdentity } from './009-platform-identity.js';
import { auditById } from './010-audit-by-id.js';
import { moderationWords } from './011-moderation-words.js';
import { messageChanges } from './012-message-changes.js';
import { attachmentsSearch } from './013-attachments-search.js';
import { pairHealth } from './016-pair-health.js';
import { announcements } from './017-announcements.js';
import { searchEdits } from './018-search-edits.js';
import { passwordResets } from './019-password-resets.js';
import type { Migration } from './runner.js';

export type { Migration } from './runner.js';

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  messagesByPairId,
  loginAttempts,
  importedMessages,
  webhookOutbox,
  pairPause,
  safeguarding,
  webhookSafeguarding,
  platformIdentity,
  auditById,
  moderationWords,
  messageChanges,
  attachmentsSearch,
  pairHealth,
  announcements,
  searchEdits,
  passwordResets,
];
