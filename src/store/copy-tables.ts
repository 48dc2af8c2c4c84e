/**
 * Every table of the schema, and what `npm run move-store` does with it: copied row by row
 * (in the order of `key`, keeping every column, ids included), or not copied, with why. The
 * list is explicit so that a table nobody thought about is an error, not a silent loss:
 * test/move-store.tables.test.ts compares it with the tables the migrations make on both
 * engines. A migration that adds a table adds its line here, after the tables it references.
 */

/** A table copied row by row. */
export interface CopiedTable {
  name: string;
  copy: 'rows';
  /** The column rows are read in order of and resumed after: the integer primary key `id`, or a text primary key. */
  key: string;
  /** Whether `key` is an integer the engine generates (an identity/AUTOINCREMENT counter that must continue after the copied ids). */
  generated: boolean;
}

/** A table not copied: `rebuilt` (the target fills it itself from the copied rows, e.g. a full-text index kept by triggers) or `skipped`. */
export interface UncopiedTable {
  name: string;
  copy: 'rebuilt' | 'skipped';
  why: string;
  /** The one engine whose schema has this table (a SQLite full-text index); absent: both. */
  only?: 'sqlite' | 'postgres';
}

export type TablePlan = CopiedTable | UncopiedTable;

const rows = (name: string, key = 'id', generated = key === 'id'): CopiedTable => ({ name, copy: 'rows', key, generated });

/** In an order that copies every referenced row before the rows that reference it. */
export const TABLE_PLAN: readonly TablePlan[] = [
  { name: 'schema_migrations', copy: 'skipped', why: "the target's own migrations write it when the target is opened (both must be at the same version)" },
  rows('users'),
  rows('sessions', 'token_hash'),
  rows('password_resets', 'token_hash'),
  rows('pairs'),
  rows('messages'),
  rows('held_messages'),
  rows('attachments'),
  // Part 8's changes: the pair's timeline entries (their seqs continue from pairs.last_seq), the texts edits replaced, reactions.
  rows('message_changes'),
  rows('message_versions'),
  rows('message_reactions'),
  {
    name: 'message_search',
    copy: 'rebuilt',
    only: 'sqlite',
    why: "SQLite's full-text index of messages, which its triggers fill as messages are copied (PostgreSQL's is a generated column)",
  },
  rows('reports'),
  rows('audit_log'),
  rows('webhook_events'),
  rows('login_attempts', 'key'),
  rows('moderation_words', 'phrase'),
  ...['pair_health', 'pair_days', 'pair_replies'].map((name): UncopiedTable => ({
    name,
    copy: 'rebuilt',
    why: "the target's trigger on messages counts each message as it is copied (migration 016)",
  })),
  rows('pair_alerts', 'pair_id', false),
  rows('announcements'),
];

/** The tables copied row by row, in copy order. */
export function copiedTables(): CopiedTable[] {
  return TABLE_PLAN.filter((table): table is CopiedTable => table.copy === 'rows');
}
