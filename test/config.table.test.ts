/**
 * The settings table agrees with what `loadConfig` reads and with docs/settings.md: every row
 * is read and nothing else is, every integer's bounds are the ones enforced, and the page is
 * the one `npm run docs:settings` makes from the table.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config.js';
import { settingsMarkdown } from '../src/config-doc.js';
import { allowedText, RETIRED, SETTINGS, type Setting } from '../src/config-table.js';

/** Every part switched on, so that the settings read only with it are read too. */
const EVERYTHING_ON = {
  AUTH: 'local,jwt,proxy',
  JWT_SECRET: 'x'.repeat(32),
  AUTH_PROXY_URL: 'http://platform.test/whoami',
  WEBHOOK_URL: 'http://platform.test/hooks',
  WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
};

const rows = SETTINGS as readonly Setting[];

/** The problems `loadConfig` lists for `env`, none when it loads. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

it('docs/settings.md is what the table makes (run `npm run docs:settings` after changing the table)', () => {
  const page = readFileSync(new URL('../../docs/settings.md', import.meta.url), 'utf8');
  assert.equal(page, settingsMarkdown());
});

it('loadConfig reads every variable of the table, the retired ones (to refuse them), and no other', () => {
  const read = new Set<string>();
  const env = new Proxy<Record<string, string | undefined>>(
    { ...EVERYTHING_ON },
    {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return typeof name === 'string' ? target[name] : undefined;
      },
    },
  );
  loadConfig(env);
  const expected = [...rows.map((row) => row.name), ...RETIRED.map((retired) => retired.name)].sort();
  assert.deepEqual([...read].sort(), expected);
  assert.equal(new Set(expected).size, expected.length, 'each name once');
});

it('every row has a default its own parser accepts, and one line of meaning', () => {
  assert.deepEqual(problemsOf(EVERYTHING_ON), []);
  for (const row of rows) {
    assert.ok(row.meaning.length > 0 && !row.meaning.includes('\n'), row.name);
    if (row.default !== null) assert.deepEqual(problemsOf({ ...EVERYTHING_ON, [row.name]: row.default }), [], row.name);
    else assert.ok(row.unset !== undefined || ['string', 'secret', 'url'].includes(row.type), `${row.name} says what unset means`);
  }
});

it('accepts every integer at its bounds and refuses it just past them, naming the variable, the value and the range', () => {
  for (const row of rows.filter((candidate) => candidate.type === 'integer')) {
    for (const fits of [row.min!, row.max!]) {
      const own = problemsOf({ ...EVERYTHING_ON, [row.name]: String(fits) }).filter((problem) => problem.startsWith(`${row.name} must be`));
      assert.deepEqual(own, [], `${row.name}=${fits}`);
    }
    const bads = [...(row.min! > 0 ? [row.min! - 1] : []), row.max! + 1, -1, 'many', '1.5'].map(String);
    for (const bad of bads) {
      assert.ok(problemsOf({ ...EVERYTHING_ON, [row.name]: bad }).includes(`${row.name} must be ${allowedText(row)}, got "${bad}"`), `${row.name}=${bad}`);
    }
  }
});

it('refuses a retired setting whatever its value, saying what took its place', () => {
  for (const { name, now } of RETIRED) {
    for (const value of ['1', '60', 'anything']) assert.deepEqual(problemsOf({ [name]: value }), [`${name} is no longer a setting: ${now}`]);
    assert.deepEqual(problemsOf({ [name]: '' }), [], 'empty is unset');
  }
});

it('refuses a bad value of each enum, list, boolean and decimal by the table, and takes any case', () => {
  const choices = {
    LOG_LEVEL: 'loud',
    REGISTRATION: 'invite-only',
    CONVERSATION_POLICY: 'public',
    AUTH: 'ldap',
    COOKIE_SECURE: 'maybe',
    WEBHOOK_RETRY_HOURS: '721',
  };
  for (const [name, bad] of Object.entries(choices)) {
    const row = rows.find((candidate) => candidate.name === name)!;
    assert.deepEqual(problemsOf({ ...EVERYTHING_ON, [name]: bad }), [`${name} must be ${allowedText(row)}, got "${bad}"`]);
  }
  assert.equal(loadConfig({ LOG_LEVEL: 'WARN' }).logLevel, 'warn');
  assert.equal(loadConfig({ REGISTRATION: 'Closed' }).registrationOpen, false);
});
