/**
 * The one seam at which an engine's connection failures become `AppError('unavailable')`,
 * so that callers (HTTP answers 503, the chat answers `unavailable`) need not know any
 * driver's error codes.
 */
import { AppError } from '../errors.js';

/**
 * Wraps every method of `engine`'s prototype so that a rejection for which `isUnavailable`
 * holds becomes `AppError('unavailable')` with the original as `cause`; other outcomes,
 * and methods that return no promise, are unchanged. Called once per engine class.
 */
export function translateBackendErrors(engine: { prototype: object }, isUnavailable: (error: unknown) => boolean): void {
  const prototype = engine.prototype as Record<string, unknown>;
  const translate = (error: unknown): never => {
    throw isUnavailable(error) ? new AppError('unavailable', undefined, { cause: error }) : error;
  };
  for (const key of Object.getOwnPropertyNames(prototype)) {
    const method = prototype[key];
    if (key === 'constructor' || typeof method !== 'function') continue;
    prototype[key] = function (this: unknown, ...args: unknown[]): unknown {
      const result: unknown = method.apply(this, args);
      return result instanceof Promise ? result.catch(translate) : result;
    };
  }
}

/** The error's `code` property as a string, when it has one (Node, better-sqlite3 and postgres.js errors do). */
export const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
