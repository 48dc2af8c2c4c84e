/**
 * The settings table: every environment variable Tandem reads, with its type, default, range
 * and meaning. `loadConfig` reads through it (config-read.ts), docs/settings.md is generated
 * from it (`npm run docs:settings`), and test/config.table.test.ts checks that the three agree.
 */
import { CHAT_SETTINGS } from './config-table-chat.js';
import { PROGRAMME_SETTINGS } from './config-table-programme.js';
import { ACCOUNT_SETTINGS } from './config-table-accounts.js';
import { CONVERSATION_SETTINGS } from './config-table-conversation.js';
import { BACKUP_SETTINGS } from './config-table-backups.js';
import { SERVER_SETTINGS, SERVICE_SETTINGS } from './config-table-server.js';
import type { Setting } from './config-types.js';

export type { Setting, SettingType } from './config-types.js';

export const SETTINGS = [
  ...SERVER_SETTINGS,
  ...ACCOUNT_SETTINGS,
  ...SERVICE_SETTINGS,
  ...CHAT_SETTINGS,
  ...CONVERSATION_SETTINGS,
  ...BACKUP_SETTINGS,
  ...PROGRAMME_SETTINGS,
] as const;
export type SettingName = (typeof SETTINGS)[number]['name'];

/**
 * Settings that are no longer read, each with the constant that took its place. Setting one
 * stops the start with that sentence, so that nobody believes a value is in force that is not.
 */
export const RETIRED: ReadonlyArray<{ name: string; now: string }> = [
  { name: 'WS_HANDSHAKES_PER_TURN', now: 'Tandem starts at most 16 WebSocket handshakes per event-loop turn, a constant' },
  { name: 'WS_HANDSHAKE_FAILURE_WINDOW_SECONDS', now: 'failed handshakes are counted per minute, and WS_HANDSHAKE_FAILURES_PER_ADDRESS is the limit' },
];

/** What a setting allows, as a problem and the docs both say it: "an integer from 1 to 100", "one of a, b". */
export function allowedText(setting: Setting): string {
  if (setting.allowed !== undefined) return setting.allowed;
  switch (setting.type) {
    case 'integer': {
      const range = `${setting.powerOfTwo ? 'a power of two' : 'an integer'} from ${setting.min} to ${setting.max}`;
      if (setting.word !== undefined) return `"${setting.word}" or ${range}`;
      return setting.default === null ? `${range} (unset: ${setting.unset ?? 'none'})` : range;
    }
    case 'decimal':
      return `a number above ${setting.min} and at most ${setting.max}`;
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${setting.values?.join(', ')}`;
    case 'list':
      return `a comma-separated list of ${setting.values?.join(', ')}`;
    case 'secret':
      return `at least ${setting.minLength ?? 1} characters`;
    case 'url':
      return 'an http(s) URL';
    case 'string':
      return 'any text';
  }
}
