import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { cannotRead, InventoryError, InventoryUnparsedError } from './errors.js';
import type { FormatAttempt } from './errors.js';
import { readIniInventory } from './ini-inventory.js';
import type { InventoryData } from './inventory-data.js';
import { readInventoryScript } from './script-inventory.js';
import { decodeUtf8 } from './utf8.js';
import { readYamlInventory } from './yaml-inventory.js';
import type { Warn } from './yaml-inventory.js';

/** The yaml plugin's `yaml_extensions`; it also takes a file with no extension. */
const YAML_EXTENSIONS = new Set(['', '.yml', '.yaml', '.json']);
const SHEBANG = [0x23, 0x21];
const ELF = [0x7f, 0x45, 0x4c, 0x46];

/** An inventory file being read. */
interface InventoryFile {
  /** As the user named it, for messages. */
  shown: string;
  path: string;
  /** Where scripts run. */
  cwd: string;
}

interface Format {
  name: string;
  /** Whether the format's plugin takes the file (Ansible's verify_file). */
  takes(file: InventoryFile, bytes: Uint8Array): Promise<boolean>;
  read(file: InventoryFile, bytes: Uint8Array, data: InventoryData, warn: Warn): Promise<void>;
}

/**
 * Ansible's default enable_plugins, in its order (host_list, script, auto,
 * yaml, ini, toml), for a file: each plugin that takes the file tries it and
 * the first that reads it wins; the auto plugin's plugin configurations are
 * refused by the YAML reader, as sshpool cannot run inventory plugins.
 */
const FORMATS: Format[] = [
  {
    name: 'script',
    // The script plugin takes an executable file or one with a #! line (verify_file).
    takes: async (file, bytes) => startsWith(bytes, SHEBANG) || (await access(file.path, constants.X_OK).then(() => true, () => false)),
    read: async (file, bytes, data, warn) => {
      // Python execs the file directly; Node would hand a text file without #! to /bin/sh, so such a file is not run.
      if (!startsWith(bytes, SHEBANG) && !startsWith(bytes, ELF)) {
        throw new InventoryError('INVENTORY_SCRIPT', 'it is executable but has no #! line, so it is not run as an inventory script', { file: file.shown });
      }
      await readInventoryScript(file.shown, file.path, data, warn, file.cwd);
    },
  },
  {
    name: 'YAML',
    takes: async (file) => YAML_EXTENSIONS.has(extname(file.path)),
    read: async (file, bytes, data, warn) => readYamlInventory(file.shown, decodeUtf8(bytes, file.shown), data, warn),
  },
  {
    name: 'INI',
    takes: async () => true,
    read: async (file, bytes, data, warn) => readIniInventory(file.shown, bytes, data, warn),
  },
  {
    name: 'TOML',
    takes: async (file) => extname(file.path) === '.toml',
    read: async (file) => {
      throw new InventoryError('INVENTORY_UNSUPPORTED', 'sshpool does not read TOML inventories', { file: file.shown });
    },
  },
];

/** Errors that say what the file is: no other format is tried after them. */
const FINAL_CODES = new Set(['INVENTORY_PLUGIN']);
/** A YAML reader's errors that come before it sees any structure: the text may well be in another format. */
const YAML_TEXT_ERRORS = new Set(['INVENTORY_SYNTAX', 'INVENTORY_ENCODING']);

/**
 * Reads one inventory file into `data` in the first format that reads it.
 * When none does, the error is that of the format it is most likely written
 * in, and says why each other format tried failed.
 * As in Ansible, a format that fails half way may leave what it read in
 * `data` (inventory/manager.py notes the same); its warnings are dropped.
 */
export async function readInventoryFile(shown: string, path: string, data: InventoryData, warn: Warn, cwd: string): Promise<void> {
  const file = { shown, path, cwd };
  const bytes = await readFile(path).catch((error: unknown) => cannotRead(shown, error));
  const attempts: FormatAttempt[] = [];
  for (const format of FORMATS) {
    if (!(await format.takes(file, bytes))) continue;
    const warnings: Array<[string, string | undefined]> = [];
    try {
      await format.read(file, bytes, data, (message, key) => warnings.push([message, key]));
    } catch (error) {
      if (!(error instanceof InventoryError) || FINAL_CODES.has(error.code)) throw error;
      attempts.push({ format: format.name, error });
      continue;
    }
    for (const [message, key] of warnings) warn(message, key);
    return;
  }
  const primary = attempts.find((attempt) => attempt.format === writtenIn(file, bytes, attempts)) ?? attempts[0]!;
  // A file that is not UTF-8 fails every format alike: one saying so is enough.
  if (attempts.length === 1 || attempts.every((attempt) => attempt.error.code === 'INVENTORY_ENCODING')) throw primary.error;
  throw new InventoryUnparsedError(primary, attempts);
}

/**
 * The format a file no format could read is most likely written in: a script
 * if it has a #! line; YAML if named so, or if it parsed as YAML and failed
 * only on its shape; else INI.
 */
function writtenIn(file: InventoryFile, bytes: Uint8Array, attempts: readonly FormatAttempt[]): string {
  if (startsWith(bytes, SHEBANG)) return 'script';
  const yaml = attempts.find((attempt) => attempt.format === 'YAML');
  if (yaml && (extname(file.path) !== '' || !YAML_TEXT_ERRORS.has(yaml.error.code))) return 'YAML';
  return 'INI';
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}
