import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { parseAddress } from './address.js';
import { InventoryError } from './errors.js';
import { GROUP_PRIORITY_PROBLEM, groupPriority } from './group-priority.js';
import { expandHostRange, HostRangeError } from './host-range.js';
import { GroupCycleError, setVariable } from './inventory-data.js';
import type { GroupData, InventoryData, VariableOrigin } from './inventory-data.js';
import { checkVariable } from './variables.js';
import { YamlDocument } from './yaml-document.js';
import type { MappingEntry } from './yaml-document.js';
import { place, readVariable, variableOrigin } from './yaml-variables.js';
import type { Warn } from './yaml-variables.js';

const SECTIONS = new Set(['hosts', 'children', 'vars']);

export type { Warn } from './yaml-variables.js';

/**
 * Reads one YAML inventory file into `data`, as Ansible's yaml inventory plugin
 * (lib/ansible/plugins/inventory/yaml.py) does, but failing with the file, line
 * and YAML path where Ansible would fail or silently drop a malformed group.
 */
export function readYamlInventory(file: string, text: string, data: InventoryData, warn: Warn): void {
  new YamlInventoryReader(new YamlDocument(file, text), data, warn).read();
}

class YamlInventoryReader {
  /** Group mappings being read, to stop an alias that nests a group inside itself. */
  private readonly open = new Set<Node>();

  constructor(
    private readonly yaml: YamlDocument,
    private readonly data: InventoryData,
    private readonly warn: Warn,
  ) {}

  read(): void {
    const root = this.yaml.resolve(this.yaml.root, '');
    if (root === null || (isScalar(root) && root.value === null)) {
      this.warn(`${this.yaml.file}: empty inventory file, skipped`);
      return;
    }
    if (!isMap(root)) throw this.shapeError(root, '', `an inventory must be a mapping of group names, found ${describe(root)}`);
    const entries = this.yaml.entries(root, '(top level)', this.warn);
    if (entries.some((entry) => entry.key === 'plugin')) {
      throw new InventoryError('INVENTORY_PLUGIN', 'this is an inventory plugin configuration, which sshpool cannot run; give a YAML inventory', this.yaml.location(root));
    }
    for (const entry of entries) this.readGroup(entry, '');
  }

  private readGroup(entry: MappingEntry, parentPath: string): GroupData {
    const name = this.groupName(entry, parentPath);
    const path = parentPath ? `${parentPath}.${name}` : name;
    const node = this.yaml.resolve(entry.valueNode, path);
    const group = this.data.addGroup(name);
    if (node === null || (isScalar(node) && node.value === null)) return group;
    if (!isMap(node)) {
      throw this.shapeError(node, path, `group '${name}' must be a mapping with hosts, children and vars, found ${describe(node)}`);
    }
    if (this.open.has(node)) throw new InventoryError('INVENTORY_CYCLE', `group '${name}' contains itself through an alias`, this.yaml.location(node, path));
    this.open.add(node);
    for (const section of this.yaml.entries(node, path, this.warn)) {
      const key = String(section.key);
      const sectionPath = `${path}.${key}`;
      if (!SECTIONS.has(key)) {
        this.warn(`${this.place(section.keyNode, sectionPath)}: unexpected key '${key}' in group '${name}' ignored (only hosts, children and vars are read)`);
        continue;
      }
      const entries = this.sectionEntries(section, sectionPath, name);
      if (key === 'vars') for (const variable of entries) this.setGroupVariable(group, variable, sectionPath);
      else if (key === 'children') for (const child of entries) this.addChild(group, child, sectionPath);
      else for (const hostEntry of entries) this.addHosts(group, hostEntry, sectionPath);
    }
    this.open.delete(node);
    return group;
  }

  /** A section is a mapping, null, or (as Ansible allows) a single name standing for `{name: null}`. */
  private sectionEntries(section: MappingEntry, path: string, groupName: string): MappingEntry[] {
    const node = this.yaml.resolve(section.valueNode, path);
    if (node === null) return [];
    if (isScalar(node)) {
      if (node.value === null) return [];
      if (typeof node.value === 'string') return [{ key: node.value, keyNode: node, valueNode: null }];
    }
    if (!isMap(node)) {
      const hint = isSeq(node) && section.key === 'hosts' ? ' (write "host:" lines, not "- host")' : '';
      throw this.shapeError(node, path, `'${String(section.key)}' of group '${groupName}' must be a mapping, found ${describe(node)}${hint}`);
    }
    return this.yaml.entries(node as YAMLMap, path, this.warn);
  }

