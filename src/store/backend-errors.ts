/**
 * Which errors of each engine mean "the database cannot be reached or did not answer":
 * `guard.ts` turns them into `AppError('unavailable')` for every caller.
 */

/** The error's `code` property as a string, when it has one (Node, better-sqlite3 and node-postgres errors do). */
export const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * node-postgres's connection failures, by `code`: socket errors, and the SQLSTATEs of a
 * server that is shutting down, restarting, refusing connections or cancelling a statement
 * at its `statement_timeout` (class 08: connection exceptions, by prefix).
 */
const POSTGRES_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '53300',
]);
/** node-postgres reports its own timeouts and closed connections by message only. */
const POSTGRES_UNAVAILABLE_MESSAGES = [
  'Connection terminated', // "… unexpectedly", "… due to connection timeout"
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/** Whether a node-postgres error says the database could not be reached or did not answer in time. */
export const isPostgresUnavailable = (error: unknown): boolean => {
  const code = errorCode(error) ?? '';
  if (POSTGRES_UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
  const message = error instanceof Error ? error.message : '';
  return POSTGRES_UNAVAILABLE_MESSAGES.some((text) => message.includes(text));
};

/** SQLite: another connection holds the lock beyond `busy_timeout`; retrying later may work. */
export const isSqliteUnavailable = (error: unknown): boolean => ['SQLITE_BUSY', 'SQLITE_LOCKED'].includes(errorCode(error) ?? '');
