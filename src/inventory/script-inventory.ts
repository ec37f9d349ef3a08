import { execFile } from 'node:child_process';
import { InventoryError } from './errors.js';
import { GROUP_PRIORITY_PROBLEM, groupPriority } from './group-priority.js';
import { GroupCycleError, setVariable } from './inventory-data.js';
import type { GroupData, HostData, InventoryData, VariableOrigin } from './inventory-data.js';
import { JsonSyntaxError, parseJson, plainJson } from './json-text.js';
import type { JsonValue } from './json-text.js';
import { decodeUtf8 } from './utf8.js';
import { checkVariable } from './variables.js';
import { YamlDocument } from './yaml-document.js';
import type { Warn } from './yaml-inventory.js';

/** An inventory script prints the whole inventory at once; this bounds a runaway one. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** How much of a failing script's stderr goes into the error. */
const MAX_STDERR_SHOWN = 8 * 1024;
const SPAWN_ERRORS: Record<string, string> = {
  EACCES: 'permission denied (is it executable?)',
  ENOENT: 'not found (or the interpreter on its #! line is missing)',
  ENOEXEC: 'not in an executable format',
};

/**
 * Runs an inventory script as Ansible's script inventory plugin does
 * (lib/ansible/plugins/inventory/script.py): `SCRIPT --list` prints JSON
 * mapping each group to a list of hosts or to `{hosts, vars, children}` (a
 * mapping with none of those is a host of that name with those vars);
 * `_meta.hostvars` holds every host's vars, and without it `SCRIPT --host NAME`
 * is run for each host. No shell: the script is executed directly, from `cwd`
 * (Ansible runs it from its own working directory).
 */
export async function readInventoryScript(shown: string, path: string, data: InventoryData, warn: Warn, cwd: string): Promise<void> {
  const list = await runScript(shown, path, ['--list'], cwd, warn);
  let output: JsonValue;
  try {
    output = parseJson(list);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw scriptError(shown, `the output of '${shown} --list' is not JSON: ${error.message}`);
  }
  if (!(output instanceof Map)) throw scriptError(shown, `'${shown} --list' must print a JSON object of groups, not ${describe(output)}`);
  const origin: VariableOrigin = { file: shown };
  const reader = new ScriptOutputReader(shown, data, origin, warn);
  let hostvars: JsonValue | undefined;
  for (const [name, group] of output) {
    if (name !== '_meta') reader.group(name, group);
    else if (!(group instanceof Map)) throw scriptError(shown, `'_meta' in the output of '${shown} --list' must be an object, not ${describe(group)}`);
    else hostvars = group.get('hostvars') ?? undefined;
  }
  if (hostvars !== undefined && !(hostvars instanceof Map)) {
    throw scriptError(shown, `'_meta.hostvars' in the output of '${shown} --list' must map host names to their vars, not ${describe(hostvars)}`);
  }
  // Sequentially, as Ansible does: scripts written for it need not cope with being run in parallel.
  for (const host of reader.hosts) {
    // A host listed in hostvars with null is an error, as in Ansible; one left out has no vars.
    const vars = hostvars ? (hostvars.has(host.name) ? hostvars.get(host.name)! : new Map()) : await hostVariables(shown, path, host.name, cwd, warn);
    if (!(vars instanceof Map)) throw scriptError(shown, `the vars of host '${host.name}' from '${shown}' must be an object, not ${describe(vars)}`);
    for (const [key, value] of vars) setVariable(host, key, reader.variable(key, plainJson(value), `host '${host.name}'`), origin);
  }
}

/** `SCRIPT --host NAME`: JSON, or YAML (Ansible's loader tries both); it must print an object, `{}` for no vars. */
async function hostVariables(shown: string, path: string, host: string, cwd: string, warn: Warn): Promise<JsonValue> {
  const command = `${shown} --host ${host}`;
  const text = await runScript(shown, path, ['--host', host], cwd, warn);
  try {
    return parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    let value: unknown;
    try {
      const yaml = new YamlDocument(command, text);
      value = yaml.value(yaml.root, '');
    } catch {
      throw scriptError(shown, `the output of '${command}' is neither JSON nor YAML: ${error.message}`);
    }
    return toJsonValue(value);
  }
}

function toJsonValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') return new Map(Object.entries(value).map(([key, item]) => [key, toJsonValue(item)]));
  return value as JsonValue;
}

