/** The error catalogue and the close codes agree with their tables in docs/errors.md and docs/protocol.md. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ErrorCatalogue } from '../src/errors.js';
import { CloseCode } from '../src/protocol/close-codes.js';

function tableAfter(page: string, heading: string): string[][] {
  const text = readFileSync(new URL(`../../docs/${page}`, import.meta.url), 'utf8');
  const start = text.indexOf(heading);
  assert.ok(start >= 0, `docs/${page} has a "${heading}" section`);
  const rows: string[][] = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|'))
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    else if (rows.length > 0) break;
  }
  return rows.slice(2); // header and separator
}

it('docs/errors.md lists every error code with its status, and no other', () => {
  const documented = tableAfter('errors.md', '## Error codes').map(([code, status]) => [code!.replaceAll('`', ''), Number(status)]);
  const catalogue = Object.entries(ErrorCatalogue).map(([code, entry]) => [code, entry.status]);
  assert.deepEqual(documented.sort(), catalogue.sort());
});

it('docs/protocol.md lists every close code, and no other', () => {
  const documented = tableAfter('protocol.md', '## Close codes')
    .map(([code]) => Number(code))
    .sort();
  const catalogue = Object.values(CloseCode)
    .map((entry) => entry.code)
    .sort();
  assert.deepEqual(documented, catalogue);
  for (const entry of Object.values(CloseCode)) assert.ok(Buffer.byteLength(entry.reason) <= 123, entry.reason);
});
