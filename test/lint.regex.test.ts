/**
 * `npm run lint:regex` really checks the regexes of src/ and web/: the configuration of
 * eslint.config.js, run on super-linear regexes placed in each, reports every one of them,
 * so the check cannot quietly turn into a no-op (a glob that stops matching, a rule dropped).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Each line is a regex that once was, or easily could be, in Tandem, with the rule that must
// report it. Lines are 1-based in ESLint's answer.
const FIXTURE = [
  // The trailing trim of pythonStrip before it became a scan: quadratic on "a" + spaces + "b".
  "const PY_SPACE = '\\\\t\\\\n\\\\x0B\\\\f\\\\r\\\\x1C-\\\\x1F \\\\x85\\\\xA0\\\\u1680\\\\u2000-\\\\u200A\\\\u2028\\\\u2029\\\\u202F\\\\u205F\\\\u3000';",
  'export const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);',
  // The filter's bracketed "at" before its leading whitespace was tied to the start of a run.
  'export const BRACKETED_AT = /\\s*[([{<]\\s*(?:at|@)\\s*[)\\]}>]\\s*/giu;',
  // Exponential backtracking, the textbook case.
  'export const NESTED = /^(a+)+$/;',
  // Polynomial backtracking: two quantifiers that trade the same characters.
  'export const TRADING = /^\\s*\\s*x$/;',
].join('\n');

const EXPECTED = [
  { line: 2, ruleId: 'no-restricted-syntax' },
  { line: 2, ruleId: 'regexp/no-super-linear-move' },
  { line: 3, ruleId: 'regexp/no-super-linear-move' },
  { line: 4, ruleId: 'regexp/no-super-linear-backtracking' },
  { line: 5, ruleId: 'regexp/no-super-linear-backtracking' },
];

async function lintAs(path: string, code: string): Promise<Array<{ line: number; ruleId: string | null }>> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path), warnIgnored: true });
  return result!.messages.map(({ line, ruleId, message }) => {
    assert.notEqual(ruleId, null, `a problem that is no rule's finding: ${message}`);
    return { line, ruleId };
  });
}

const byPlace = (a: { line: number; ruleId: string | null }, b: { line: number; ruleId: string | null }) =>
  a.line - b.line || String(a.ruleId).localeCompare(String(b.ruleId));

describe('lint:regex', () => {
  for (const path of ['src/protocol/super-linear.ts', 'web/shared/super-linear.ts']) {
    it(`reports every super-linear regex of a file in ${path.split('/')[0]}/`, async () => {
      const found = await lintAs(path, FIXTURE);
      assert.deepEqual(found.sort(byPlace), EXPECTED);
    });
  }

  it('passes the linear forms that replaced them', async () => {
    const fixed = [
      'export const BRACKETED_AT = /(?:(?<!\\s)\\s+)?[([{<]\\s*(?:at|@)\\s*[)\\]}>]\\s*/giu;',
      'export const LEADING_SPACE = /^[\\t ]+/;',
      'export const CHAT_PATH = /^\\/ws\\/chat\\/([^/]+)\\/?$/;',
    ].join('\n');
    assert.deepEqual(await lintAs('src/moderation/linear.ts', fixed), []);
  });

  it('finds nothing in the files it guards today', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const results = await eslint.lintFiles(['src/protocol/parse.ts', 'src/moderation/contacts.ts', 'web/chat/format.ts']);
    assert.equal(results.length, 3);
    assert.deepEqual(
      results.flatMap((result) => result.messages.map((message) => `${result.filePath}:${message.line} ${message.ruleId}`)),
      [],
    );
  });
});
