/**
 * The one seam between an engine and its callers for failures of the database itself: a
 * call that fails for want of the database, or that has not settled within the deadline,
 * rejects with `AppError('unavailable')`, however the database fails (stopped, hung with its
 * connections open, overloaded, locked). Callers (HTTP answers 503, the chat its
 * `unavailable` frame) know no driver's error codes and never wait longer than the deadline.
 */
import { AppError } from '../errors.js';
import type { Store } from './types.js';
import { wrapStore } from './wrap.js';

/** How a store is guarded: its deadline, and which of its engine's errors mean "the database is unreachable". */
export interface GuardOptions {
  /**
   * `null` for an engine that does its work synchronously (SQLite): a call of it that has
   * not settled is waiting only for the event loop (the group commit's next turn), so a timer
   * could fire only while the loop is stalled, and would then refuse an append about to commit.
   */
  timeoutMs: number | null;
  isUnavailable: (error: unknown) => boolean;
}

/**
 * The same store, each call but `close` rejecting with `AppError('unavailable')` (the
 * original as `cause`) when it fails with an error `isUnavailable` recognises, or once it
 * has not settled within `timeoutMs` (when it has one). Every other outcome passes unchanged.
 * The call itself is not cancelled: a late outcome is dropped (an append may still commit, as
 * after any `unavailable` at commit time); the engine's own timeouts free its connections later.
 */
export function guardStore(store: Store, options: GuardOptions): Store {
  const { timeoutMs, isUnavailable } = options;
  const translate = (error: unknown) => {
    throw isUnavailable(error) ? new AppError('unavailable', undefined, { cause: error }) : error;
  };
  return wrapStore(store, (_operation, call) => {
    const result = call();
    if (!(result instanceof Promise)) return result;
    const translated = result.catch(translate);
    return timeoutMs === null ? translated : withDeadline(translated, timeoutMs);
  });
}

/** `call`, or `unavailable` once it has not settled within `timeoutMs`. */
function withDeadline<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AppError('unavailable', undefined, { cause: new Error(`no answer within ${timeoutMs} ms`) })), timeoutMs);
    call.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
