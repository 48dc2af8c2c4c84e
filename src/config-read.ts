/**
 * Reads settings by the table (config-table.ts): the default when unset, the one parser of
 * each type, and for anything wrong a problem naming the variable, the value and what is
 * allowed — pushed, not thrown, so that `loadConfig` lists every problem at once.
 */
import { allowedText, RETIRED, SETTINGS, type Setting, type SettingName } from './config-table.js';

type Env = Record<string, string | undefined>;

const BY_NAME = new Map<string, Setting>(SETTINGS.map((setting) => [setting.name, setting]));

function row(name: SettingName): Setting {
  const setting = BY_NAME.get(name);
  if (setting === undefined) throw new Error(`${name} is not in the settings table`);
  return setting;
}

export class SettingsReader {
  constructor(
    private readonly env: Env,
    readonly problems: string[],
  ) {}

  /** A problem for each retired setting that is set. */
  refuseRetired(): void {
    for (const { name, now } of RETIRED) {
      if ((this.env[name] ?? '').trim() !== '') this.problems.push(`${name} is no longer a setting: ${now}`);
    }
  }

  /** The text as set (trimmed, unless the row says not), else the default; null when neither. */
  text(name: SettingName): string | null {
    const setting = row(name);
    const given = this.env[name];
    const value = setting.trim === false ? given : given?.trim();
    return value === undefined || value === '' ? setting.default : value;
  }

  /** True when the operator set it (to something other than spaces). */
  isSet(name: SettingName): boolean {
    return (this.env[name] ?? '').trim() !== '';
  }

  /** An integer within the row's bounds; on a problem, the default. */
  integer(name: SettingName): number {
    return this.integerOrNull(name) ?? Number(row(name).default);
  }

  /** An integer within the row's bounds, or null for its word (`unlimited`, `off`) or, without a default, unset. */
  integerOrNull(name: SettingName): number | null {
    const setting = row(name);
    const text = this.text(name);
    if (text === null) return null;
    if (setting.word !== undefined && text.toLowerCase() === setting.word) return null;
    const value = Number(text);
    const fits = /^\d+$/.test(text) && value >= setting.min! && value <= setting.max! && (!setting.powerOfTwo || (value & (value - 1)) === 0);
    if (fits) return value;
    this.refuse(setting, text);
    return setting.default === null || setting.default === setting.word ? null : Number(setting.default);
  }

  /** A decimal number above the row's `min` and at most its `max` (fractions allowed); on a problem, the default. */
  decimal(name: SettingName): number {
    const setting = row(name);
    const text = this.text(name)!;
    const value = Number(text);
    if (/^\d+(\.\d+)?$/.test(text) && value > setting.min! && value <= setting.max!) return value;
    this.refuse(setting, text);
    return Number(setting.default);
  }

  boolean(name: SettingName): boolean {
    const text = this.text(name)!.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    this.refuse(row(name), text);
    return false;
  }

  /** One of the row's values, without regard to case; on a problem, the default. */
  choice<Value extends string>(name: SettingName): Value {
    const setting = row(name);
    const text = this.text(name)!.toLowerCase();
    if (setting.values!.includes(text)) return text as Value;
    this.refuse(setting, text);
    return setting.default as Value;
  }

  /** Some of the row's values, comma-separated, each once, in the order given; on a problem, the default's. */
  choices<Value extends string>(name: SettingName): Value[] {
    const setting = row(name);
    const text = this.text(name)!;
    const names = text
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean);
    if (names.length > 0 && names.every((item) => setting.values!.includes(item))) return [...new Set(names)] as Value[];
    this.refuse(setting, text);
    return setting.default!.split(',') as Value[];
  }

  /** An http(s) URL, or null when unset. A bad one is named by its scheme only: a URL may carry credentials. */
  url(name: SettingName): string | null {
    const text = this.text(name);
    if (text === null) return null;
    let scheme: string | null = null;
    try {
      scheme = new URL(text).protocol;
    } catch {
      // not a URL at all: the problem quotes nothing of it
    }
    if (scheme !== 'http:' && scheme !== 'https:')
      this.problems.push(`${name} must be ${allowedText(row(name))}${scheme === null ? '' : `, got "${scheme}…"`}`);
    return text;
  }

  /** A secret of at least the row's `minLength` characters, or null when unset; a problem never quotes it. */
  secret(name: SettingName): string | null {
    const setting = row(name);
    const text = this.text(name);
    if (text !== null && setting.minLength !== undefined && text.length < setting.minLength) this.problems.push(`${name} must have ${allowedText(setting)}`);
    return text;
  }

  private refuse(setting: Setting, text: string): void {
    this.problems.push(`${setting.name} must be ${allowedText(setting)}, got "${text}"`);
  }
}
