/**
 * What the metadata strippers share: a bounded reader over the upload's bytes and the one
 * error they raise for a file that does not follow its format.
 */

/** A file whose structure is broken (a length past its end, a missing marker): refused, never guessed at. */
export class MalformedFile extends Error {
  constructor(format: string, what: string) {
    super(`Not a well-formed ${format} file: ${what}`);
    this.name = 'MalformedFile';
  }
}

/** Concatenates the kept pieces; every piece is a view of the input, so the output is never longer. */
export function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

export const u16be = (bytes: Uint8Array, at: number): number => (bytes[at]! << 8) | bytes[at + 1]!;
export const u32be = (bytes: Uint8Array, at: number): number => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
export const u32le = (bytes: Uint8Array, at: number): number => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;

/** True when `bytes` holds `ascii` at `at`. */
export function hasAscii(bytes: Uint8Array, at: number, ascii: string): boolean {
  if (at + ascii.length > bytes.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}
