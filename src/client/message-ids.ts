/** Message ids are decimal strings on the wire; these compare them without `Number` overflow. */

/** Negative, zero or positive as `a` is below, equal to or above `b` (both non-negative integers). */
export function compareMessageIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The larger of two ids; `null` counts as below every id. */
export function maxMessageId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareMessageIds(a, b) >= 0 ? a : b;
}
