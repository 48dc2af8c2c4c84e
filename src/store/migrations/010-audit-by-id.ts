import type { Migration } from './runner.js';

/**
 * The audit log by id, and redacted by erasure. An entry knows the user who acted
 * (`actor_id`), the user it is about (`user_id`) and the pair it is about (`pair_id`), so an
 * export reads a user's entries by id: the next owner of an erased address sees nothing of the
 * old one's. Existing entries are given the ids their targets name (a user only if they existed
 * then). The log stays append-only, with one exception the triggers allow: an erasure clears an
 * entry's `detail` and replaces the erased user's address in `actor` and `target` with their
 * erased one (`deleted-<id>@deleted.invalid`); every other UPDATE, and every DELETE, is refused.
 */
const sqliteBackfill = `
  UPDATE audit_log SET
    actor_id = (SELECT id FROM users WHERE email = audit_log.actor AND created_at <= audit_log.at),
    user_id = CASE WHEN target LIKE 'user:%' THEN (SELECT id FROM users WHERE email = substr(audit_log.target, 6) AND created_at <= audit_log.at) END,
    pair_id = CASE
      WHEN target LIKE 'pair:%' THEN (SELECT id FROM pairs WHERE id = CAST(substr(audit_log.target, 6) AS INTEGER))
      WHEN target LIKE 'held:%' THEN (SELECT pair_id FROM held_messages WHERE id = CAST(substr(audit_log.target, 6) AS INTEGER))
      WHEN target LIKE 'message:%' THEN (SELECT pair_id FROM messages WHERE id = CAST(substr(audit_log.target, 9) AS INTEGER))
      WHEN target LIKE 'report:%' THEN (SELECT m.pair_id FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id = CAST(substr(audit_log.target, 8) AS INTEGER))
    END;`;

const postgresBackfill = `
  UPDATE audit_log SET
    actor_id = (SELECT id FROM users WHERE email = audit_log.actor AND created_at <= audit_log.at),
    user_id = CASE WHEN target LIKE 'user:%' THEN (SELECT id FROM users WHERE email = substr(audit_log.target, 6) AND created_at <= audit_log.at) END,
    pair_id = CASE
      WHEN target ~ '^pair:[0-9]{1,18}$' THEN (SELECT id FROM pairs WHERE id = substr(audit_log.target, 6)::bigint)
      WHEN target ~ '^held:[0-9]{1,18}$' THEN (SELECT pair_id FROM held_messages WHERE id = substr(audit_log.target, 6)::bigint)
      WHEN target ~ '^message:[0-9]{1,18}$' THEN (SELECT pair_id FROM messages WHERE id = substr(audit_log.target, 9)::bigint)
      WHEN target ~ '^report:[0-9]{1,18}$' THEN (SELECT m.pair_id FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id = substr(audit_log.target, 8)::bigint)
    END;`;

/** What an erasure may change, and nothing else (the same condition in both dialects). */
const REDACTION_ONLY = `
  NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action AND NEW.detail IS NULL
  AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id AND NEW.pair_id IS NOT DISTINCT FROM OLD.pair_id
  AND (NEW.actor = OLD.actor OR NEW.actor LIKE 'deleted-%@deleted.invalid')
  AND (NEW.target = OLD.target OR NEW.target LIKE 'user:deleted-%@deleted.invalid')`;

export const auditById: Migration = {
  version: 10,
  name: 'audit-by-id',
  sqlite: `
    ALTER TABLE audit_log ADD COLUMN actor_id INTEGER;
    ALTER TABLE audit_log ADD COLUMN user_id INTEGER;
    ALTER TABLE audit_log ADD COLUMN pair_id INTEGER;
    DROP TRIGGER audit_log_no_update;
    ${sqliteBackfill}
    CREATE INDEX audit_by_actor ON audit_log(actor_id) WHERE actor_id IS NOT NULL;
    CREATE INDEX audit_by_user ON audit_log(user_id) WHERE user_id IS NOT NULL;
    CREATE INDEX audit_by_pair ON audit_log(pair_id) WHERE pair_id IS NOT NULL;
    CREATE TRIGGER audit_log_redaction_only BEFORE UPDATE ON audit_log WHEN NOT (${REDACTION_ONLY})
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: only an erasure redacts an entry'); END;
  `,
  postgres: `
    ALTER TABLE audit_log ADD COLUMN actor_id BIGINT, ADD COLUMN user_id BIGINT, ADD COLUMN pair_id BIGINT;
    DROP TRIGGER audit_log_no_change ON audit_log;
    ${postgresBackfill}
    CREATE INDEX audit_by_actor ON audit_log(actor_id) WHERE actor_id IS NOT NULL;
    CREATE INDEX audit_by_user ON audit_log(user_id) WHERE user_id IS NOT NULL;
    CREATE INDEX audit_by_pair ON audit_log(pair_id) WHERE pair_id IS NOT NULL;
    CREATE FUNCTION audit_log_redaction_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${REDACTION_ONLY} THEN RETURN NEW; END IF;
        RAISE EXCEPTION 'the audit log is append-only: only an erasure redacts an entry';
      END $$;
    CREATE TRIGGER audit_log_redaction_only BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_redaction_only();
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE OR TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `,
};
