import { SETTINGS } from './schema.js';
import { parseSetting } from './setting.js';
import type { Setting, SettingValues } from './schema.js';
import type { GivenSetting, SettingOrigin } from './sources.js';
import { readEnvironment, readFlags, readSettingsFile, settingsFiles } from './sources.js';

/** Every setting's value after all sources, with where it came from. */
export type EffectiveSettings = ReadonlyMap<string, GivenSetting>;

const DEFAULT: SettingOrigin = { source: 'default' };

/** Sources merged, lowest first: each given setting replaces what a lower source gave. */
export function mergeSettings(...sources: readonly (readonly GivenSetting[])[]): EffectiveSettings {
  const merged = new Map<string, GivenSetting>(
    (SETTINGS as readonly Setting[]).map((declaration) => [
      declaration.key,
      { setting: declaration, raw: declaration.default, value: declaration.default === undefined ? undefined : parseSetting(declaration, declaration.default, declaration.key), origin: DEFAULT },
    ]),
  );
  for (const source of sources) for (const given of source) merged.set(given.setting.key, given);
  return merged;
}

/** A setting's parsed value, typed by its key (undefined when unset and without a default). */
export function settingValue<Key extends keyof SettingValues>(settings: EffectiveSettings, key: Key): SettingValues[Key] {
  return settings.get(key)?.value as SettingValues[Key];
}

/** What loadSettings reads; only `flags` is required. */
export interface SettingsSources {
  /** yargs' parsed arguments. */
  flags: Record<string, unknown>;
  /** Where SSHPOOL_* variables are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Lowest first; default settingsFiles(). */
  files?: readonly string[];
  /** SSHPOOL_* variables that are not settings, so not warned about. */
  otherVariables?: readonly string[];
}

/**
 * defaults < each settings file < SSHPOOL_* variables < flags; the warnings are for unknown SSHPOOL_* variables.
 * A missing settings file is skipped.
 * @throws SettingsError naming the file, line, column and key (or the variable) of the first bad setting.
 */
export async function loadSettings({ flags, env = process.env, files = settingsFiles(env), otherVariables = [] }: SettingsSources): Promise<{
  /** Every setting with its value and origin. */
  settings: EffectiveSettings;
  /** One line per unknown SSHPOOL_* variable, with the closest setting suggested. */
  warnings: string[];
}> {
  const fromFiles: GivenSetting[][] = [];
  for (const file of files) fromFiles.push(await readSettingsFile(file));
  const environment = readEnvironment(env, otherVariables);
  return { settings: mergeSettings(...fromFiles, environment.given, readFlags(flags)), warnings: environment.warnings };
}
