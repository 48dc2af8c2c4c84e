/**
 * A platform's data brought across (PROTOCOL.md Part 5, `POST /api/import` and `npm run
 * import`): NDJSON lines of users, matches and messages, streamed — read, checked and stored
 * a batch at a time, so that memory stays bounded whatever the file's size. Importing the
 * same file again changes nothing (users and matches are upserts, messages carry their
 * `external_id`). A bad line is reported by its number, with why, and the rest goes on.
 */
import { AppError, isAppError } from '../errors.js';
import { reservedEmailProblem } from '../protocol/erased-email.js';
import { contentProblem, nameProblem, textProblem } from '../protocol/text.js';
import { normalizeEmail, ROLES, type ImportedMessage, type Role, type Store } from '../store/index.js';
import { lines } from './lines.js';

/** Messages stored per transaction. */
const BATCH = 500;
/** The longest line read; a message is at most 5000 characters, so this leaves room for any fields. */
const MAX_LINE_BYTES = 256 * 1024;
/** Refused lines listed in the report at most (all are counted). */
const MAX_LISTED = 1000;
const MAX_CONTENT = 5000;

export interface ImportReport {
  lines: number;
  users: { created: number; updated: number; unchanged: number };
  matches: { created: number; unchanged: number };
  messages: { created: number; unchanged: number };
  /** Refused lines (the first 1000 found), by line number, with the error code and why. */
  refused: Array<{ line: number; error: string; message: string }>;
  refused_total: number;
}

export interface ImportOptions {
  store: Store;
  mentorCapacity: number | null;
  /** Sessions revoked because a user line claimed an account that had a password (their sockets must close). */
  onSessionsRevoked?: (sessionHashes: readonly string[]) => void;
  /** Called every `progressEvery` lines with the report so far. */
  onProgress?: (report: Readonly<ImportReport>) => void;
  progressEvery?: number;
}

/** Imports every line of `source`; resolves with what it did. A store that fails rejects (what was committed stays). */
export async function importNdjson(source: AsyncIterable<Buffer | string>, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = {
    lines: 0,
    users: { created: 0, updated: 0, unchanged: 0 },
    matches: { created: 0, unchanged: 0 },
    messages: { created: 0, unchanged: 0 },
    refused: [],
    refused_total: 0,
  };
  const refuse = (line: number, error: string, message: string) => {
    report.refused_total++;
    if (report.refused.length < MAX_LISTED) report.refused.push({ line, error, message });
  };
  const every = options.progressEvery ?? 10_000;
  let batch: Array<{ line: number; message: ImportedMessage }> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await options.store.messages.importHistory(batch.map((entry) => entry.message));
    outcomes.forEach((outcome, i) => {
      if (outcome === 'created' || outcome === 'unchanged') report.messages[outcome]++;
      else refuse(batch[i]!.line, outcome.code, outcome.message);
    });
    batch = [];
  };

  for await (const { number, text } of lines(source, MAX_LINE_BYTES)) {
    report.lines = number;
    if (number % every === 0) options.onProgress?.(report);
    if (text === null) {
      refuse(number, 'invalid_request', `the line is longer than ${MAX_LINE_BYTES} bytes`);
      continue;
    }
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      refuse(number, 'invalid_json', 'the line is not JSON');
      continue;
    }
    try {
      const record = asRecord(parsed);
      switch (record.kind) {
        case 'message':
          batch.push({ line: number, message: messageOf(record) });
          if (batch.length >= BATCH) await flush();
          break;
        case 'user':
          // Lines apply in order: the messages read so far are stored before a user or a match changes.
          await flush();
          await importUser(options, record, report);
          break;
        case 'match':
          await flush();
          await importMatch(options, record, report);
          break;
        default:
          throw new AppError('invalid_request', 'kind must be "user", "match" or "message"');
      }
    } catch (error) {
      if (!isAppError(error) || error.code === 'unavailable') throw error;
      refuse(number, error.code, error.message);
    }
  }
  await flush();
  // Messages are refused when their batch is stored, after later lines: the list goes by line.
  report.refused.sort((a, b) => a.line - b.line);
  return report;
}

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('invalid_request', 'the line must be a JSON object');
  return value as Json;
}

function email(record: Json, field: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw new AppError('invalid_request', `${field} must be an email address`);
  const email = normalizeEmail(value, field);
  const reserved = reservedEmailProblem(email);
  if (reserved !== null) throw new AppError('invalid_request', `${field}: ${reserved}`);
  return email;
}

function name(record: Json, field: string, required: boolean): string {
  const value = record[field] ?? '';
  if (typeof value !== 'string') throw new AppError('invalid_request', `${field} must be a string`);
  const text = value.trim();
  if (text === '' && !required) return '';
  const problem = text.length > 150 ? 'must be at most 150 characters' : nameProblem(text);
  if (problem !== null) throw new AppError('invalid_request', `${field} ${problem}`);
  return text;
}

function messageOf(record: Json): ImportedMessage {
  const id = record.external_id;
  if (!((typeof id === 'string' && id.length >= 1 && id.length <= 128) || Number.isSafeInteger(id))) {
    throw new AppError('invalid_request', 'external_id must be a string of 1 to 128 characters or an integer');
  }
  const idProblem = typeof id === 'string' ? textProblem('identifier', id) : null;
  if (idProblem !== null) throw new AppError('invalid_request', `external_id ${idProblem}`);
  const content = record.content;
  if (typeof content !== 'string') throw new AppError('invalid_request', 'content must be a string');
  const problem = contentProblem(content);
  if (problem !== null) throw new AppError('invalid_request', `content ${problem}`);
  if ([...content].length > MAX_CONTENT) throw new AppError('invalid_request', `content is longer than ${MAX_CONTENT} characters`);
  const timestamp = record.timestamp;
  const createdAt = typeof timestamp === 'string' && /^\d{4}-\d\d-\d\dT/.test(timestamp) ? new Date(timestamp) : null;
  if (!createdAt || Number.isNaN(createdAt.getTime())) throw new AppError('invalid_request', 'timestamp must be an ISO-8601 date and time');
  const isRead = record.is_read ?? false;
  if (typeof isRead !== 'boolean') throw new AppError('invalid_request', 'is_read must be true or false');
  return { externalId: String(id), senderEmail: email(record, 'sender_email'), receiverEmail: email(record, 'receiver_email'), content, createdAt, isRead };
}

async function importUser(options: ImportOptions, record: Json, report: ImportReport): Promise<void> {
  const role = record.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw new AppError('invalid_request', 'role must be MENTOR, MENTEE or ADMIN');
  // A matched user's role is kept (`role_locked`, the line refused); a password account becomes the platform's.
  const result = await options.store.accounts.upsert({
    email: email(record, 'email'),
    firstName: name(record, 'first_name', true),
    lastName: name(record, 'last_name', false),
    role: role as Role,
  });
  if (result.revokedSessions.length > 0) options.onSessionsRevoked?.(result.revokedSessions);
  report.users[result.created ? 'created' : result.changed ? 'updated' : 'unchanged']++;
}

async function importMatch(options: ImportOptions, record: Json, report: ImportReport): Promise<void> {
  const result = await options.store.matches.put(email(record, 'mentee_email'), email(record, 'mentor_email'), {
    replace: false,
    mentorCapacity: options.mentorCapacity,
  });
  report.matches[result.created ? 'created' : 'unchanged']++;
}
