import type { Migration } from './runner.js';

/**
 * A pair's health (PROTOCOL.md Part 9), kept as messages are stored so that the programme's
 * table never scans messages. A trigger on `messages` (participants' messages only, whatever
 * writes them: the chat, an approval, an import) keeps, in the storing transaction:
 * - `pair_health`: messages per side, the newest message's time and side, when the newest
 *   side's unanswered run began, and the last 20 senders (a bit mask, newest in bit 0,
 *   1 = the mentor) with how many of them were the mentor's;
 * - `pair_days`: messages per pair, UTC day and side (the 7- and 28-day counts, the weekly
 *   activity and the sparklines);
 * - `pair_replies`: one row each time the other side answers a run (who answered, when, how
 *   many minutes after the run began), for the median reply time.
 * `pair_alerts` holds the reasons the at-risk job last announced for a pair. Existing
 * messages are counted once, here, in `seq` order.
 */
const SQLITE_SIDE = "CASE WHEN p.mentor_id = NEW.sender_id THEN 'mentor' ELSE 'mentee' END";

export const pairHealth: Migration = {
  version: 16,
  name: 'pair-health',
  sqlite: `
    CREATE TABLE pair_health (
      pair_id INTEGER PRIMARY KEY REFERENCES pairs(id),
      mentor_messages INTEGER NOT NULL DEFAULT 0,
      mentee_messages INTEGER NOT NULL DEFAULT 0,
      last_message_at INTEGER,
      last_side TEXT CHECK (last_side IN ('mentor', 'mentee')),
      run_started_at INTEGER,
      recent_mask INTEGER NOT NULL DEFAULT 0,
      recent_count INTEGER NOT NULL DEFAULT 0,
      recent_mentor INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE pair_days (
      pair_id INTEGER NOT NULL REFERENCES pairs(id),
      day INTEGER NOT NULL,
      mentor INTEGER NOT NULL DEFAULT 0,
      mentee INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (pair_id, day)
    ) WITHOUT ROWID;
    CREATE INDEX pair_days_by_day ON pair_days(day);
    CREATE TABLE pair_replies (
      id INTEGER PRIMARY KEY,
      pair_id INTEGER NOT NULL REFERENCES pairs(id),
      side TEXT NOT NULL CHECK (side IN ('mentor', 'mentee')),
      replied_at INTEGER NOT NULL,
      minutes REAL NOT NULL
    );
    CREATE INDEX pair_replies_by_pair ON pair_replies(pair_id, replied_at);
    CREATE TABLE pair_alerts (
      pair_id INTEGER PRIMARY KEY REFERENCES pairs(id),
      reasons TEXT NOT NULL,
      since INTEGER NOT NULL
    );
    CREATE TRIGGER messages_keep_pair_health AFTER INSERT ON messages WHEN NEW.kind = 'message' BEGIN
      INSERT INTO pair_replies (pair_id, side, replied_at, minutes)
        SELECT NEW.pair_id, ${SQLITE_SIDE}, NEW.created_at, max(0, NEW.created_at - h.run_started_at) / 60000.0
        FROM pair_health h JOIN pairs p ON p.id = h.pair_id
        WHERE h.pair_id = NEW.pair_id AND h.last_side IS NOT NULL AND h.last_side <> ${SQLITE_SIDE};
      INSERT INTO pair_health (pair_id, mentor_messages, mentee_messages, last_message_at, last_side, run_started_at, recent_mask, recent_count, recent_mentor)
        SELECT NEW.pair_id, p.mentor_id = NEW.sender_id, p.mentor_id <> NEW.sender_id, NEW.created_at, ${SQLITE_SIDE}, NEW.created_at,
               p.mentor_id = NEW.sender_id, 1, p.mentor_id = NEW.sender_id
        FROM pairs p WHERE p.id = NEW.pair_id
      ON CONFLICT (pair_id) DO UPDATE SET
        mentor_messages = mentor_messages + excluded.mentor_messages,
        mentee_messages = mentee_messages + excluded.mentee_messages,
        last_message_at = max(coalesce(last_message_at, 0), excluded.last_message_at),
        run_started_at = CASE WHEN last_side = excluded.last_side THEN run_started_at ELSE excluded.run_started_at END,
        last_side = excluded.last_side,
        recent_mentor = recent_mentor + excluded.recent_mentor - CASE WHEN recent_count = 20 THEN (recent_mask >> 19) & 1 ELSE 0 END,
        recent_mask = ((recent_mask << 1) | excluded.recent_mask) & 1048575,
        recent_count = min(recent_count + 1, 20);
      INSERT INTO pair_days (pair_id, day, mentor, mentee)
        SELECT NEW.pair_id, NEW.created_at / 86400000, p.mentor_id = NEW.sender_id, p.mentor_id <> NEW.sender_id FROM pairs p WHERE p.id = NEW.pair_id
      ON CONFLICT (pair_id, day) DO UPDATE SET mentor = mentor + excluded.mentor, mentee = mentee + excluded.mentee;
    END;
    ${backfill('sqlite')}
  `,
  postgres: `
    CREATE TABLE pair_health (
      pair_id BIGINT PRIMARY KEY REFERENCES pairs(id),
      mentor_messages BIGINT NOT NULL DEFAULT 0,
      mentee_messages BIGINT NOT NULL DEFAULT 0,
      last_message_at TIMESTAMPTZ,
      last_side TEXT CHECK (last_side IN ('mentor', 'mentee')),
      run_started_at TIMESTAMPTZ,
      recent_mask INTEGER NOT NULL DEFAULT 0,
      recent_count INTEGER NOT NULL DEFAULT 0,
      recent_mentor INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE pair_days (
      pair_id BIGINT NOT NULL REFERENCES pairs(id),
      day INTEGER NOT NULL,
      mentor INTEGER NOT NULL DEFAULT 0,
      mentee INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (pair_id, day)
    );
    CREATE INDEX pair_days_by_day ON pair_days(day);
    CREATE TABLE pair_replies (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      pair_id BIGINT NOT NULL REFERENCES pairs(id),
      side TEXT NOT NULL CHECK (side IN ('mentor', 'mentee')),
      replied_at TIMESTAMPTZ NOT NULL,
      minutes DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX pair_replies_by_pair ON pair_replies(pair_id, replied_at);
    CREATE TABLE pair_alerts (
      pair_id BIGINT PRIMARY KEY REFERENCES pairs(id),
      reasons TEXT NOT NULL,
      since TIMESTAMPTZ NOT NULL
    );
    CREATE FUNCTION keep_pair_health() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      sender_side TEXT;
      mentor_bit INTEGER;
    BEGIN
      SELECT CASE WHEN p.mentor_id = NEW.sender_id THEN 'mentor' ELSE 'mentee' END INTO sender_side FROM pairs p WHERE p.id = NEW.pair_id;
      mentor_bit := CASE WHEN sender_side = 'mentor' THEN 1 ELSE 0 END;
      INSERT INTO pair_replies (pair_id, side, replied_at, minutes)
        SELECT NEW.pair_id, sender_side, NEW.created_at, greatest(0, extract(epoch FROM NEW.created_at - h.run_started_at) / 60)
        FROM pair_health h WHERE h.pair_id = NEW.pair_id AND h.last_side IS NOT NULL AND h.last_side <> sender_side;
      INSERT INTO pair_health AS h (pair_id, mentor_messages, mentee_messages, last_message_at, last_side, run_started_at, recent_mask, recent_count, recent_mentor)
        VALUES (NEW.pair_id, mentor_bit, 1 - mentor_bit, NEW.created_at, sender_side, NEW.created_at, mentor_bit, 1, mentor_bit)
      ON CONFLICT (pair_id) DO UPDATE SET
        mentor_messages = h.mentor_messages + EXCLUDED.mentor_messages,
        mentee_messages = h.mentee_messages + EXCLUDED.mentee_messages,
        last_message_at = greatest(h.last_message_at, EXCLUDED.last_message_at),
        run_started_at = CASE WHEN h.last_side = EXCLUDED.last_side THEN h.run_started_at ELSE EXCLUDED.run_started_at END,
        last_side = EXCLUDED.last_side,
        recent_mentor = h.recent_mentor + EXCLUDED.recent_mentor - CASE WHEN h.recent_count = 20 THEN (h.recent_mask >> 19) & 1 ELSE 0 END,
        recent_mask = ((h.recent_mask << 1) | EXCLUDED.recent_mask) & 1048575,
        recent_count = least(h.recent_count + 1, 20);
      INSERT INTO pair_days AS d (pair_id, day, mentor, mentee)
        VALUES (NEW.pair_id, floor(extract(epoch FROM NEW.created_at) / 86400)::integer, mentor_bit, 1 - mentor_bit)
      ON CONFLICT (pair_id, day) DO UPDATE SET mentor = d.mentor + EXCLUDED.mentor, mentee = d.mentee + EXCLUDED.mentee;
      RETURN NULL;
    END $$;
    CREATE TRIGGER messages_keep_pair_health AFTER INSERT ON messages FOR EACH ROW WHEN (NEW.kind = 'message') EXECUTE FUNCTION keep_pair_health();
    ${backfill('postgres')}
  `,
};

