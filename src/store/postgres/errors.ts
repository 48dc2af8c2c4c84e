/** Which of PostgreSQL's error codes PostgresStore's parts act on. */
import { errorCode } from '../backend-errors.js';

/** A unique index refused the write (23505). */
export const isUniqueViolation = (error: unknown): boolean => errorCode(error) === '23505';

/** Data (22), constraint (23) and rollback (40: deadlock) errors: retrying appends one by one can isolate them. */
export const isRetryable = (error: unknown): boolean => /^(22|23|40)/.test(errorCode(error) ?? '');
