/**
 * A small typed event emitter, so the client core runs the same in Node and in the browser
 * without DOM `EventTarget` types.
 */

/** Removes the listener it was returned for. */
export type Off = () => void;

/**
 * Emits events named by the keys of `Events`, each with its payload type. Listeners run
 * synchronously in the order they were added; a listener that throws does not stop the
 * others (the error is reported through `queueMicrotask`, so it still surfaces).
 */
export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Off {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
