import { madeOnFirstUse } from '../made-on-first-use.js';
import { parseAddress } from './address.js';
import { InventoryError } from './errors.js';
import type { InventoryLocation } from './errors.js';
import { GROUP_PRIORITY_PROBLEM, groupPriority } from './group-priority.js';
import { expandHostRange, HostRangeError } from './host-range.js';
import { GroupCycleError, setVariable } from './inventory-data.js';
import type { GroupData, InventoryData, VariableOrigin } from './inventory-data.js';
import { parseIniValue, PythonLiteralError } from './python-literal.js';
import { PYTHON_WHITESPACE, pythonSplitLines, pythonStrip } from './python-text.js';
import { ShlexError, shlexSplit } from './shlex.js';
import { encodingError } from './utf8.js';
import { checkVariable } from './variables.js';
import type { Warn } from './yaml-inventory.js';

// Ansible's section and group name patterns (plugins/inventory/ini.py _compile_patterns), with Python's \s, \w and `.`.
const sectionHeader = madeOnFirstUse(() => new RegExp(`^\\[([^:\\]${PYTHON_WHITESPACE}]+)(?::([\\p{L}\\p{N}_]+))?\\][${PYTHON_WHITESPACE}]*(?:#[^\\n]*)?$`, 'u'));
const GROUP_NAME = new RegExp(`^([^:\\]${PYTHON_WHITESPACE}]+)[${PYTHON_WHITESPACE}]*(?:#[^\\n]*)?$`, 'u');
/** A line's leading `[...]`, to tell a section header followed by junk from a host range. */
const HEADER_START = /^\[[^\]]*\]/;
const SECTION_TYPES = new Set(['hosts', 'vars', 'children']);

type SectionType = 'hosts' | 'vars' | 'children';

/** A group named before it is declared: by `[name:vars]`, or as a child; it must be declared by the end of the file. */
interface PendingGroup {
  type: 'vars' | 'children';
  /** Where the group was first named. */
  location: InventoryLocation;
  /** For a child: the groups that name it, each with where. */
  parents: Array<{ name: string; location: InventoryLocation }>;
}

/**
 * Reads one INI inventory file into `data` as Ansible's ini inventory plugin
 * (lib/ansible/plugins/inventory/ini.py) does: hosts before any section are
 * ungrouped; `[g]` hosts, `[g:vars]` `key=value` lines, `[g:children]` group
 * names; `host[:port] key=value ...` split as shlex splits it; every value read
 * as a Python literal (in `:vars` sections too, as ansible-core's code does,
 * whatever its documentation says); a group may get `:vars` or be named a
 * child before its own section, but must have one by the end. Errors carry the
 * file, line and column, and quote the line.
 */
export function readIniInventory(file: string, bytes: Uint8Array, data: InventoryData, warn: Warn): void {
  new IniInventoryReader(file, iniLines(file, bytes), data, warn).read();
}

/**
 * The file's lines as Ansible's INI plugin decodes them: as UTF-8; if that
 * fails, line by line, where a line starting with `#` or `;` may hold any
 * bytes (ansible#17593) and other lines must still be UTF-8.
 */
function iniLines(file: string, bytes: Uint8Array): string[] {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return pythonSplitLines(strict.decode(bytes));
  } catch {
    // bytes.splitlines(): only \n, \r and \r\n end a line here.
    // One character per byte, so that offsets in the text are offsets in the bytes.
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const lines = text.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    let offset = 0;
    return lines.map((latin1, index) => {
      const line = bytes.subarray(offset, offset + latin1.length);
      offset += latin1.length + (text.startsWith('\r\n', offset + latin1.length) ? 2 : 1);
      if (line[0] === 0x23 || line[0] === 0x3b) return '';
      try {
        return strict.decode(line);
      } catch {
        throw encodingError(line, file, index + 1);
      }
    });
  }
}

class IniInventoryReader {
  private group: GroupData;
  private section: SectionType = 'hosts';
  private readonly pending = new Map<string, PendingGroup>();
  private lineNumber = 0;
  private lineText = '';
  /** Where the stripped line starts in the line. */
  private indent = 0;

  constructor(
    private readonly file: string,
    private readonly lines: readonly string[],
    private readonly data: InventoryData,
    private readonly warn: Warn,
  ) {
    this.group = data.ungrouped;
  }

