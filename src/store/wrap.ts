/**
 * One way to put something around every call of a store — a deadline, timing — without
 * touching the engine: a Proxy per part whose method wrappers are made once per method name.
 */
import { STORE_PARTS, type Store } from './types.js';

type Around = (operation: string, call: () => unknown) => unknown;

/**
 * The same store, each method call but `close` made through `around(operation, call)`,
 * where `operation` is `part.method` (`messages.append`), `call` runs the method on the
 * engine's part itself (so the engine's calls to its own methods are not wrapped) and
 * `around` returns what the caller gets.
 */
export function wrapStore(store: Store, around: Around): Store {
  const wrapped: Record<string, unknown> = {
    ping: () => around('ping', () => store.ping()),
    close: () => store.close(),
  };
  for (const part of STORE_PARTS) wrapped[part] = wrapPart(store[part], part, around);
  return wrapped as unknown as Store;
}

function wrapPart<P extends object>(part: P, name: string, around: Around): P {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(part, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function' || key === 'constructor') return value;
      let wrapper = wrappers.get(key);
      if (!wrapper) {
        const operation = `${name}.${String(key)}`;
        const method = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]) => around(operation, () => method.apply(target, args));
        wrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });
}
