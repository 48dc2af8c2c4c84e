import type { Migration } from './runner.js';

/**
 * `message.held` and `message.reported` events point at what they tell of (the held message,
 * the report) rather than copying it: the body is built from those rows at the first attempt,
 * so an erasure or retention that empties or deletes them before then leaves no copy here.
 */
export const webhookSafeguarding: Migration = {
  version: 8,
  name: 'webhook-safeguarding',
  sqlite: `
    ALTER TABLE webhook_events ADD COLUMN held_id INTEGER;
    ALTER TABLE webhook_events ADD COLUMN report_id INTEGER;
  `,
  postgres: `
    ALTER TABLE webhook_events ADD COLUMN held_id BIGINT;
    ALTER TABLE webhook_events ADD COLUMN report_id BIGINT;
  `,
};
