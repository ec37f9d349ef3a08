import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseAddress } from './address.js';
import { cannotRead, InventoryError } from './errors.js';
import { Inventory } from './inventory.js';
import { GroupCycleError, InventoryData } from './inventory-data.js';
import { checkVariable } from './variables.js';
import { readVarsFiles } from './vars-files.js';
import { InventoryWarnings } from './warnings.js';
import { readYamlInventory } from './yaml-inventory.js';
import type { Warn } from './yaml-inventory.js';

/** What Ansible's yaml plugin accepts in a directory (`yaml_extensions`), plus no extension at all. */
const YAML_EXTENSIONS = new Set(['.yml', '.yaml', '.json', '']);

/** Ansible's IGNORED_ALWAYS and default INVENTORY_IGNORE_EXTS for directory sources. */
const IGNORED_ENTRIES = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.cfg|\.retry)$/;

/**
 * Loads and merges inventory sources in order, as `ansible -i A -i B`: a YAML
 * file, a directory of them, or a comma-separated host list (`web1,web2:2222,`)
 * when the source has a comma and is no existing path; then the group_vars/ and
 * host_vars/ beside each source.
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
    else if (stats.isDirectory()) await readDirectory(source, path, data, warn);
    else await readFileSource(source, path, data, warn);
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

async function readDirectory(shown: string, path: string, data: InventoryData, warn: Warn): Promise<void> {
  const names = (await readdir(path).catch((error: unknown) => cannotRead(shown, error))).sort();
  for (const name of names) {
    if (IGNORED_ENTRIES.test(name)) continue;
    const entryPath = join(path, name);
    const entryShown = join(shown, name);
    const stats = await stat(entryPath).catch((error: unknown) => cannotRead(entryShown, error));
    if (stats.isDirectory()) await readDirectory(entryShown, entryPath, data, warn);
    else if (YAML_EXTENSIONS.has(extname(name))) await readFileSource(entryShown, entryPath, data, warn);
    else warn(`${entryShown}: skipped, sshpool reads only YAML inventories (.yml, .yaml, .json or no extension)`);
  }
}

async function readFileSource(shown: string, path: string, data: InventoryData, warn: Warn): Promise<void> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => cannotRead(shown, error));
  readYamlInventory(shown, text, data, warn);
}

function resolveSource(source: string, cwd: string): string {
  return resolve(cwd, expandHome(source));
}

function expandHome(source: string): string {
  if (source === '~') return homedir();
  return source.startsWith('~/') ? join(homedir(), source.slice(2)) : source;
}
