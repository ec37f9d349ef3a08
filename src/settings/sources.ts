import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { InputError, UsageError } from '../errors.js';
import { xdgDirectory } from '../xdg-directory.js';
import { closest } from './closest.js';
import { SettingsError } from './errors.js';
import type { SettingsLocation } from './errors.js';
import { SETTINGS, settingByKey } from './schema.js';
import type { Setting } from './schema.js';
import { environmentVariable, parseSetting } from './setting.js';

/** Where a setting's value came from, as `sshpool config` shows it. */
export type SettingOrigin =
  | {
      /** The schema's default. */
      source: 'default';
    }
  | {
      /** A settings file. */
      source: 'file';
      /** The file's path. */
      file: string;
      /** 1-based. */
      line: number;
      /** 1-based. */
      column: number;
    }
  | {
      /** An environment variable. */
      source: 'env';
      /** Its name (SSHPOOL_FORKS). */
      variable: string;
    }
  | {
      /** A command-line flag. */
      source: 'flag';
      /** As given (`--forks`). */
      flag: string;
    };

/** One setting as one source gives it: `raw` as written (a file's relative paths made absolute), `value` parsed. */
export interface GivenSetting {
  /** The setting's declaration in the schema. */
  setting: Setting;
  /** As written; undefined for a setting without a default that no source gave. */
  raw: unknown;
  /** As the library takes it (seconds become ms, `1M` bytes). */
  value: unknown;
  /** Which source gave it. */
  origin: SettingOrigin;
}

/** The settings files, lowest first: system-wide, the user's, then the working directory's. */
export function settingsFiles(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), home?: string): string[] {
  const user = xdgDirectory('config', env, home);
  return ['/etc/sshpool/config.yaml', ...(user === undefined ? [] : [path.join(user, 'config.yaml')]), path.join(cwd, 'sshpool.yaml')];
}

/** A settings file's settings; none when it does not exist. Anything else it holds that cannot be used is an error naming file, line, column and key. */
export async function readSettingsFile(file: string): Promise<GivenSetting[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SettingsError('SETTINGS_READ', `cannot read settings file: ${(error as Error).message}`, { file }, { cause: error });
  }
  return parseSettingsFile(file, text);
}

/** Words that name a secret: `sshpool config` shows every value, so none may be kept in a settings file. */
const SECRET_WORDS = /pass(word|phrase)?|secret|token|credential/i;

export function parseSettingsFile(file: string, text: string): GivenSetting[] {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined, key?: string): SettingsLocation => {
    const position = lines.linePos(node?.range?.[0] ?? 0);
    return { file, line: position.line, column: position.col, key };
  };
  const [syntax] = document.errors;
  if (syntax) {
    const position = lines.linePos(syntax.pos[0]);
    throw new SettingsError('SETTINGS_SYNTAX', `YAML syntax error: ${syntax.message}`, { file, line: position.line, column: position.col });
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return [];
  if (!isMap(root)) throw new SettingsError('SETTINGS_SYNTAX', 'a settings file is a mapping of setting names to values (forks: 64)', at(root));
  const given: GivenSetting[] = [];
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const declaration = settingByKey(key);
    if (!declaration) throw unknownKey(key, at(keyNode, key));
    const valueNode = pair.value as Node | null;
    const location = at(valueNode ?? keyNode, key);
    const raw = resolvePaths(declaration, valueNode ? valueNode.toJSON() : null, path.dirname(file));
    const origin: SettingOrigin = { source: 'file', file, line: location.line!, column: location.column! };
    given.push(readValue(declaration, raw, key, origin, (reason, cause) => new SettingsError('SETTINGS_VALUE', reason, location, { cause })));
  }
  return given;
}

