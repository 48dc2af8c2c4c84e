/**
 * A large SQLite store made quickly, for measuring `npm run backup` and `npm run move-store`:
 * `node dist/bench/make-store.js <file> [messages] [pairs]` (default 100 000 messages over
 * 100 pairs). The schema comes from Tandem's own migrations (openStore); the rows are then
 * written straight into the file in one transaction. Every user's password is
 * `bench-password-1`, hashed once.
 */
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { hashPassword } from '../src/auth/passwords.js';
import { openStore } from '../src/store/index.js';

export const BENCH_PASSWORD = 'bench-password-1';

export interface MadeStore {
  users: number;
  pairs: number;
  messages: number;
}

/** Writes `pairs` matched pairs and `messages` messages (spread over the pairs, seq contiguous, the older half read) into a new store at `path`. */
export async function makeStore(path: string, messages: number, pairs: number): Promise<MadeStore> {
  await (await openStore({ kind: 'sqlite', path }, { timeoutMs: 60_000 })).close();
  const hash = await hashPassword(BENCH_PASSWORD, 16384);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const start = Date.now() - messages * 1000;
  db.transaction(() => {
    const user = db.prepare('INSERT INTO users (email, password_hash, first_name, last_name, role, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const pair = db.prepare('INSERT INTO pairs (mentor_id, mentee_id, matched_at) VALUES (?, ?, ?)');
    const message = db.prepare('INSERT INTO messages (pair_id, seq, sender_id, content, created_at, is_read) VALUES (?, ?, ?, ?, ?, ?)');
    const people: Array<[number, number, number]> = [];
    for (let i = 0; i < pairs; i++) {
      const mentor = Number(user.run(`mentor${i}@bench.test`, hash, 'Mentor', String(i), 'MENTOR', start).lastInsertRowid);
      const mentee = Number(user.run(`mentee${i}@bench.test`, hash, 'Mentee', String(i), 'MENTEE', start).lastInsertRowid);
      people.push([Number(pair.run(mentor, mentee, start).lastInsertRowid), mentor, mentee]);
    }
    const seqs = new Array<number>(pairs).fill(0);
    for (let i = 0; i < messages; i++) {
      const index = i % pairs;
      const [pairId, mentor, mentee] = people[index]!;
      const seq = ++seqs[index]!;
      const text = `message ${i} of the bench store: ${'a few words of ordinary chat '.repeat(1 + (i % 5))}`;
      message.run(pairId, seq, seq % 2 === 0 ? mentor : mentee, text, start + i * 1000, i < messages / 2 ? 1 : 0);
    }
    const last = db.prepare('UPDATE pairs SET last_seq = ? WHERE id = ?');
    people.forEach(([pairId], index) => last.run(seqs[index]!, pairId));
  })();
  db.close();
  return { users: pairs * 2, pairs, messages };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, messages = '100000', pairs = '100'] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node dist/bench/make-store.js <file> [messages] [pairs]\n');
    process.exit(2);
  }
  const started = Date.now();
  const made = await makeStore(path, Number(messages), Number(pairs));
  process.stdout.write(`${path}: ${made.users} users, ${made.pairs} pairs, ${made.messages} messages in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
