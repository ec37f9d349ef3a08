import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { InventoryError } from './errors.js';
import type { InventoryLocation } from './errors.js';
import { pyYamlTags } from './pyyaml-schema.js';

/** One key/value pair of a mapping, as nodes so that both can be located. */
export interface MappingEntry {
  key: unknown;
  keyNode: Node | null;
  valueNode: Node | null;
}

/**
 * Bounds the work done following aliases, so a "billion laughs" file fails
 * instead of hanging: real inventories use a handful of anchors.
 */
const MAX_ALIAS_EXPANSIONS = 10_000;

/**
 * A parsed YAML file that can say where each of its nodes is. Parsed as YAML
 * 1.1 with merge keys and duplicate keys allowed, because Ansible reads
 * inventories with PyYAML: `yes` is a boolean and a repeated key keeps its last
 * value (with a warning).
 */
export class YamlDocument {
  readonly file: string;
  readonly root: Node | null;
  private readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly text: string;
  private aliasExpansions = 0;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, {
      version: '1.1',
      merge: true,
      uniqueKeys: false,
      customTags: pyYamlTags,
      prettyErrors: false,
      lineCounter: this.lines,
    });
    const [error] = this.doc.errors;
    if (error) {
      throw new InventoryError('INVENTORY_SYNTAX', `YAML syntax error: ${error.message}`, this.offsetLocation(error.pos[0]));
    }
    this.root = (this.doc.contents as Node | null) ?? null;
  }

  location(node: Node | null | undefined, path?: string): InventoryLocation {
    const offset = node?.range?.[0];
    return { ...(offset === undefined ? { file: this.file } : this.offsetLocation(offset)), path };
  }

  /** The node an alias points to; other nodes as they are. */
  resolve(node: Node | null, path: string): Node | null {
    if (!isAlias(node)) return node;
    this.aliasExpansions += 1;
    if (this.aliasExpansions > MAX_ALIAS_EXPANSIONS) {
      throw new InventoryError('INVENTORY_SHAPE', 'too many alias expansions', this.location(node, path));
    }
    const target = node.resolve(this.doc);
    if (!target) throw new InventoryError('INVENTORY_SYNTAX', `unknown alias *${node.source}`, this.location(node, path));
    return target as Node;
  }

  /**
   * A mapping's entries in file order, merge keys (`<<: *defaults`) applied and
   * a repeated key keeping its first place but its last value, as a Python dict
   * built by PyYAML does.
   */
  entries(map: YAMLMap, path: string, warn: (message: string) => void, inside = new Set<Node>()): MappingEntry[] {
    if (inside.has(map)) throw new InventoryError('INVENTORY_CYCLE', 'a mapping merges itself', this.location(map, path));
    inside.add(map);
    const byKey = new Map<unknown, MappingEntry>();
    const explicitKeys = new Set<unknown>();
    for (const pair of map.items) {
      const keyNode = (pair.key as Node | null) ?? null;
      const valueNode = (pair.value as Node | null) ?? null;
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        for (const merged of this.mergedEntries(valueNode, path, warn, inside)) {
          if (!byKey.has(merged.key)) byKey.set(merged.key, merged);
        }
        continue;
      }
      const key = this.value(keyNode, path);
      if (explicitKeys.has(key)) {
        const { line, column } = this.location(keyNode);
        warn(`${this.file}:${line}:${column}: duplicate key '${String(key)}' in ${path}; the last value is used`);
      }
      explicitKeys.add(key);
      byKey.set(key, { key, keyNode, valueNode });
    }
    inside.delete(map);
    return [...byKey.values()];
  }

  /** The plain JavaScript value of a node: what Ansible would see after loading. */
  value(node: Node | null, path: string): unknown {
    if (node === null) return null;
    try {
      return node.toJS(this.doc, { maxAliasCount: 100 });
    } catch (error) {
      throw new InventoryError('INVENTORY_SHAPE', (error as Error).message, this.location(node, path), { cause: error });
    }
  }

  private mergedEntries(node: Node | null, path: string, warn: (message: string) => void, inside: Set<Node>): MappingEntry[] {
    const target = this.resolve(node, path);
    if (isMap(target)) return this.entries(target, path, warn, inside);
    if (isSeq(target)) {
      // In a merge list the earlier mappings win: callers only add keys not yet present.
      return target.items.flatMap((item) => {
        const source = this.resolve(item as Node, path);
        if (!isMap(source)) throw this.mergeError(item as Node, path);
        return this.entries(source, path, warn, inside);
      });
    }
    throw this.mergeError(node, path);
  }

  private mergeError(node: Node | null, path: string): InventoryError {
    return new InventoryError('INVENTORY_SHAPE', 'a merge key (<<) needs a mapping or a list of mappings', this.location(node, path));
  }

  private offsetLocation(offset: number): InventoryLocation {
    const { line, col } = this.lines.linePos(offset);
    const lineStart = this.lines.lineStarts[line - 1] ?? 0;
    const lineEnd = this.text.indexOf('\n', lineStart);
    const lineText = this.text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(/\r$/, '');
    return { file: this.file, line, column: col, lineText };
  }
}
