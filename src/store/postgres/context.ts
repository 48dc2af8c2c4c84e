/** What PostgresStore's parts share: the pool (answering `unavailable` until the schema is there) and the outbox's writes. */
import type pg from 'pg';
import type { EventWriter } from './events.js';

export interface PostgresContext {
  pool: () => pg.Pool;
  events: EventWriter;
}