  private addChild(parent: GroupData, entry: MappingEntry, path: string): void {
    const child = this.readGroup(entry, path);
    try {
      this.data.addChild(parent, child);
    } catch (error) {
      if (!(error instanceof GroupCycleError)) throw error;
      throw new InventoryError('INVENTORY_CYCLE', error.message, this.yaml.location(entry.keyNode, `${path}.${child.name}`));
    }
  }

  private setGroupVariable(group: GroupData, entry: MappingEntry, path: string): void {
    const name = String(entry.key);
    const value = this.variable(entry, `${path}.${name}`);
    if (name === 'ansible_group_priority') group.priority = this.priority(value, entry, `${path}.${name}`);
    else setVariable(group, name, value, this.origin(entry));
  }

  private addHosts(group: GroupData, entry: MappingEntry, path: string): void {
    if (typeof entry.key !== 'string' || entry.key === '') {
      throw this.shapeError(entry.keyNode, path, `host name ${JSON.stringify(entry.key)} must be a non-empty string; quote numbers`);
    }
    const hostPath = `${path}.${entry.key}`;
    const { host, port } = parseAddress(entry.key, { allowRanges: true }) ?? { host: entry.key };
    let names: string[];
    try {
      names = expandHostRange(host);
    } catch (error) {
      if (!(error instanceof HostRangeError)) throw error;
      throw new InventoryError('INVENTORY_RANGE', error.message, this.yaml.location(entry.keyNode, path));
    }
    const hostPort = port === undefined ? undefined : { port: this.port(port, entry, path), origin: this.origin(entry) };
    const variables = this.hostVariables(entry, hostPath);
    for (const name of names) {
      const record = this.data.addHost(name, group, hostPort);
      for (const [key, value, origin] of variables) setVariable(record, key, value, origin);
    }
  }

  /** Ansible treats any falsy value (null, '', 0, false) as "no vars". */
  private hostVariables(entry: MappingEntry, path: string): Array<[string, unknown, VariableOrigin]> {
    const node = this.yaml.resolve(entry.valueNode, path);
    if (node === null) return [];
    if (!isMap(node)) {
      if (!this.yaml.value(node, path)) return [];
      throw this.shapeError(node, path, `the vars of host '${String(entry.key)}' must be a mapping, found ${describe(node)}`);
    }
    return this.yaml.entries(node, path, this.warn).map((variable) => {
      const name = String(variable.key);
      return [name, this.variable(variable, `${path}.${name}`), this.origin(variable)];
    });
  }

  private origin(entry: MappingEntry): VariableOrigin {
    return variableOrigin(this.yaml, entry);
  }

  private variable(entry: MappingEntry, path: string): unknown {
    return readVariable(this.yaml, entry, path, this.warn);
  }

  private port(digits: string, entry: MappingEntry, path: string): number {
    const problem = checkVariable('ansible_port', digits);
    if (problem) throw this.shapeError(entry.keyNode, path, problem.message);
    return Number(digits);
  }

  private priority(value: unknown, entry: MappingEntry, path: string): number {
    const priority = groupPriority(value);
    if (priority === undefined) throw this.shapeError(entry.valueNode ?? entry.keyNode, path, GROUP_PRIORITY_PROBLEM);
    return priority;
  }

  private groupName(entry: MappingEntry, parentPath: string): string {
    if (typeof entry.key !== 'string' || entry.key === '') {
      throw this.shapeError(entry.keyNode, parentPath, `group name ${JSON.stringify(entry.key) ?? String(entry.key)} must be a non-empty string`);
    }
    return entry.key;
  }

  private shapeError(node: Node | null, path: string, reason: string): InventoryError {
    return new InventoryError('INVENTORY_SHAPE', reason, this.yaml.location(node, path || undefined));
  }

  private place(node: Node | null, path: string): string {
    return place(this.yaml, node, path);
  }
}

function describe(node: Node): string {
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) return node.value === null ? 'nothing' : `the ${typeof node.value} ${JSON.stringify(node.value) ?? String(node.value)}`;
  return 'something else';
}
