/**
 * The erasure log: one line per erasure, `<user id> <the account's created_at in ms>`, kept
 * in a file beside the database and never inside it, so that a restored copy of the database
 * cannot take it back to an earlier state. Ids only — never an email, a name or any text —
 * and the creation time, so that an id a restored database hands to someone new later is not
 * taken for the erased account. A line is appended and flushed to disk before the erasure
 * itself runs (an erasure that then fails is applied again at the next start: it was asked for).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** One logged erasure. */
export interface LoggedErasure {
  userId: number;
  createdAtMs: number;
}

const LINE = /^(\d{1,15}) (\d{1,15})$/;

/**
 * The erasures of the log's text, in order, the same user once; lines that are not erasures
 * (a torn last line after a crash mid-append, a stray edit) are returned by number, never applied.
 */
export function parseErasureLog(text: string): { erasures: LoggedErasure[]; refused: number[] } {
  const erasures: LoggedErasure[] = [];
  const refused: number[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    const match = LINE.exec(line);
    if (match === null) {
      refused.push(index + 1);
      return;
    }
    if (seen.has(line)) return;
    seen.add(line);
    erasures.push({ userId: Number(match[1]), createdAtMs: Number(match[2]) });
  });
  return { erasures, refused };
}

/** The line `erasure` is written as. */
export function erasureLine(erasure: LoggedErasure): string {
  return `${erasure.userId} ${erasure.createdAtMs}\n`;
}

export class ErasureLog {
  constructor(readonly path: string) {}

  /** Appends the erasure and flushes the file to disk before resolving. */
  async append(erasure: LoggedErasure): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a', 0o600);
    try {
      // After a torn line (a crash mid-append) the new line must still start a line of its own.
      writeSync(fd, `${this.endsTorn() ? '\n' : ''}${erasureLine(erasure)}`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** What the log holds; nothing when the file does not exist. */
  read(): { erasures: LoggedErasure[]; refused: number[] } {
    if (!existsSync(this.path)) return { erasures: [], refused: [] };
    return parseErasureLog(readFileSync(this.path, 'utf8'));
  }

  private endsTorn(): boolean {
    if (!existsSync(this.path)) return false;
    const text = readFileSync(this.path, 'utf8');
    return text !== '' && !text.endsWith('\n');
  }
}
