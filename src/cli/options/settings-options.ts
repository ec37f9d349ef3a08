import type { Argv, Options } from 'yargs';
import type { RunOptions } from '../../settings/run-options.js';
import { SETTINGS } from '../../settings/schema.js';
import type { Setting } from '../../settings/schema.js';
import { loadSettings, settingValue } from '../../settings/resolve.js';
import type { EffectiveSettings } from '../../settings/resolve.js';
import { defaultText } from '../../settings/render.js';
import type { SettingCommand } from '../../settings/setting.js';
import { environmentVariable } from '../../settings/setting.js';
import { SSHPOOL_INVENTORY } from '../../inventory/index.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import type { CliIo } from '../cli.js';
import { promptHidden } from '../prompt.js';
import { repeatable } from './values.js';

/**
 * The flags of the settings that apply to `command` (all of them for `config`).
 * No yargs defaults: an absent flag must stay undefined, for the lower sources
 * (files, variables, then the schema's default) to show through.
 */
export function withSettingsOptions<T>(parser: Argv<T>, command: SettingCommand | 'config'): Argv<T> {
  let result = parser;
  for (const declaration of SETTINGS as readonly Setting[]) {
    if (command !== 'config' && !declaration.commands.includes(command)) continue;
    result = result.option(declaration.key, yargsOption(declaration));
  }
  return result;
}

function yargsOption(declaration: Setting): Options {
  const option: Options = {
    type: declaration.flag === 'boolean' ? 'boolean' : 'string',
    describe: `${declaration.help} (default: ${defaultText(declaration)}; $${environmentVariable(declaration.key)})`,
  };
  if (declaration.alias) option.alias = declaration.alias;
  if (declaration.flag !== 'boolean') option.requiresArg = true;
  if (declaration.flag === 'repeatable') option.coerce = repeatable;
  if (declaration.choices) option.choices = [...declaration.choices];
  return option;
}

/** Settings from every source for this invocation; unknown SSHPOOL_* variables are warned about on stderr. */
export async function loadCliSettings(flags: Record<string, unknown>, io: Pick<CliIo, 'stderr'>): Promise<EffectiveSettings> {
  const { settings, warnings } = await loadSettings({ flags, otherVariables: [SSHPOOL_INVENTORY] });
  for (const warning of warnings) io.stderr.write(`sshpool: warning: ${escapeControlCharacters(warning)}\n`);
  return settings;
}

/**
 * The library's options. A default is left out, for the library to apply it
 * below ssh_config; user, port and identity files from a settings file or
 * variable go to hostDefaults, below the host's inventory vars.
 */
export function toRunOptions(settings: EffectiveSettings): RunOptions {
  const options: Record<string, unknown> = {};
  const hostDefaults: Record<string, unknown> = {};
  for (const given of settings.values()) {
    const { field, perHost } = given.setting;
    if (field === undefined || given.origin.source === 'default') continue;
    (perHost && given.origin.source !== 'flag' ? hostDefaults : options)[field] = given.value;
  }
  if (Object.keys(hostDefaults).length > 0) options.hostDefaults = hostDefaults;
  const runOptions = options as RunOptions;
  runOptions.passphrasePrompt = (keyPath) => promptHidden(`Enter passphrase for key '${keyPath}': `);
  if (settingValue(settings, 'ask-pass')) runOptions.passwordPrompt = () => promptHidden('SSH password: ');
  if (settingValue(settings, 'agent') === false) runOptions.agentSocket = null;
  return runOptions;
}
