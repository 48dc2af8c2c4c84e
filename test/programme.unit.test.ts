/** The programme view's functions of outside text and of dates: the CSV cell and the ISO week. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { csvCell } from '../src/programme/csv.js';
import { DAY_MS, isoWeek, mondayOf } from '../src/programme/weeks.js';

/** Reads one RFC 4180 cell back. */
function parseCell(cell: string): string {
  if (!cell.startsWith('"')) return cell;
  assert.ok(cell.endsWith('"') && cell.length >= 2);
  return cell.slice(1, -1).replaceAll('""', '"');
}

it('a CSV cell reads back as the text, with a quote mark before anything a spreadsheet would run', () => {
  const risky = fc.constantFrom('=', '+', '-', '@', '\t', '\r');
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.tuple(risky, fc.string({ maxLength: 50 })).map(([a, b]) => a + b),
  );
  fc.assert(
    fc.property(text, (value) => {
      const cell = csvCell(value);
      const formula = /^[=+\-@\t\r]/.test(value);
      assert.equal(parseCell(cell), formula ? `'${value}` : value);
      assert.ok(!/^[=+\-@\t\r]/.test(parseCell(cell)), 'never begins as a formula');
      // One cell: separators and line breaks only inside quotes.
      if (/[",\n\r]/.test(parseCell(cell))) assert.ok(cell.startsWith('"') && cell.endsWith('"'));
    }),
  );
  assert.equal(csvCell(-3), '-3', 'numbers are numbers');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell('=1+2'), "'=1+2");
  assert.equal(csvCell('a,"b"'), '"a,""b"""');
});

it('ISO weeks: each Monday is week 1 after the last week of its year, or the next week', () => {
  // Mondays from 1970 to 2100.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 6800 }), (n) => {
      const monday = mondayOf(4 + n * 7);
      assert.equal(new Date(monday * DAY_MS).getUTCDay(), 1);
      const [year, week] = isoWeek(monday).split('-W').map(Number) as [number, number];
      const [nextYear, nextWeek] = isoWeek(monday + 7)
        .split('-W')
        .map(Number) as [number, number];
      assert.equal(new Date((monday + 3) * DAY_MS).getUTCFullYear(), year, "the year is its Thursday's");
      if (nextYear === year) assert.equal(nextWeek, week + 1);
      else assert.deepEqual([nextYear, nextWeek, week >= 52], [year + 1, 1, true]);
    }),
  );
  assert.equal(isoWeek(mondayOf(Date.UTC(2027, 0, 1) / DAY_MS)), '2026-W53');
  assert.equal(isoWeek(mondayOf(Date.UTC(2026, 11, 7) / DAY_MS)), '2026-W50');
});