  read(): void {
    if (this.lines[0]?.startsWith('\ufeff')) {
      const location = { file: this.file, line: 1, column: 1, lineText: this.lines[0] };
      throw new InventoryError('INVENTORY_ENCODING', 'the file starts with a byte order mark (U+FEFF), which Ansible cannot read in an INI inventory: save it as UTF-8 without BOM', location);
    }
    this.lines.forEach((lineText, index) => {
      this.lineNumber = index + 1;
      this.lineText = lineText;
      const { text: line, start } = pythonStrip(lineText);
      this.indent = start;
      if (!line || line[0] === '#' || line[0] === ';') return;
      const section = sectionHeader().exec(line);
      if (section) {
        this.startSection(section[1]!, section[2]);
        return;
      }
      if (line.startsWith('[')) this.refuseBrokenHeader(line);
      if (this.section === 'hosts') this.hostLine(line);
      else if (this.section === 'vars') this.variableLine(line);
      else this.childLine(line);
    });
    // As Ansible, only the first group that was never declared is reported.
    for (const [name, pending] of this.pending) {
      if (pending.type === 'vars') {
        throw new InventoryError('INVENTORY_SHAPE', `section [${name}:vars] is for group '${name}', which is never declared: add a [${name}] or [${name}:children] section`, pending.location);
      }
      const parent = pending.parents[0]!;
      throw new InventoryError('INVENTORY_SHAPE', `section [${parent.name}:children] names group '${name}', which is never declared: add a [${name}] or [${name}:children] section`, parent.location);
    }
  }

  /** A line starting with `[` that is no section header: fine if a host range (`[a:c].example.com`), not if a header gone wrong. */
  private refuseBrokenHeader(line: string): void {
    if (line.endsWith(']')) {
      throw this.syntaxError(`invalid section header ${line}: a header is [group], [group:vars] or [group:children], with no spaces`, 0);
    }
    const header = HEADER_START.exec(line)?.[0];
    // Ansible takes such a line for a host range and fails on that.
    if (header && sectionHeader().test(header)) throw this.syntaxError(`only a # comment may follow the section header ${header}`, header.length);
  }

  private startSection(name: string, type: string | undefined): void {
    const section = type ?? 'hosts';
    if (!SECTION_TYPES.has(section)) {
      throw this.syntaxError(`section [${name}:${section}] has the unknown type '${section}': use [${name}], [${name}:vars] or [${name}:children]`, name.length + 2);
    }
    this.section = section as SectionType;
    if (!this.data.groups.has(name) && section === 'vars' && !this.pending.has(name)) {
      this.pending.set(name, { type: 'vars', location: this.at(0), parents: [] });
    }
    this.group = this.data.addGroup(name);
    const pending = this.pending.get(name);
    if (pending && section !== 'vars') {
      if (pending.type === 'children') this.addPendingChildren(name);
      else this.pending.delete(name);
    }
  }

  /** The group is declared now: it becomes the child of every group that named it (Ansible's _add_pending_children). */
  private addPendingChildren(name: string): void {
    for (const parent of this.pending.get(name)!.parents) {
      this.addChild(this.data.groups.get(parent.name)!, this.data.groups.get(name)!, parent.location);
      if (this.pending.get(parent.name)?.type === 'children') this.addPendingChildren(parent.name);
    }
    this.pending.delete(name);
  }

