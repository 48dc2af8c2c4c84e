/**
 * The jobs that let stored data go, hourly on every instance, 1000 rows a statement (see
 * RetentionJob): `RETENTION_DAYS` (also at start), deleted messages' kept text
 * (`DELETED_RETENTION_DAYS`, from the start, not at it; one statement a run), and uploads never
 * sent, after a day whatever `RETENTION_DAYS` says (uploads sweep too).
 */
import type { Config } from '../config.js';
import { RetentionJob } from './retention.js';
import type { Store } from './types.js';

const RETENTION_INTERVAL_MS = 3600 * 1000;
const RETENTION_BATCH = 1000;

export function startRetentionJobs(store: Store, config: Config, onError: (error: unknown, context: string) => void): { stop(): void } {
  const { retentionDays } = config.safeguarding;
  const every = { batchSize: RETENTION_BATCH, intervalMs: RETENTION_INTERVAL_MS };
  const retention = retentionDays === null ? null : new RetentionJob({ store: store.dataRights, days: retentionDays, ...every, onError });
  void retention?.runOnce().catch((error: unknown) => onError(error, 'applying RETENTION_DAYS'));
  const deletedTexts = new RetentionJob({
    store: { deleteBefore: async (cutoff) => (await store.changes.eraseDeletedBefore(cutoff), 0) },
    days: config.conversation.deletedRetentionDays,
    ...every,
    onError: (error) => onError(error, 'applying DELETED_RETENTION_DAYS'),
  });
  const unsentFiles = new RetentionJob({
    store: { deleteBefore: (cutoff, limit) => store.attachments.deleteUnsentBefore(cutoff, limit) },
    days: 1,
    ...every,
    onError: (error) => onError(error, 'removing unsent uploads'),
  });
  return {
    stop() {
      retention?.stop();
      deletedTexts.stop();
      unsentFiles.stop();
    },
  };
}
