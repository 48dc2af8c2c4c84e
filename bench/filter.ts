/**
 * The filter's figures for `npm run bench`: recall on the corpus's disguised attempts, false
 * positives on its ordinary messages, and the CPU time one check costs (median and p99 over
 * every message of the corpus, checked `ROUNDS` times), on the filter `moderated` runs with
 * (Tandem's list, the bench's phone countries). In the bench process: no server involved.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFilter, parseWordList } from '../src/moderation/filter.js';
import { disguisedAttempts, ordinaryMessages, runCorpus } from './filter-corpus.js';
import { RESULTS_DIR } from './results.js';

const ROUNDS = 5;
const COUNTRIES = ['GB', 'US', 'IN', 'DE'] as const;

export interface FilterFigures {
  attempts: number;
  recall: number;
  ordinary: number;
  false_positive_rate: number;
  check_cpu_us_median: number;
  check_cpu_us_p99: number;
  missed: string[];
  false_positives: string[];
}

export function filterFigures(): FilterFigures {
  const result = runCorpus(createFilter({ words: parseWordList(''), phoneCountries: [...COUNTRIES] }));
  const texts = [...ordinaryMessages(), ...disguisedAttempts().flatMap((attempt) => attempt.messages)];
  const filter = createFilter({ words: parseWordList(''), phoneCountries: [...COUNTRIES] });
  const costs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, text] of texts.entries()) {
      const before = process.cpuUsage();
      filter.check(text, { pairId: index, senderId: round });
      const used = process.cpuUsage(before);
      costs.push(used.user + used.system);
    }
  }
  costs.sort((a, b) => a - b);
  return {
    attempts: result.attempts,
    recall: result.held / result.attempts,
    ordinary: result.ordinary,
    false_positive_rate: result.falsePositives.length / result.ordinary,
    check_cpu_us_median: costs[Math.floor(costs.length / 2)]!,
    check_cpu_us_p99: costs[Math.floor(costs.length * 0.99)]!,
    missed: result.missed.map((attempt) => `${attempt.category}: ${attempt.messages.join(' | ')}`),
    false_positives: result.falsePositives.map((fp) => `${fp.rule} "${fp.matched}": ${fp.text}`),
  };
}

/** Writes the figures beside the scenarios' results; answers the line the table ends with. */
export function reportFilter(stamp: string, figures: FilterFigures): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${stamp}-filter.json`), `${JSON.stringify(figures, null, 2)}\n`);
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  return `filter (moderated): recall ${percent(figures.recall)} of ${figures.attempts} disguised attempts, false positives ${percent(figures.false_positive_rate)} of ${figures.ordinary} ordinary messages, CPU per check ${figures.check_cpu_us_median} µs median, ${figures.check_cpu_us_p99} µs p99`;
}
