/**
 * How a search's `q` becomes a query (protocol/search-query.ts), over arbitrary and hostile
 * text: only words of letters, digits and marks, bounded in number and length; the FTS5
 * query made of them never fails on a real SQLite (no syntax from the user gets through);
 * the highlight is well-formed, escaped HTML whatever the text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_TERMS, MAX_TERM_LENGTH, MARK_END, MARK_START, fts5Query, highlightHtml, searchTerms } from '../src/protocol/search-query.js';
import { openStore, type Store } from '../src/store/index.js';
import { hostileText } from './helpers/attacker-text.js';

const SYNTAX = fc.constantFrom('"', "'", '*', '^', ':', '(', ')', '-', '+', 'AND', 'OR', 'NOT', 'NEAR', '{', '}', '&', '|', '!', '<->', '\\');
const query = fc.oneof(
  fc.string({ maxLength: 300 }),
  hostileText({ maxPieces: 12, maxRun: 80 }),
  fc.array(fc.oneof(SYNTAX, fc.string({ maxLength: 6 })), { maxLength: 40 }).map((parts) => parts.join(' ')),
);

describe('search query (property)', () => {
  it('keeps only bounded words of letters, digits and marks, lower case, each once', () => {
    fc.assert(
      fc.property(query, (q) => {
        const terms = searchTerms(q);
        assert.ok(terms.length <= MAX_TERMS);
        assert.equal(new Set(terms).size, terms.length);
        for (const term of terms) {
          assert.ok(term.length > 0 && Array.from(term).length <= MAX_TERM_LENGTH);
          assert.match(term, /^[\p{L}\p{N}\p{M}]+$/u);
          assert.equal(term, term.toLowerCase());
        }
      }),
      { numRuns: 500 },
    );
  });

  it('examples: operators and quotes are spaces; accents and case are left to the index', () => {
    assert.deepEqual(searchTerms('"runs" OR NEAR(x) content:*'), ['runs', 'or', 'near', 'x', 'content']);
    assert.deepEqual(searchTerms('Café  CAFÉ'), ['café']);
    assert.deepEqual(searchTerms('!?'), []);
    assert.equal(fts5Query(['runs', 'or']), '"runs" "or"');
    assert.equal(searchTerms('a b c d e f g h i j').length, MAX_TERMS);
  });

  it('the highlight is escaped HTML with balanced <mark> whatever the text and marks', () => {
    const piece = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(MARK_START, MARK_END, '<script>', '&amp;', '"', "'"));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const html = highlightHtml(pieces.join(''));
        const bare = html.replaceAll('<mark>', '').replaceAll('</mark>', '');
        assert.ok(!/[<>"']/.test(bare), html);
        assert.equal(html.split('<mark>').length, html.split('</mark>').length);
      }),
      { numRuns: 500 },
    );
    assert.equal(highlightHtml(`a ${MARK_START}<b>${MARK_END} c`), 'a <mark>&lt;b&gt;</mark> c');
  });
});

describe('search query against SQLite FTS5 (property)', () => {
  let store: Store;
  let pairId: number;
  before(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' }, { timeoutMs: 1000 });
    const mentor = await store.accounts.create({ email: 'm@x.test', passwordHash: 'x', firstName: 'M', lastName: 'X', role: 'MENTOR' });
    const mentee = await store.accounts.create({ email: 'e@x.test', passwordHash: 'x', firstName: 'E', lastName: 'X', role: 'MENTEE' });
    pairId = (await store.matches.create(mentor.email, mentee.email)).pairId;
    await store.messages.append({ pairId, senderId: mentee.id, content: 'runs OR near content "quoted" café' });
  });
  after(() => store.close());

  it('no q makes the search fail', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const hits = await store.search.find(pairId, searchTerms(q), 5);
        assert.ok(hits.length <= 1);
      }),
      { numRuns: 300 },
    );
  });
});
