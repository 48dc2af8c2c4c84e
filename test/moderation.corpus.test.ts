/**
 * The filter against its corpus (bench/filter-corpus.ts): at least 200 disguised attempts to
 * move a young person off the platform or learn where they live — digits of other scripts,
 * numbers in words, invisible characters, reversed text, look-alike letters, handles,
 * invitations, secrecy, addresses, details split over messages — and at least 500 ordinary
 * mentoring messages rich in numbers. Recall at least 95 %, false positives at most 2 %.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runCorpus } from '../bench/filter-corpus.js';
import { createFilter, parseWordList } from '../src/moderation/filter.js';

it('holds at least 95 % of the disguised attempts and at most 2 % of ordinary messages', () => {
  const filter = createFilter({ words: parseWordList(''), phoneCountries: ['GB', 'US', 'IN', 'DE'] });
  const result = runCorpus(filter);
  assert.ok(result.attempts >= 200, `${result.attempts} attempts`);
  assert.ok(result.ordinary >= 500, `${result.ordinary} ordinary messages`);
  const recall = result.held / result.attempts;
  const falsePositiveRate = result.falsePositives.length / result.ordinary;
  const missed = result.missed.map((attempt) => `${attempt.category}: ${JSON.stringify(attempt.messages)}`).join('\n');
  const wrong = result.falsePositives.map((fp) => `${fp.rule} "${fp.matched}" in ${JSON.stringify(fp.text)}`).join('\n');
  assert.ok(recall >= 0.95, `recall ${(recall * 100).toFixed(1)} %; missed:\n${missed}`);
  assert.ok(falsePositiveRate <= 0.02, `false positives ${(falsePositiveRate * 100).toFixed(1)} %:\n${wrong}`);
});
