/**
 * docs/settings.md, made from the settings table: `npm run docs:settings` writes it, and
 * test/config.table.test.ts fails when the page differs from what this returns.
 */
import { allowedText, RETIRED, SETTINGS, type Setting } from './config-table.js';

const INTRO = `Tandem reads these environment variables once, at start; the defaults give the embedded
single-process server (SQLite, in-memory channel layer, on 127.0.0.1:8000). A wrong setting stops
Tandem at start with one message that lists every problem, each naming the variable, the value
and what is allowed.

Operators usually set \`DATABASE_URL\` and \`REDIS_URL\` (several instances), \`PUBLIC_ORIGIN\`
(always, in production), \`METRICS_PORT\` (probes and scrapes off the public port),
\`ALLOWED_ORIGINS\` (a front end on another origin), \`COOKIE_SECURE=true\` and \`TRUST_PROXY\`
(behind a TLS-terminating proxy), \`REGISTRATION=closed\`, \`MENTOR_CAPACITY\` and the login throttle.`;

const cell = (text: string) => text.replace(/\|/g, '\\|');

function typeOf(setting: Setting): string {
  return setting.unit === undefined ? setting.type : `${setting.type} (${setting.unit})`;
}

function defaultOf(setting: Setting): string {
  if (setting.default !== null) return `\`${setting.default}\``;
  return setting.unset === undefined ? 'unset' : `unset: ${setting.unset}`;
}

/** The whole page, ending in a newline. */
export function settingsMarkdown(): string {
  const lines = ['# Settings', '', '<!-- Generated from src/config-table-*.ts by `npm run docs:settings`: edit the table, not this page. -->', '', INTRO];
  const areas = [...new Set(SETTINGS.map((setting: Setting) => setting.area))];
  for (const area of areas) {
    lines.push('', `## ${area}`, '', '| variable | type | default | allowed | meaning |', '|---|---|---|---|---|');
    for (const setting of SETTINGS.filter((row: Setting) => row.area === area) as Setting[]) {
      lines.push(`| \`${setting.name}\` | ${typeOf(setting)} | ${cell(defaultOf(setting))} | ${cell(allowedText(setting))} | ${cell(setting.meaning)} |`);
    }
  }
  lines.push('', '## Retired', '', 'No longer read; setting one stops the start, saying what took its place.', '', '| variable | now |', '|---|---|');
  for (const { name, now } of RETIRED) lines.push(`| \`${name}\` | ${cell(now)} |`);
  return `${lines.join('\n')}\n`;
}
