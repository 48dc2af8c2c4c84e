/**
 * The words of a search as the user typed them, and nothing else: query syntax (quotes,
 * operators, column filters, prefixes) never reaches the database, whatever `q` holds. A
 * word is a run of letters, digits and combining marks; at most `MAX_TERMS` words of at most
 * `MAX_TERM_LENGTH` code points are kept.
 */

export const MAX_TERMS = 8;
export const MAX_TERM_LENGTH = 64;
/** The longest `q` accepted at all (code units). */
export const MAX_QUERY_LENGTH = 256;

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The distinct words of `q`, in order, bounded in number and length; empty when it has none. */
export function searchTerms(q: string): string[] {
  const terms: string[] = [];
  for (const [word] of q.slice(0, MAX_QUERY_LENGTH).matchAll(WORD)) {
    const term = Array.from(word.toLowerCase()).slice(0, MAX_TERM_LENGTH).join('');
    if (!terms.includes(term)) terms.push(term);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

/** An FTS5 query of the terms: each a quoted string (a term holds no quote), all required. */
export function fts5Query(terms: readonly string[]): string {
  return terms.map((term) => `"${term}"`).join(' ');
}

/** The marks the store puts around each matched word: control characters message text cannot hold. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The marked text as HTML a page can insert: everything escaped, each matched word in
 * `<mark>…</mark>`. Marks that do not pair up are dropped, so the HTML is always well formed.
 */
export function highlightHtml(marked: string): string {
  let html = '';
  let open = false;
  for (const char of marked) {
    if (char === MARK_START) {
      if (!open) html += '<mark>';
      open = true;
    } else if (char === MARK_END) {
      if (open) html += '</mark>';
      open = false;
    } else {
      html += HTML_ESCAPES[char] ?? char;
    }
  }
  return open ? `${html}</mark>` : html;
}
