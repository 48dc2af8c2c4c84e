/**
 * What an erasure costs on the embedded store: `node dist/bench/erasure.js [--messages N]`
 * fills a SQLite file with N messages in 1 000 pairs (rows written directly, set-up is not
 * the measure), then erases three users through Tandem's store and prints how long each
 * erasure held the process — the purge rebuilds the whole file (VACUUM), so it grows with it.
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/index.js';

const PAIRS = 1000;

function fill(path: string, messages: number): void {
  const db = new Database(path);
  const now = Date.now();
  const user = db.prepare("INSERT INTO users (email, password_hash, first_name, last_name, role, created_at) VALUES (?, '', 'Bench', 'User', ?, ?)");
  const pair = db.prepare('INSERT INTO pairs (mentor_id, mentee_id, matched_at, last_seq) VALUES (?, ?, ?, ?)');
  const message = db.prepare('INSERT INTO messages (pair_id, seq, sender_id, content, created_at, is_read) VALUES (?, ?, ?, ?, ?, 1)');
  const perPair = Math.ceil(messages / PAIRS);
  db.transaction(() => {
    for (let i = 0; i < PAIRS; i++) {
      const mentor = Number(user.run(`mentor${i}@bench.test`, 'MENTOR', now).lastInsertRowid);
      const mentee = Number(user.run(`mentee${i}@bench.test`, 'MENTEE', now).lastInsertRowid);
      const pairId = Number(pair.run(mentor, mentee, now, perPair).lastInsertRowid);
      // Lengths from 60 to 300 characters, as chat messages run.
      for (let seq = 1; seq <= perPair; seq++)
        message.run(pairId, seq, seq % 2 ? mentee : mentor, `message ${seq} `.padEnd(60 + ((seq * 37) % 240), 'lorem ipsum '), now + seq);
    }
  })();
  db.close();
}

const { values } = parseArgs({ options: { messages: { type: 'string', default: '100000' } } });
const messages = Number(values.messages);
const path = join(tmpdir(), `tandem-bench-erasure-${process.pid}.db`);
const remove = () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(path + suffix, { force: true }));
try {
  await (await openStore({ kind: 'sqlite', path }, { timeoutMs: 5000 })).close();
  fill(path, messages);
  const store = await openStore({ kind: 'sqlite', path }, { timeoutMs: 5000 });
  console.log(`${messages} messages in ${PAIRS} pairs, a ${(statSync(path).size / 1e6).toFixed(1)} MB file`);
  for (const userId of [2, 4, 6]) {
    const start = performance.now();
    const erasure = await store.dataRights.erase(userId);
    console.log(`erasure of user ${userId}: ${(performance.now() - start).toFixed(0)} ms${erasure.purgeProblem ? ` (${erasure.purgeProblem})` : ''}`);
  }
  await store.close();
} finally {
  remove();
}
