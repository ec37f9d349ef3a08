import { SETTINGS } from './schema.js';
import type { Setting } from './schema.js';
import type { EffectiveSettings } from './resolve.js';
import { environmentVariable, flagText } from './setting.js';
import type { SettingOrigin } from './sources.js';

/** What an unset setting amounts to, as help and documentation say it. */
export function defaultText(declaration: Setting): string {
  return declaration.default === undefined ? (declaration.unset ?? 'unset') : String(declaration.default);
}

/** A raw value as YAML: plain when it reads back the same, else as JSON (which YAML reads too, control characters escaped). */
export function yamlValue(raw: unknown): string {
  if (typeof raw === 'string' && /^[\w./~@:+-][\w./~@:,+ -]*$/.test(raw) && !raw.endsWith(' ') && !/^(true|false|null|~|yes|no|on|off)$/i.test(raw)) return raw;
  return JSON.stringify(raw);
}

const HEADER = `# Every sshpool setting with its default, generated from src/settings/schema.ts
# by \`npm run settings:generate\` (a test keeps it in sync: do not edit).
# Settings files, lowest first: /etc/sshpool/config.yaml,
# \${XDG_CONFIG_HOME:-~/.config}/sshpool/config.yaml, ./sshpool.yaml; then
# SSHPOOL_* variables, then flags. Relative paths are the file's directory's.
`;

/** config/default.yaml: itself a settings file that sets every default (the unset ones commented out). */
export function renderDefaultYaml(): string {
  const blocks = (SETTINGS as readonly Setting[]).map((declaration) => {
    const about = `# ${declaration.help}\n# ${flagText(declaration)}, $${environmentVariable(declaration.key)}; ${declaration.commands.join(', ')}\n`;
    return declaration.default === undefined
      ? `${about}# ${declaration.key}:    (unset: ${defaultText(declaration)})\n`
      : `${about}${declaration.key}: ${yamlValue(declaration.default)}\n`;
  });
  return `${HEADER}\n${blocks.join('\n')}`;
}

export const TABLE_START = '<!-- settings table: generated from src/settings/schema.ts by `npm run settings:generate` -->';
export const TABLE_END = '<!-- end of settings table -->';

/** The README's settings table, between its markers. */
export function renderSettingsTable(): string {
  const rows = (SETTINGS as readonly Setting[]).map(
    (declaration) => `| \`${flagText(declaration)}\` | \`${environmentVariable(declaration.key)}\` | ${declaration.help.replace(/\|/g, '\\|')} | ${defaultText(declaration)} |`,
  );
  return [TABLE_START, '| setting (file key: the long flag) | variable | meaning | default |', '| --- | --- | --- | --- |', ...rows, TABLE_END].join('\n');
}

/** Where a value came from, as `sshpool config` says it. */
export function originText(origin: SettingOrigin): string {
  switch (origin.source) {
    case 'default':
      return 'default';
    case 'file':
      return `${origin.file}:${origin.line}:${origin.column}`;
    case 'env':
      return `$${origin.variable}`;
    case 'flag':
      return origin.flag;
  }
}

/** `sshpool config`: one line per setting, `key: value  # origin`, itself a valid settings file. */
export function renderEffectiveText(settings: EffectiveSettings): string {
  const lines = [...settings.values()].map(({ setting: declaration, raw, origin }) =>
    raw === undefined ? [`# ${declaration.key}:`, `unset: ${defaultText(declaration)}`] : [`${declaration.key}: ${yamlValue(raw)}`, originText(origin)],
  );
  const width = Math.max(...lines.map(([entry]) => entry!.length));
  return lines.map(([entry, comment]) => `${entry!.padEnd(width)}  # ${comment}\n`).join('');
}

/** `sshpool config --json`: each setting's value as given (null when unset) and its origin. */
export function renderEffectiveJson(settings: EffectiveSettings): string {
  const entries = [...settings.values()].map(({ setting: declaration, raw, origin }) => [declaration.key, { value: raw ?? null, ...origin }]);
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

export const REFERENCE_START = '<!-- settings reference: generated from src/settings/schema.ts by `npm run settings:generate` -->';
export const REFERENCE_END = '<!-- end of settings reference -->';

/**
 * The README's reference of every setting, as a man page's OPTIONS section: the flag, where
 * else it is given (file key, variable), the commands that take it, what it does and its default.
 */
export function renderSettingsReference(): string {
  const entries = (SETTINGS as readonly Setting[]).map((declaration) => {
    const notes = [
      declaration.choices ? `One of ${declaration.choices.map((choice) => `\`${choice}\``).join(', ')}.` : '',
      declaration.flag === 'repeatable' ? 'Repeatable; a list in a file, `:`-separated in the variable.' : '',
      declaration.path ? "Relative in a settings file: to that file's directory." : '',
      declaration.perHost ? 'From a file or variable it ranks below inventory vars; as a flag, above them.' : '',
    ].filter((note) => note !== '');
    return [
      `**\`${flagText(declaration)}\`** · file key \`${declaration.key}\` · \`$${environmentVariable(declaration.key)}\` · ${declaration.commands.join(', ')}  `,
      `${declaration.help}. ${notes.join(' ')}${notes.length > 0 ? ' ' : ''}Default: ${defaultText(declaration)}.`,
    ].join('\n');
  });
  return [REFERENCE_START, ...entries, REFERENCE_END].join('\n\n');
}

/** The README with its generated parts (settings table and reference) replaced by the schema's; throws when markers are missing. */
export function replaceGeneratedParts(readme: string): string {
  const withTable = replaceBetween(readme, TABLE_START, TABLE_END, renderSettingsTable());
  return replaceBetween(withTable, REFERENCE_START, REFERENCE_END, renderSettingsReference());
}

function replaceBetween(text: string, startMarker: string, endMarker: string, generated: string): string {
  const start = text.indexOf(startMarker);
  const end = text.indexOf(endMarker);
  if (start === -1 || end < start) throw new Error(`the README has no markers ${startMarker} ... ${endMarker}`);
  return text.slice(0, start) + generated + text.slice(end + endMarker.length);
}
