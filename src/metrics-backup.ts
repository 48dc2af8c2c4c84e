/** The metrics of scheduled backups (see operations/backup-schedule.ts): when the last good one was, and how many failed. */
import { Counter, Gauge } from 'prom-client';
import { registry } from './metrics-registry.js';

let lastSuccessMs: number | null = null;

const lastSuccess = new Gauge({
  name: 'tandem_backup_last_success_timestamp_seconds',
  help: 'When the last good scheduled backup of this instance finished (Unix time); 0 before the first',
  registers: [registry],
});

new Gauge({
  name: 'tandem_backup_last_success_age_seconds',
  help: 'Seconds since the last good scheduled backup of this instance finished; -1 before the first',
  registers: [registry],
  collect() {
    this.set(lastSuccessMs === null ? -1 : (Date.now() - lastSuccessMs) / 1000);
  },
});

const failures = new Counter({
  name: 'tandem_backup_failures_total',
  help: 'Scheduled backups that failed (the copy, its integrity_check, or writing it); a failed backup never replaces a good one',
  registers: [registry],
});
failures.inc(0);

const lastDuration = new Gauge({ name: 'tandem_backup_last_duration_seconds', help: 'How long the last good scheduled backup took', registers: [registry] });
const lastSize = new Gauge({ name: 'tandem_backup_last_size_bytes', help: 'The size of the last good scheduled backup', registers: [registry] });

/** A good backup finished at `finishedAt` after `ms`, `bytes` long. */
export function recordBackupSuccess(finishedAt: Date, ms: number, bytes: number): void {
  lastSuccessMs = finishedAt.getTime();
  lastSuccess.set(lastSuccessMs / 1000);
  lastDuration.set(ms / 1000);
  lastSize.set(bytes);
}

/** A scheduled backup failed. */
export function recordBackupFailure(): void {
  failures.inc();
}
