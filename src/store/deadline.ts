/**
 * Store-call deadlines: a caller waits at most so long for the database, then hears
 * `unavailable`, however the database fails (stopped, hung with its connections open,
 * overloaded). The engine's own timeouts free its connections later; the caller does not
 * wait for them.
 */
import { AppError } from '../errors.js';
import type { Store } from './types.js';

/**
 * The same store, each call but `close` rejected with `AppError('unavailable')` once it has
 * not settled within `timeoutMs`. The call itself is not cancelled: a late outcome is
 * dropped (an append may still commit, as after any `unavailable` at commit time).
 */
export function withDeadlines(store: Store, timeoutMs: number): Store {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function' || key === 'constructor' || key === 'close') return value;
      let wrapper = wrappers.get(key);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]) => {
          const result = method.apply(target, args);
          return result instanceof Promise ? within(result, timeoutMs) : result;
        };
        wrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });
}

function within<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AppError('unavailable', undefined, { cause: new Error(`no answer within ${timeoutMs} ms`) })), timeoutMs);
    call.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
