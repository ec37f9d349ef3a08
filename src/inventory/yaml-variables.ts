import type { Node } from 'yaml';
import { InventoryError } from './errors.js';
import type { VariableOrigin } from './inventory-data.js';
import { checkVariable } from './variables.js';
import type { YamlDocument } from './yaml-document.js';
import type { MappingEntry } from './yaml-document.js';

/** `key` groups warnings that are one cause said in several places, so it is reported once. */
export type Warn = (message: string, key?: string) => void;

/**
 * One variable of a YAML mapping (an inventory's `vars:`, a host's vars, a
 * group_vars file): its value as Ansible loads it, checked as sshpool will use
 * it, failing or warning at the place it was written.
 */
export function readVariable(yaml: YamlDocument, entry: MappingEntry, path: string, warn: Warn): unknown {
  const value = yaml.value(yaml.resolve(entry.valueNode, path), path);
  const problem = checkVariable(String(entry.key), value);
  if (problem?.kind === 'error') throw new InventoryError('INVENTORY_SHAPE', problem.message, yaml.location(entry.valueNode ?? entry.keyNode, path));
  if (problem?.kind === 'warning') warn(`${place(yaml, entry.keyNode, path)}: ${problem.message}`, problem.message);
  return value;
}

/** Where a variable was set: its key's position. */
export function variableOrigin(yaml: YamlDocument, entry: MappingEntry): VariableOrigin {
  const { file, line, column } = yaml.location(entry.keyNode);
  return { file: file ?? yaml.file, line, column };
}

/** `file:line:column (path)` for a warning, or `file (path)` for a node with no position. */
export function place(yaml: YamlDocument, node: Node | null, path: string): string {
  const { file, line, column } = yaml.location(node);
  return line === undefined ? `${file} (${path})` : `${file}:${line}:${column} (${path})`;
}
