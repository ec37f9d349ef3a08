/**
 * ansible.cfg as Ansible finds and reads it (config/manager.py): the first of
 * $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg that
 * exists, parsed by Python's configparser with `inline_comment_prefixes=(';',)`.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { cannotRead, InventoryError } from './errors.js';
import { decodeUtf8 } from './utf8.js';

export interface PathContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly home: string;
}

export interface ConfigSearch {
  /** The file Ansible would use; undefined when none exists. */
  readonly file?: string;
  /** Each place tried, in order, with why it was passed over. */
  readonly looked: readonly string[];
  readonly warnings: readonly string[];
}

export async function findAnsibleConfig(context: PathContext, systemDir = '/etc/ansible'): Promise<ConfigSearch> {
  const looked: string[] = [];
  const warnings: string[] = [];
  const candidates: Array<{ path: string; label: string }> = [];
  const fromEnv = context.env.ANSIBLE_CONFIG;
  let envFile: string | undefined;
  if (fromEnv === undefined) {
    looked.push('$ANSIBLE_CONFIG (unset)');
  } else {
    const path = unfrackPath(fromEnv, context.cwd, context);
    const isDirectory = (await stat(path).catch(() => undefined))?.isDirectory();
    envFile = isDirectory ? join(path, 'ansible.cfg') : path;
    candidates.push({ path: envFile, label: `${envFile} (from $ANSIBLE_CONFIG)` });
  }
  const cwdConfig = join(context.cwd, 'ansible.cfg');
  // Anyone could have put an ansible.cfg in a world-writable directory (/tmp): Ansible does not read it.
  const cwdMode = (await stat(context.cwd).catch(() => undefined))?.mode ?? 0;
  if (cwdMode & constants.S_IWOTH) {
    looked.push(`${cwdConfig} (skipped: ${context.cwd} is world-writable)`);
    if (await readable(cwdConfig)) warnings.push(`${cwdConfig} ignored: ${context.cwd} is world-writable (Ansible ignores it too)`);
  } else {
    candidates.push({ path: cwdConfig, label: cwdConfig });
  }
  for (const path of [unfrackPath('~/.ansible.cfg', context.cwd, context), join(systemDir, 'ansible.cfg')]) candidates.push({ path, label: path });
  for (const { path, label } of candidates) {
    if (await readable(path)) {
      checkConfigExtension(path);
      // As Ansible, the skipped ./ansible.cfg is worth a warning unless $ANSIBLE_CONFIG chose the file.
      return { file: path, looked, warnings: path === envFile ? [] : warnings };
    }
    looked.push(`${label} (not found)`);
  }
  return { looked, warnings };
}

/** Ansible refuses a config file by its extension before reading it (get_config_type). */
function checkConfigExtension(path: string): void {
  if (!['.cfg', '.ini'].includes(extname(path))) {
    throw new UsageError(`'${path}' (from $ANSIBLE_CONFIG): Ansible reads configuration only from a .cfg or .ini file`);
  }
}

export async function readable(path: string): Promise<boolean> {
  return access(path, constants.R_OK).then(
    () => true,
    () => false,
  );
}

/** A path from a setting, as Ansible's resolve_path makes it: unfrackpath after `{{CWD}}` is replaced. */
export function resolvePath(path: string, basedir: string, context: PathContext): string {
  return unfrackPath(path.replaceAll('{{CWD}}', context.cwd), basedir, context);
}

/** utils/path.unfrackpath without following links: `$VAR`/`${VAR}`, then a leading `~`, expanded; a relative path taken from `basedir`. */
function unfrackPath(path: string, basedir: string, context: PathContext): string {
  return resolve(basedir, expandUser(expandVars(path, context.env), context.home));
}

/** os.path.expandvars: an unknown variable is left as written. */
function expandVars(path: string, env: NodeJS.ProcessEnv): string {
  return path.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const value = env[name.startsWith('{') ? name.slice(1, -1) : name];
    return value ?? whole;
  });
}

/** os.path.expanduser for `~` and `~/...`; `~user` is left as written. */
function expandUser(path: string, home: string): string {
  return path === '~' || path.startsWith('~/') ? home + path.slice(1) : path;
}

/** What Ansible (get_ini_config_value) reads for a key: undefined when the section or the key is missing. */
export async function readConfigValue(file: string, section: string, key: string): Promise<string | undefined> {
  const bytes = await readFile(file).catch((error: unknown) => cannotRead(file, error));
  const text = decodeUtf8(bytes, file);
  const sections = parseConfig(file, text);
  const values = sections.get(section);
  if (!values) return undefined;
  return values.get(key.toLowerCase()) ?? sections.get(DEFAULT_SECTION)?.get(key.toLowerCase());
}

/** Its options are every section's defaults, as in configparser. */
const DEFAULT_SECTION = 'DEFAULT';

/**
 * Sections of options, as configparser.ConfigParser(inline_comment_prefixes=(';',))
 * reads them in strict mode: `key = value` or `key: value`, option names
 * lowercased, full-line `#` and `;` comments, inline `;` comments after
 * whitespace, more-indented lines continuing a value, and a duplicate section
 * or option an error (so a file Ansible refuses is refused here too).
 */
export function parseConfig(file: string, text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string[]>>();
  const seen = new Set<string>();
  let section: { name: string; options: Map<string, string[]> } | undefined;
  let option: string[] | undefined;
  let indent = 0;
  // read_string splits at '\n' alone; a '\r' before it is whitespace that strip() removes.
  text.split('\n').forEach((line, index) => {
    const fail = (reason: string) => {
      throw new InventoryError('INVENTORY_SYNTAX', reason, { file, line: index + 1, column: 1, lineText: line.trimEnd() });
    };
    const commentStart = line.trim().startsWith('#') || line.trim().startsWith(';') ? 0 : inlineComment(line);
    const value = line.slice(0, commentStart).trim();
    if (!value) {
      // An empty line (not a comment) inside a value is part of it, as configparser's empty_lines_in_values.
      if (commentStart === undefined && option) option.push('');
      return;
    }
    const lineIndent = line.search(/\S/);
    if (option && lineIndent > indent) {
      option.push(value);
      return;
    }
    indent = lineIndent;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      const name = header[1]!;
      // configparser lets [DEFAULT] come back; any other section only once.
      if (seen.has(name) && name !== DEFAULT_SECTION) fail(`section '${name}' already exists`);
      seen.add(name);
      let options = sections.get(name);
      if (!options) sections.set(name, (options = new Map()));
      section = { name, options };
      option = undefined;
      return;
    }
    if (!section) fail('a line before any [section] header');
    const match = /^(.*?)\s*([=:])\s*(.*)$/.exec(value);
    if (!match || !match[1]) fail("not a section header, a comment or an option ('key = value' or 'key: value')");
    const name = match![1]!.trimEnd().toLowerCase();
    if (seen.has(`${section!.name}\0${name}`)) fail(`option '${name}' in section '${section!.name}' already exists`);
    seen.add(`${section!.name}\0${name}`);
    option = [match![3]!.trim()];
    section!.options.set(name, option);
  });
  return new Map(
    [...sections].map(([name, options]) => [name, new Map([...options].map(([key, parts]) => [key, parts.join('\n').trimEnd()]))]),
  );
}

/** Where an inline `;` comment starts: only after whitespace (or at the line's start). */
function inlineComment(line: string): number | undefined {
  for (let index = line.indexOf(';'); index >= 0; index = line.indexOf(';', index + 1)) {
    if (index === 0 || /\s/.test(line[index - 1]!)) return index;
  }
  return undefined;
}