/** The script's stdout as text; a failure to start, a non-zero exit or a signal is an error showing its stderr. */
function runScript(shown: string, path: string, args: string[], cwd: string, warn: Warn): Promise<string> {
  const command = [shown, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(path, args, { cwd, encoding: 'buffer', maxBuffer: MAX_OUTPUT_BYTES }, (error, stdout, stderr) => {
      const errorText = stderrText(stderr);
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        let reason: string;
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') reason = `'${command}' printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB`;
        else if (typeof code === 'string') reason = `cannot run '${command}': ${SPAWN_ERRORS[code] ?? code}`;
        else if (error.signal) reason = `'${command}' was killed by ${error.signal}`;
        else reason = `'${command}' exited with status ${String(code)}`;
        reject(scriptError(shown, errorText ? `${reason}; its stderr:\n${errorText}` : `${reason} and wrote nothing on stderr`, { cause: error }));
        return;
      }
      if (errorText) warn(`'${command}' wrote on stderr:\n${errorText}`);
      try {
        resolve(decodeUtf8(stdout, command));
      } catch (decodeError) {
        const { line, column } = decodeError as InventoryError;
        reject(new InventoryError('INVENTORY_ENCODING', `the output of '${command}' is not UTF-8 (line ${line}, column ${column})`, { file: shown }));
      }
    });
    // Nothing to read: a script that reads its input gets end-of-file instead of waiting for it.
    child.stdin?.end();
  });
}

/** The script's stderr, indented under the message; empty if it wrote none. */
function stderrText(stderr: Buffer): string {
  const text = stderr.subarray(0, MAX_STDERR_SHOWN).toString('utf8').trimEnd();
  const more = stderr.length - MAX_STDERR_SHOWN;
  const shown = more > 0 ? `${text}\n[${more} more bytes]` : text;
  return shown && shown.replace(/^/gm, '    ');
}

function scriptError(shown: string, reason: string, options?: { cause?: unknown }): InventoryError {
  return new InventoryError('INVENTORY_SCRIPT', reason, { file: shown }, options);
}

/** The groups of a script's --list output, read into the inventory; the hosts named, for their vars. */
class ScriptOutputReader {
  /** Each host once, in the order first named. */
  readonly hosts = new Set<HostData>();

  constructor(
    private readonly shown: string,
    private readonly data: InventoryData,
    private readonly origin: VariableOrigin,
    private readonly warn: Warn,
  ) {}

  group(name: string, value: JsonValue): void {
    const group = this.addGroup(name);
    let sections: Map<string, JsonValue>;
    if (!(value instanceof Map)) sections = new Map([['hosts', value]]);
    else if (!['hosts', 'vars', 'children'].some((key) => value.has(key))) sections = new Map<string, JsonValue>([['hosts', [name]], ['vars', value]]);
    else sections = value;
    const hosts = sections.get('hosts');
    if (sections.has('hosts')) {
      if (!Array.isArray(hosts)) throw this.shapeError(`group '${name}': its hosts must be a list of host names, not ${describe(hosts!)}`);
      for (const host of hosts) {
        if (typeof host !== 'string' || host === '') throw this.shapeError(`group '${name}': host names must be non-empty strings, found ${JSON.stringify(host)}`);
        this.hosts.add(this.data.addHost(host, group));
      }
    }
    const vars = sections.get('vars');
    if (sections.has('vars')) {
      if (!(vars instanceof Map)) throw this.shapeError(`group '${name}': its vars must be an object, not ${describe(vars!)}`);
      for (const [key, item] of vars) this.setGroupVariable(group, key, plainJson(item));
    }
    const children = sections.get('children');
    if (sections.has('children')) {
      // Ansible iterates whatever it is given; a string would become one group per character, so only lists and objects are read.
      const names = Array.isArray(children) ? children : children instanceof Map ? [...children.keys()] : undefined;
      if (!names) throw this.shapeError(`group '${name}': its children must be a list of group names, not ${describe(children!)}`);
      for (const child of names) {
        if (typeof child !== 'string') throw this.shapeError(`group '${name}': child group names must be strings, found ${JSON.stringify(child)}`);
        this.addChild(group, this.addGroup(child));
      }
    }
  }

  /** A var checked as sshpool checks it (ports, options it ignores); `owner` says whose it is in messages. */
  variable(name: string, value: unknown, owner: string): unknown {
    const problem = checkVariable(name, value);
    if (problem?.kind === 'error') throw this.shapeError(`${owner}: ${problem.message}`);
    if (problem?.kind === 'warning') this.warn(`${this.shown} (${owner}): ${problem.message}`, problem.message);
    return value;
  }

  private setGroupVariable(group: GroupData, name: string, value: unknown): void {
    if (name !== 'ansible_group_priority') {
      setVariable(group, name, this.variable(name, value, `group '${group.name}'`), this.origin);
      return;
    }
    const priority = groupPriority(value);
    if (priority === undefined) throw this.shapeError(`group '${group.name}': ${GROUP_PRIORITY_PROBLEM}`);
    group.priority = priority;
  }

  private addGroup(name: string): GroupData {
    if (name === '') throw this.shapeError('a group name must not be empty');
    return this.data.addGroup(name);
  }

  private addChild(parent: GroupData, child: GroupData): void {
    try {
      this.data.addChild(parent, child);
    } catch (error) {
      if (!(error instanceof GroupCycleError)) throw error;
      throw new InventoryError('INVENTORY_CYCLE', error.message, { file: this.shown });
    }
  }

  private shapeError(reason: string): InventoryError {
    return new InventoryError('INVENTORY_SHAPE', `${reason} (in the output of '${this.shown} --list')`, { file: this.shown });
  }
}

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'an object';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}
