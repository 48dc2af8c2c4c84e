/**
 * The one rule for an email address, wherever one comes from (registration, login, a token's
 * claims, the proxy's answer, the server API, the import, match routes, the chat socket's
 * path): what is refused, and the one form an accepted address is kept and looked up in.
 *
 * - Nothing invisible anywhere: no whitespace, controls, format characters (zero-width
 *   characters, BOM, bidi marks and overrides, soft hyphen, tags), line or paragraph
 *   separators, fillers or variation selectors, no private-use or unassigned code points,
 *   no lone surrogates. Only spaces around the address are dropped (a typed space).
 * - One `@` between a non-empty local part and domain; at most 254 characters.
 * - The kept form is NFC, then lower-cased (the whole address: emails are compared
 *   case-insensitively), then NFC again. So composed and decomposed `å` are one address, and
 *   so are `K` and the Kelvin sign U+212A (whose canonical form is `K`).
 * - An address whose kept form still holds a compatibility character (NFKC would change it:
 *   fullwidth letters, ligatures, superscripts, circled letters…) is refused: it displays
 *   like another address but would not be the same one. So is an `i` or `j` with a combining
 *   dot above (what `İ` lower-cases to), which reads as the plain letter.
 * The kept form is a fixed point: parsing it again gives it back unchanged.
 */

const MAX_EMAIL = 254;
// What renders as nothing or cannot be stored: separators (Z*), controls (Cc), format (Cf),
// surrogates (Cs), private use (Co), unassigned (Cn), and the blank letters and marks that
// text.ts also counts as invisible. One character class: linear.
const FORBIDDEN = /[\p{Z}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;

const DOTTED_I = /[ij]\u0307/;

export type EmailVerdict = { email: string } | { problem: string };

/** The kept form of `raw`, or why it is not an email address. */
export function parseEmail(raw: unknown): EmailVerdict {
  if (typeof raw !== 'string') return { problem: 'must be an email address' };
  const text = withoutOuterSpaces(raw);
  if (FORBIDDEN.test(text)) return { problem: 'contains characters an email cannot have' };
  const email = text.normalize('NFC').toLowerCase().normalize('NFC');
  if (email.normalize('NFKC') !== email || email.toLowerCase() !== email)
    return { problem: 'contains compatibility characters (fullwidth, ligatures, superscripts…)' };
  // `İ` lower-cases to `i` + a combining dot above, which shows as a plain `i`: another address's look-alike.
  if (DOTTED_I.test(email)) return { problem: 'contains a dotted capital I (İ), which would read as a plain i' };
  const at = email.indexOf('@');
  if (at < 1 || at === email.length - 1 || email.indexOf('@', at + 1) !== -1) return { problem: 'must be an email address' };
  if (email.length > MAX_EMAIL) return { problem: `must be at most ${MAX_EMAIL} characters` };
  return { email };
}

/** `text` without the U+0020 spaces at its ends (no regex: a run of spaces costs its length once). */
function withoutOuterSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return text.slice(start, end);
}

/** Why `raw` is not an email address, or null. */
export function emailProblem(raw: string): string | null {
  const verdict = parseEmail(raw);
  return 'problem' in verdict ? verdict.problem : null;
}
