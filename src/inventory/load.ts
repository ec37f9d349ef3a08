import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAddress } from './address.js';
import { cannotRead, InventoryError } from './errors.js';
import { Inventory } from './inventory.js';
import { GroupCycleError, InventoryData } from './inventory-data.js';
import { readInventoryFile } from './inventory-source.js';
import { checkVariable } from './variables.js';
import { readVarsFiles } from './vars-files.js';
import { InventoryWarnings } from './warnings.js';
import type { Warn } from './yaml-inventory.js';

/** Ansible's IGNORED_ALWAYS and default INVENTORY_IGNORE_EXTS for directory sources. */
const IGNORED_ENTRIES = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

/**
 * Loads and merges inventory sources in order, as `ansible -i A -i B`: a file
 * (INI, YAML or JSON, or an inventory script, told apart as Ansible does), a
 * directory of them, or a comma-separated host list (`web1,web2:2222,`) when
 * the source has a comma and is no existing path; then the group_vars/ and
 * host_vars/ beside each source. Relative sources are taken from `options.cwd` (default the process's).
 * @throws InventoryError naming file, line and column; InventoryUnparsedError, with each format's reason,
 * when no parser takes a source.
 */
export async function loadInventory(sources: readonly string[], options: { cwd?: string } = {}): Promise<Inventory> {
  const cwd = options.cwd ?? process.cwd();
  const data = new InventoryData();
  const warnings = new InventoryWarnings();
  const warn = (message: string, key?: string) => warnings.add(message, key);
  for (const source of sources) {
    if (!source) continue;
    const path = resolveSource(source, cwd);
    const stats = await stat(path).catch(() => undefined);
    if (!stats && source.includes(',')) readHostList(source, data);
    else if (!stats) throw new InventoryError('INVENTORY_NOT_FOUND', `inventory source '${source}' does not exist`, { file: source });
    else if (stats.isDirectory()) await readDirectory(source, path, data, warn, cwd);
    else await readInventoryFile(source, path, data, warn, cwd);
  }
  try {
    data.reconcile();
  } catch (error) {
    if (!(error instanceof GroupCycleError)) throw error;
    throw new InventoryError('INVENTORY_CYCLE', `${error.message} (every group hangs under 'all')`);
  }
  await readVarsFiles(sources.filter(Boolean).map((source) => ({ shown: source, path: resolveSource(source, cwd) })), data, warn);
  for (const name of data.hosts.keys()) {
    if (data.groups.has(name)) {
      warn(`'${name}' names both a host and a group: the pattern '${name}' selects the host, '&${name}' and '!${name}' the group`);
    }
  }
  return new Inventory(data, warnings.messages);
}

/** Ansible's host_list plugin: no ranges here, and a port only on a valid address. */
function readHostList(source: string, data: InventoryData): void {
  for (const item of source.split(',')) {
    const entry = item.trim();
    if (!entry) continue;
    const { host, port } = parseAddress(entry, { allowRanges: false }) ?? { host: entry };
    const problem = port === undefined ? undefined : checkVariable('ansible_port', port);
    if (problem) throw new InventoryError('INVENTORY_SHAPE', `host '${entry}' in the host list '${source}': ${problem.message}`);
    if (!data.hosts.has(host)) data.addHost(host, data.ungrouped, port === undefined ? undefined : { port: Number(port), origin: { file: source } });
  }
}

/** Every entry Ansible does not ignore, in name order; says so when a directory holds no inventory (Ansible warns too). */
async function readDirectory(shown: string, path: string, data: InventoryData, warn: Warn, cwd: string): Promise<boolean> {
  const names = (await readdir(path).catch((error: unknown) => cannotRead(shown, error))).sort();
  let read = false;
  for (const name of names) {
    const entryShown = join(shown, name);
    if (IGNORED_ENTRIES.test(name)) {
      // Users expect an INI file to be read here; Ansible skips it without a word.
      if (name.endsWith('.ini')) warn(`${entryShown}: skipped, as Ansible skips .ini files in an inventory directory (its INVENTORY_IGNORE_EXTS)`);
      continue;
    }
    const entryPath = join(path, name);
    const stats = await stat(entryPath).catch((error: unknown) => cannotRead(entryShown, error));
    if (stats.isDirectory()) read = (await readDirectory(entryShown, entryPath, data, warn, cwd)) || read;
    else {
      await readInventoryFile(entryShown, entryPath, data, warn, cwd);
      read = true;
    }
  }
  if (!read) warn(`${shown}: no inventory in this directory`);
  return read;
}

function resolveSource(source: string, cwd: string): string {
  return resolve(cwd, expandHome(source));
}

function expandHome(source: string): string {
  if (source === '~') return homedir();
  return source.startsWith('~/') ? join(homedir(), source.slice(2)) : source;
}
