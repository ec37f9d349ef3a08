/**
 * group_vars/ and host_vars/ beside each inventory source, found as Ansible's
 * host_group_vars vars plugin finds them (plugins/vars/host_group_vars.py,
 * DataLoader.find_vars_files in parsing/dataloader.py).
 */
import type { Dirent } from 'node:fs';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { cannotRead, InventoryError } from './errors.js';
import { setVariable } from './inventory-data.js';
import type { InventoryData, VariableOrigin, VariableOwner } from './inventory-data.js';
import { decodeUtf8 } from './utf8.js';
import { YamlDocument } from './yaml-document.js';
import { readVariable, variableOrigin } from './yaml-variables.js';
import type { Warn } from './yaml-variables.js';

/** A file or directory as the user named it (for messages) and as a resolved path. */
export interface ShownPath {
  readonly shown: string;
  readonly path: string;
}

/** Tried in this order for a group or host NAME; the first that exists is the only one read (C.YAML_FILENAME_EXTENSIONS). */
const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

type Variable = readonly [name: string, value: unknown, origin: VariableOrigin];

/**
 * Reads every source's group_vars/ and host_vars/ into `data.sourceVars`, for
 * the groups and hosts the inventory has (files for others are ignored, as
 * Ansible ignores them). Call once every source is read and reconciled, so
 * that `all` and `ungrouped` hold their final members.
 */
export async function readVarsFiles(sources: readonly ShownPath[], data: InventoryData, warn: Warn): Promise<void> {
  for (const dir of await varsDirectories(sources)) {
    const groups = await readOwners(dir, 'group_vars', data.groups, warn);
    const hosts = await readOwners(dir, 'host_vars', data.hosts, warn);
    if (groups.size > 0 || hosts.size > 0) data.sourceVars.push({ groups, hosts });
  }
}

/**
 * Where each source's vars directories are: a directory source's own, a
 * file's parent, none for a host list. A directory named twice counts at its
 * last place: applying it again there gives what Ansible's repeated reading gives.
 */
async function varsDirectories(sources: readonly ShownPath[]): Promise<ShownPath[]> {
  const dirs = new Map<string, ShownPath>();
  for (const source of sources) {
    const stats = await stat(source.path).catch(() => undefined);
    if (!stats) continue;
    const dir = stats.isDirectory() ? source : { shown: dirname(source.shown), path: dirname(source.path) };
    dirs.delete(dir.path);
    dirs.set(dir.path, dir);
  }
  return [...dirs.values()];
}

async function readOwners<T>(source: ShownPath, subdir: string, entities: ReadonlyMap<string, T>, warn: Warn): Promise<Map<T, VariableOwner>> {
  const dir = { shown: join(source.shown, subdir), path: join(source.path, subdir) };
  const owners = new Map<T, VariableOwner>();
  const stats = await stat(dir.path).catch(() => undefined);
  if (!stats) return owners;
  if (!stats.isDirectory()) {
    warn(`${dir.shown}: not a directory, skipped`);
    return owners;
  }
  const listing = new Map((await listDirectory(dir)).map((entry) => [entry.name, entry]));
  const found: Array<[T, ShownPath[]]> = [];
  // Names come from the listing, so a name with a '/' (or '..') never reaches outside the directory.
  for (const [name, entity] of entities) {
    const files = await filesFor(dir, name, listing);
    if (files.length > 0) found.push([entity, files]);
  }
  for (const [entity, files] of found) {
    const owner: VariableOwner = { vars: {}, origins: new Map() };
    for (const file of files) for (const [name, value, origin] of readVarsFile(file, warn)) setVariable(owner, name, value, origin);
    owners.set(entity, owner);
  }
  return owners;
}

/** `NAME`, else `NAME.yml`, `NAME.yaml`, `NAME.json`: a file, or a directory of them. */
async function filesFor(dir: ShownPath, name: string, listing: ReadonlyMap<string, Dirent>): Promise<ShownPath[]> {
  for (const extension of EXTENSIONS) {
    const entry = listing.get(name + extension);
    if (!entry) continue;
    const candidate = { shown: join(dir.shown, entry.name), path: join(dir.path, entry.name) };
    const kind = await entryKind(candidate, entry);
    if (kind === 'missing') continue;
    return kind === 'directory' ? directoryFiles(candidate) : [candidate];
  }
  return [];
}

/**
 * A NAME/ directory's files in Ansible's order (sorted, depth first), later
 * ones overriding earlier ones: hidden and backup (`~`) entries skipped,
 * subdirectories without an extension entered, files with no extension or a
 * YAML/JSON one read.
 */
async function directoryFiles(dir: ShownPath): Promise<ShownPath[]> {
  const files: ShownPath[] = [];
  for (const entry of await listDirectory(dir)) {
    if (entry.name.startsWith('.') || entry.name.endsWith('~')) continue;
    const child = { shown: join(dir.shown, entry.name), path: join(dir.path, entry.name) };
    const extension = extname(entry.name);
    const kind = await entryKind(child, entry);
    if (kind === 'directory' && !extension) files.push(...(await directoryFiles(child)));
    else if (kind === 'file' && EXTENSIONS.includes(extension)) files.push(child);
  }
  return files;
}

/** By name, as Ansible sorts a directory's files before reading them: the last one read wins. */
async function listDirectory(dir: ShownPath): Promise<Dirent[]> {
  const entries = await readdir(dir.path, { withFileTypes: true }).catch((error: unknown) => cannotRead(dir.shown, error));
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Symbolic links followed, as Ansible's os.path checks follow them; a dangling
 * one does not exist, and neither does anything that is no file or directory
 * (reading a FIFO would hang).
 */
async function entryKind(file: ShownPath, entry: Dirent): Promise<'file' | 'directory' | 'missing'> {
  const target = entry.isSymbolicLink() ? await stat(file.path).catch(() => undefined) : entry;
  if (target?.isDirectory()) return 'directory';
  return target?.isFile() ? 'file' : 'missing';
}

/** A vars file is a mapping of variables; an empty one (or any false value: Ansible's `if new_data`) sets nothing. */
function readVarsFile(file: ShownPath, warn: Warn): Variable[] {
  let bytes: Buffer;
  try {
    // Read synchronously: for a thousand small host_vars files that costs a tenth of the CPU of fs.promises' four thread-pool round trips each.
    bytes = readFileSync(file.path);
  } catch (error) {
    cannotRead(file.shown, error);
  }
  const text = decodeUtf8(bytes, file.shown);
  if (text.startsWith('$ANSIBLE_VAULT;')) {
    throw new InventoryError('INVENTORY_READ', `cannot read '${file.shown}': it is encrypted with Ansible Vault, which sshpool decrypts only in !vault values, not whole files`, { file: file.shown });
  }
  const yaml = new YamlDocument(file.shown, text);
  const root = yaml.resolve(yaml.root, '');
  if (root === null) return [];
  if (!isMap(root)) {
    if (pythonFalsy(yaml.value(root, ''))) return [];
    const found = isScalar(root) ? `a ${typeof root.value}` : 'a list';
    throw new InventoryError('INVENTORY_SHAPE', `a vars file must be a mapping of variable names to values, found ${found}`, yaml.location(root));
  }
  return yaml.entries(root, '(top level)', warn).map((entry) => {
    const name = String(entry.key);
    return [name, readVariable(yaml, entry, name, warn), variableOrigin(yaml, entry)] as const;
  });
}

function pythonFalsy(value: unknown): boolean {
  return !value || (Array.isArray(value) && value.length === 0);
}