/**
 * Counts the messages stored before this version, in `seq` order per pair, with the same
 * rules as the trigger: window functions find each message's side, the side before it, and
 * where its run began.
 */
function backfill(dialect: 'sqlite' | 'postgres'): string {
  const day = dialect === 'sqlite' ? 'created_at / 86400000' : 'floor(extract(epoch FROM created_at) / 86400)::integer';
  const minutes = dialect === 'sqlite' ? 'max(0, s.created_at - r.run_start) / 60000.0' : 'greatest(0, extract(epoch FROM s.created_at - r.run_start) / 60)';
  const sided = `sided AS (
      SELECT m.pair_id, m.seq, m.created_at, CASE WHEN p.mentor_id = m.sender_id THEN 1 ELSE 0 END AS is_mentor,
             LAG(CASE WHEN p.mentor_id = m.sender_id THEN 1 ELSE 0 END) OVER (PARTITION BY m.pair_id ORDER BY m.seq) AS before_mentor,
             ROW_NUMBER() OVER (PARTITION BY m.pair_id ORDER BY m.seq DESC) AS newest
      FROM messages m JOIN pairs p ON p.id = m.pair_id WHERE m.kind = 'message')`;
  // Each run (messages of one side in a row) starts where the side changes.
  const runs = `runs AS (
      SELECT pair_id, seq, created_at AS run_start, LEAD(seq) OVER (PARTITION BY pair_id ORDER BY seq) AS next_run_seq
      FROM sided WHERE before_mentor IS NULL OR before_mentor <> is_mentor)`;
  const side = (bit: string) => `CASE WHEN ${bit} = 1 THEN 'mentor' ELSE 'mentee' END`;
  return `
    INSERT INTO pair_days (pair_id, day, mentor, mentee)
      SELECT pair_id, ${day}, sum(CASE WHEN sender_id = mentor_id THEN 1 ELSE 0 END), sum(CASE WHEN sender_id = mentor_id THEN 0 ELSE 1 END)
      FROM (SELECT m.pair_id, m.created_at, m.sender_id, p.mentor_id FROM messages m JOIN pairs p ON p.id = m.pair_id WHERE m.kind = 'message') x
      GROUP BY pair_id, ${day};
    INSERT INTO pair_replies (pair_id, side, replied_at, minutes)
      WITH ${sided}, ${runs}
      SELECT s.pair_id, ${side('s.is_mentor')}, s.created_at, ${minutes}
      FROM sided s JOIN runs r ON r.pair_id = s.pair_id AND r.next_run_seq = s.seq
      ORDER BY s.pair_id, s.seq;
    INSERT INTO pair_health (pair_id, mentor_messages, mentee_messages, last_message_at, last_side, run_started_at, recent_mask, recent_count, recent_mentor)
      WITH ${sided}, ${runs}
      SELECT s.pair_id, sum(s.is_mentor), sum(1 - s.is_mentor), max(s.created_at),
             max(CASE WHEN s.newest = 1 THEN ${side('s.is_mentor')} END),
             (SELECT max(r.run_start) FROM runs r WHERE r.pair_id = s.pair_id AND r.next_run_seq IS NULL),
             sum(CASE WHEN s.newest <= 20 THEN s.is_mentor << CAST(s.newest - 1 AS INTEGER) ELSE 0 END),
             sum(CASE WHEN s.newest <= 20 THEN 1 ELSE 0 END),
             sum(CASE WHEN s.newest <= 20 THEN s.is_mentor ELSE 0 END)
      FROM sided s GROUP BY s.pair_id;`;
}
