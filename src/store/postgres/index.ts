/**
 * The shared Store: PostgreSQL through node-postgres, for several Tandem instances at once.
 * One file per part; they share the pool, its transactions (tx.ts), the pair's next `seq`
 * (seq.ts) and the outbox's writes (events.ts). A database that is unreachable at start does
 * not stop it: the store opens anyway, answers `unavailable`, and keeps trying to migrate in
 * the background until it can.
 */
import type pg from 'pg';
import { AppError } from '../../errors.js';
import { isPostgresUnavailable } from '../backend-errors.js';
import type { OutboxOptions, Store } from '../types.js';
import { PostgresAccounts } from './accounts.js';
import { PostgresAttachments } from './attachments.js';
import { PostgresAudit } from './audit.js';
import { PostgresDataRights } from './data-rights.js';
import { EventWriter } from './events.js';
import { PostgresMatches } from './matches.js';
import { PostgresMessages } from './messages.js';
import { PostgresMessageChanges } from './message-changes.js';
import { migrate } from './migrate.js';
import { PostgresModeration } from './moderation.js';
import { PostgresOutbox } from './outbox.js';
import { PostgresProgramme } from './programme.js';
import { PostgresAnnouncements } from './announcements.js';
import { createPool, rowsOf, type PoolSettings } from './pool.js';
import { PostgresReports } from './reports.js';
import { PostgresSearch } from './search.js';
import { PostgresSessions } from './sessions.js';
import type { PostgresContext } from './context.js';

/** Migration retries while the database is unreachable: from the first delay, doubling, up to the last. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

/** How PostgresStore connects; `onRetry` hears of each failed background migration attempt. */
export interface PostgresOptions extends Omit<PoolSettings, 'timeoutMs'> {
  timeoutMs?: number;
  /** Whether appends and match changes write webhook events; null or absent: they do not. */
  outbox?: OutboxOptions | null;
  onRetry?: (error: unknown) => void;
}

export class PostgresStore implements Store {
  readonly accounts: PostgresAccounts;
  readonly sessions: PostgresSessions;
  readonly matches: PostgresMatches;
  readonly messages: PostgresMessages;
  readonly changes: PostgresMessageChanges;
  readonly moderation: PostgresModeration;
  readonly reports: PostgresReports;
  readonly audit: PostgresAudit;
  readonly outbox: PostgresOutbox;
  readonly dataRights: PostgresDataRights;
  readonly programme: PostgresProgramme;
  readonly announcements: PostgresAnnouncements;
  readonly attachments: PostgresAttachments;
  readonly search: PostgresSearch;
  /** False until the migrations are applied; until then every call answers `unavailable`. */
  private migrated = false;
  private closing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly connections: pg.Pool,
    outbox: OutboxOptions | null,
  ) {
    const pool = () => this.pool();
    const context: PostgresContext = { pool, events: new EventWriter(outbox) };
    this.accounts = new PostgresAccounts(pool);
    this.sessions = new PostgresSessions(pool);
    this.matches = new PostgresMatches(context);
    this.messages = new PostgresMessages(context);
    this.changes = new PostgresMessageChanges(context);
    this.moderation = new PostgresModeration(context);
    this.reports = new PostgresReports(context);
    this.audit = new PostgresAudit(context);
    this.outbox = new PostgresOutbox(pool);
    this.programme = new PostgresProgramme(context);
    this.announcements = new PostgresAnnouncements(context);
    this.dataRights = new PostgresDataRights(context);
    this.attachments = new PostgresAttachments(context);
    this.search = new PostgresSearch(context);
  }

  /**
   * Connects a pool of at most `poolSize` connections and applies pending migrations. When
   * the database cannot be reached, resolves anyway with a store that answers `unavailable`
   * and retries the migrations with backoff until they succeed; other failures reject.
   */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const store = new PostgresStore(createPool({ url: options.url, poolSize: options.poolSize, timeoutMs: options.timeoutMs ?? 5000 }), options.outbox ?? null);
    try {
      await migrate(store.connections);
      store.migrated = true;
    } catch (error) {
      if (!isPostgresUnavailable(error)) {
        await store.connections.end();
        throw error;
      }
      store.retryMigrations(RETRY_FIRST_MS, options.onRetry);
    }
    return store;
  }

  /** The pool, once the schema is there. */
  private pool(): pg.Pool {
    if (!this.migrated) throw new AppError('unavailable');
    return this.connections;
  }

  private retryMigrations(delayMs: number, onRetry?: (error: unknown) => void): void {
    this.retryTimer = setTimeout(() => {
      migrate(this.connections).then(
        () => void (this.migrated = this.closing === undefined),
        (error: unknown) => {
          if (this.closing) return;
          onRetry?.(error);
          this.retryMigrations(Math.min(delayMs * 2, RETRY_MAX_MS), onRetry);
        },
      );
    }, delayMs);
  }

  async ping(): Promise<void> {
    await rowsOf(this.pool(), 'SELECT 1');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.retryTimer);
      await this.messages.drain();
      await this.connections.end();
    })();
    return this.closing;
  }
}