function unknownKey(key: string, location: SettingsLocation): SettingsError {
  if (SECRET_WORDS.test(key)) {
    return new SettingsError(
      'SETTINGS_SECRET',
      `${key}: secrets are not settings (sshpool config shows every value): use --ask-pass, or ansible_password in the inventory, vaulted`,
      location,
    );
  }
  const suggestion = closest(key, SETTINGS.map((declaration) => declaration.key));
  return new SettingsError('SETTINGS_KEY', `unknown setting '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, location);
}

/** Relative paths in a file are the file's, so one kept next to its keys works from any directory; `~` is left for the SSH layer. */
function resolvePaths(declaration: Setting, raw: unknown, directory: string): unknown {
  if (!declaration.path) return raw;
  const resolve = (entry: unknown) => (typeof entry === 'string' && entry !== '' && !entry.startsWith('~') ? path.resolve(directory, entry) : entry);
  return Array.isArray(raw) ? raw.map(resolve) : resolve(raw);
}

/** Checks the raw value's shape, then parses it; `fail` makes the error of this source. */
function readValue(
  declaration: Setting,
  raw: unknown,
  label: string,
  origin: SettingOrigin,
  fail: (reason: string, cause?: unknown) => Error,
): GivenSetting {
  const shape = v.safeParse(declaration.input, raw);
  if (!shape.success) throw fail(`${label}: ${shape.issues[0].message}, not ${shapeOf(raw)}`);
  try {
    return { setting: declaration, raw, value: parseSetting(declaration, shape.output, label), origin };
  } catch (error) {
    if (error instanceof InputError) throw fail(error.message, error);
    throw error;
  }
}

function shapeOf(raw: unknown): string {
  if (raw === null) return 'nothing';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a mapping';
  return `${typeof raw} ${JSON.stringify(raw)}`;
}

const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

/** A variable's text as the raw value its flag would give: `a:b` is two paths, as Ansible's pathlist settings split. */
function rawFromText(declaration: Setting, text: string): unknown {
  if (declaration.flag === 'repeatable') return text.split(path.delimiter).filter((entry) => entry !== '');
  if (declaration.flag !== 'boolean') return text;
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return text;
}

/**
 * The SSHPOOL_* variables that set settings (an empty one is unset); a bad
 * value is an error naming the variable, an unknown SSHPOOL_* name a warning
 * naming the closest one. `others` are the SSHPOOL_* variables that are not
 * settings (SSHPOOL_INVENTORY).
 */
export function readEnvironment(env: NodeJS.ProcessEnv, others: readonly string[] = []): { given: GivenSetting[]; warnings: string[] } {
  const byVariable = new Map<string, Setting>(SETTINGS.map((declaration) => [environmentVariable(declaration.key), declaration]));
  const given: GivenSetting[] = [];
  const warnings: string[] = [];
  for (const [variable, text] of Object.entries(env)) {
    if (!variable.startsWith('SSHPOOL_') || others.includes(variable) || text === undefined || text === '') continue;
    const declaration = byVariable.get(variable);
    if (!declaration) {
      const suggestion = closest(variable, [...byVariable.keys(), ...others]);
      warnings.push(`unknown variable ${variable} ignored${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
      continue;
    }
    const origin: SettingOrigin = { source: 'env', variable };
    given.push(readValue(declaration, rawFromText(declaration, text), variable, origin, (reason, cause) => new SettingsError('SETTINGS_VALUE', reason, { variable }, { cause })));
  }
  return { given, warnings };
}

/** The settings given as flags, from yargs' parsed arguments (no yargs defaults, so an absent flag is undefined). */
export function readFlags(args: Record<string, unknown>): GivenSetting[] {
  const given: GivenSetting[] = [];
  for (const declaration of SETTINGS as readonly Setting[]) {
    const raw = args[camelCase(declaration.key)];
    if (raw === undefined) continue;
    const flag = `--${declaration.key}`;
    given.push(readValue(declaration, raw, flag, { source: 'flag', flag }, (reason, cause) => new UsageError(reason, { cause })));
  }
  return given;
}

/** yargs' name for a flag's value: connect-timeout → connectTimeout. */
export function camelCase(key: string): string {
  return key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
