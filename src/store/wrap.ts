/**
 * One way to put something around every call of a store — a deadline, timing — without
 * touching the engine: a Proxy whose method wrappers are made once per method name.
 */
import type { Store } from './types.js';

/**
 * The same store, each method call but `close` made through `around(operation, call)`,
 * where `call` runs the method on the engine itself (so the engine's calls to its own
 * methods are not wrapped) and `around` returns what the caller gets.
 */
export function wrapStore(store: Store, around: (operation: string, call: () => unknown) => unknown): Store {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function' || key === 'constructor' || key === 'close') return value;
      let wrapper = wrappers.get(key);
      if (!wrapper) {
        const operation = String(key);
        const method = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]) => around(operation, () => method.apply(target, args));
        wrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });
}