  private hostLine(line: string): void {
    let words;
    try {
      words = shlexSplit(line);
    } catch (error) {
      if (!(error instanceof ShlexError)) throw error;
      throw this.syntaxError(`cannot split the host line: ${error.message.toLowerCase()}`, error.offset);
    }
    const [first, ...assignments] = words;
    if (!first || first.value === '') throw this.syntaxError('a host line must start with a host name', first?.start ?? 0);
    const pattern = first.value;
    const { host, port } = parseAddress(pattern, { allowRanges: true }) ?? { host: pattern };
    let names: string[];
    try {
      names = expandHostRange(host);
    } catch (error) {
      if (!(error instanceof HostRangeError)) throw error;
      throw new InventoryError('INVENTORY_RANGE', error.message, this.at(first.start));
    }
    if (port === undefined && pythonStrip(pattern).text.endsWith(':')) {
      throw this.syntaxError(`host '${pattern}' ends in ':', which only introduces a port (host:2222)`, first.start);
    }
    if (names.some((name) => pythonStrip(name).text === '---')) {
      throw this.syntaxError("'---' is no host name; it is how a YAML document starts", first.start);
    }
    const variables = assignments.map((word): [string, unknown, VariableOrigin] => {
      const equals = word.value.indexOf('=');
      if (equals < 0) throw this.syntaxError(`expected key=value after the host name, found '${word.value}'`, word.start);
      const name = word.value.slice(0, equals);
      // The quotes are gone by now (shlex), so the value's column is approximate when the word was quoted.
      return [name, this.value(name, word.value.slice(equals + 1), word.start + equals + 1, word.start), this.origin(word.start)];
    });
    const hostPort = port === undefined ? undefined : { port: this.port(port, first.start), origin: this.origin(first.start) };
    for (const name of names) {
      const record = this.data.addHost(name, this.group, hostPort);
      for (const [key, value, origin] of variables) setVariable(record, key, value, origin);
    }
  }

  private variableLine(line: string): void {
    const equals = line.indexOf('=');
    if (equals < 0) throw this.syntaxError(`expected key=value in section [${this.group.name}:vars], found '${line}'`, 0);
    const name = pythonStrip(line.slice(0, equals)).text;
    const rest = line.slice(equals + 1);
    const { text, start } = pythonStrip(rest);
    const value = this.value(name, text, equals + 1 + start, 0);
    if (name !== 'ansible_group_priority') {
      setVariable(this.group, name, value, this.origin(0));
      return;
    }
    const priority = groupPriority(value);
    if (priority === undefined) throw new InventoryError('INVENTORY_SHAPE', GROUP_PRIORITY_PROBLEM, this.at(equals + 1 + start));
    this.group.priority = priority;
  }

  private childLine(line: string): void {
    const match = GROUP_NAME.exec(line);
    if (!match) throw this.syntaxError(`expected a group name in section [${this.group.name}:children], found '${line}'`, 0);
    const name = match[1]!;
    const child = this.data.groups.get(name);
    if (child) {
      this.addChild(this.group, child, this.at(0));
      return;
    }
    const pending = this.pending.get(name);
    const parent = { name: this.group.name, location: this.at(0) };
    if (pending) pending.parents.push(parent);
    else this.pending.set(name, { type: 'children', location: this.at(0), parents: [parent] });
  }

  private addChild(parent: GroupData, child: GroupData, location: InventoryLocation): void {
    try {
      this.data.addChild(parent, child);
    } catch (error) {
      if (!(error instanceof GroupCycleError)) throw error;
      throw new InventoryError('INVENTORY_CYCLE', error.message, location);
    }
  }

  /** `text` read as a Python literal and checked as sshpool checks `name`; columns (of the value, of the key) are in the stripped line. */
  private value(name: string, text: string, column: number, keyColumn: number): unknown {
    let value: unknown;
    try {
      value = parseIniValue(text);
    } catch (error) {
      if (!(error instanceof PythonLiteralError)) throw error;
      throw new InventoryError('INVENTORY_SHAPE', `${name}: ${error.message}`, this.at(column + error.offset));
    }
    const problem = checkVariable(name, value);
    if (problem?.kind === 'error') throw new InventoryError('INVENTORY_SHAPE', problem.message, this.at(column));
    if (problem?.kind === 'warning') {
      const { line, column: at } = this.at(keyColumn);
      this.warn(`${this.file}:${line}:${at}: ${problem.message}`, problem.message);
    }
    return value;
  }

  private port(digits: string, column: number): number {
    const problem = checkVariable('ansible_port', digits);
    if (problem) throw new InventoryError('INVENTORY_SHAPE', problem.message, this.at(column));
    return Number(digits);
  }

  private origin(column: number): VariableOrigin {
    const { line, column: at } = this.at(column);
    return { file: this.file, line, column: at };
  }

  private syntaxError(reason: string, column: number): InventoryError {
    return new InventoryError('INVENTORY_SYNTAX', reason, this.at(column));
  }

  /** The location of `column` (0-based, in the stripped line) on the current line. */
  private at(column: number): InventoryLocation {
    return { file: this.file, line: this.lineNumber, column: this.indent + column + 1, lineText: this.lineText };
  }
}
