import type { Migration } from './runner.js';

/**
 * The webhook outbox: one row per event for the platform, written in the same transaction as
 * its cause, so that no crash can separate a stored message (or a match change) from its
 * event. `data` is the event's body, fixed at its first attempt so that every retry sends the
 * same bytes; `window_start` is where its retry period began (its creation, or a manual retry).
 * A `message.unread` row is a reminder due later, at most one pending per recipient and pair.
 */
export const webhookOutbox: Migration = {
  version: 5,
  name: 'webhook-outbox',
  sqlite: `
    CREATE TABLE webhook_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      event_id TEXT NOT NULL UNIQUE DEFAULT ('evt_' || lower(hex(randomblob(16)))),
      type TEXT NOT NULL,
      pair_id INTEGER NOT NULL REFERENCES pairs(id),
      message_id INTEGER,
      recipient_id INTEGER,
      detail TEXT,
      data TEXT,
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      window_start INTEGER NOT NULL,
      due_at INTEGER NOT NULL,
      lease_until INTEGER,
      last_error TEXT,
      finished_at INTEGER
    );
    CREATE INDEX webhook_events_due ON webhook_events(due_at) WHERE status = 'pending';
    CREATE INDEX webhook_events_by_status ON webhook_events(status, id);
    CREATE UNIQUE INDEX webhook_events_one_reminder ON webhook_events(pair_id, recipient_id)
      WHERE status = 'pending' AND recipient_id IS NOT NULL;
  `,
  postgres: `
    CREATE TABLE webhook_events (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id TEXT NOT NULL UNIQUE DEFAULT ('evt_' || replace(gen_random_uuid()::text, '-', '')),
      type TEXT NOT NULL,
      pair_id BIGINT NOT NULL REFERENCES pairs(id),
      message_id BIGINT,
      recipient_id BIGINT,
      detail TEXT,
      data TEXT,
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at TIMESTAMPTZ NOT NULL,
      window_start TIMESTAMPTZ NOT NULL,
      due_at TIMESTAMPTZ NOT NULL,
      lease_until TIMESTAMPTZ,
      last_error TEXT,
      finished_at TIMESTAMPTZ
    );
    CREATE INDEX webhook_events_due ON webhook_events(due_at) WHERE status = 'pending';
    CREATE INDEX webhook_events_by_status ON webhook_events(status, id);
    CREATE UNIQUE INDEX webhook_events_one_reminder ON webhook_events(pair_id, recipient_id)
      WHERE status = 'pending' AND recipient_id IS NOT NULL;
  `,
};
