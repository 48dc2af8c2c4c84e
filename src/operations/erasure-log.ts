/**
 * The erasure log: one line per erasure, `<user id> <the account's created_at in ms>`, kept
 * in a file beside the database and never inside it, so that a restored copy of the database
 * cannot take it back to an earlier state. Ids only — never an email, a name or any text —
 * and the creation time, so that an id a restored database hands to someone new later is not
 * taken for the erased account. A line is appended and flushed to disk before the erasure
 * itself runs (an erasure that then fails is applied again at the next start: it was asked for).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
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
    await mkdir(dirname(this.path), { recursive: true });
    const file = await open(this.path, 'a+', 0o600);
    let created = false;
    try {
      // After a torn line (a crash mid-append) the new line must still start a line of its own.
      const { size } = await file.stat();
      created = size === 0;
      const last = Buffer.alloc(1);
      const torn = size > 0 && (await file.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a;
      await file.appendFile(`${torn ? '\n' : ''}${erasureLine(erasure)}`);
      await file.sync();
    } finally {
      await file.close();
    }
    // A new file's name must be durable too.
    if (created) await syncDirectory(dirname(this.path));
  }

  /** What the log holds; nothing when the file does not exist. */
  read(): { erasures: LoggedErasure[]; refused: number[] } {
    if (!existsSync(this.path)) return { erasures: [], refused: [] };
    return parseErasureLog(readFileSync(this.path, 'utf8'));
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
