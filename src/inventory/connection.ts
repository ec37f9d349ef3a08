import { Secret } from '../secret.js';
import { InventoryError } from './errors.js';
import type { InventoryHost } from './inventory.js';
import {
  BECOME_VARIABLES,
  becomeVariables,
  CONNECTION_VARIABLE,
  HOSTNAME_VARIABLES,
  IDENTITY_VARIABLES,
  PASSWORD_VARIABLES,
  PORT_VARIABLES,
  USER_VARIABLES,
  toPort,
} from './variables.js';

/** How a host's commands run: over SSH, or on this machine (`ansible_connection: local`). */
export type ConnectionType = 'ssh' | 'local';

/** Privilege escalation as the inventory asks for it (the run's --become flags beat it). */
export interface BecomeSettings {
  /** ansible_become: whether commands are to run as `user` (Ansible's default: root). */
  enabled: boolean;
  /** ansible_become_method (`sudo`, `su`, ...). */
  method?: string;
  /** ansible_become_user. */
  user?: string;
  /** ansible_become_password (or _pass, ansible_sudo_pass, ansible_su_pass); a Secret so it never reaches logs or results. */
  password?: Secret;
  /** ansible_become_exe: the program when it is not on the remote PATH. */
  exe?: string;
  /** ansible_become_flags, as one string. */
  flags?: string;
}

/** Where and as whom to connect, from a host's merged `ansible_*` variables; unset fields fall back to ssh_config and defaults. */
export interface ConnectionSettings {
  /** Set when the host has ansible_connection; every SSH plugin's name reads as `ssh`. */
  connection?: ConnectionType;
  /** ansible_host: the address to connect to, instead of the inventory name. */
  hostname?: string;
  /** ansible_port. */
  port?: number;
  /** ansible_user. */
  user?: string;
  /** ansible_ssh_private_key_file, `~` not yet expanded. */
  identityFile?: string;
  /** The login password, tried after keys. */
  password?: Secret;
  /** Set when any ansible_become* var is. */
  become?: BecomeSettings;
}

/** How a host's var is read: its raw value by default; templating passes one that renders it for that host. */
export type VariableLookup = (name: string) => unknown;

/** Values of ansible_connection sshpool can serve: SSH under its plugins' names (`smart` is ssh since Ansible 2.8), and local. */
const CONNECTION_TYPES: Readonly<Record<string, ConnectionType>> = { ssh: 'ssh', smart: 'ssh', paramiko: 'ssh', paramiko_ssh: 'ssh', local: 'local' };
const BUILTIN_COLLECTION = /^ansible\.(?:builtin|legacy)\./;

/**
 * Reads how to reach a host through `lookup`. When the old and the new name of
 * a setting are both set, the one Ansible's ssh plugin uses wins (see
 * variables.ts). Throws an InventoryError naming the host, the var and where
 * it was set: INVENTORY_VALUE for a value of the wrong type (checked on what
 * `lookup` returns, so a templated value is checked once rendered),
 * CONNECTION_UNSUPPORTED for a connection type that is neither SSH nor local.
 */
export function connectionSettings(host: InventoryHost, lookup: VariableLookup = (name) => host.vars[name]): ConnectionSettings {
  const vars = new HostVariables(host, lookup);
  return definedFields({
    connection: vars.connectionType(),
    hostname: vars.text(HOSTNAME_VARIABLES),
    port: vars.port(),
    user: vars.text(USER_VARIABLES),
    identityFile: vars.text(IDENTITY_VARIABLES),
    password: vars.secret(PASSWORD_VARIABLES),
    become: becomeSettings(vars),
  });
}

/**
 * Of the names one setting is read from (USER_VARIABLES and the like), the
 * one that gives its value: the last that is set, as Ansible's _loop_entries
 * picks it; null is unset there too.
 */
export function winningVariable(names: readonly string[], lookup: VariableLookup): { name: string; value: unknown } | undefined {
  for (let index = names.length - 1; index >= 0; index -= 1) {
    const name = names[index] as string;
    const value = lookup(name);
    if (value !== undefined && value !== null) return { name, value };
  }
  return undefined;
}

/** The method's own names are read for the method the host's vars name (sudo, Ansible's default, when none). */
function becomeSettings(vars: HostVariables): BecomeSettings | undefined {
  const method = vars.text(BECOME_VARIABLES.method);
  const names = becomeVariables(method ?? 'sudo');
  if (!Object.values(names).some((list) => vars.isSet(list))) return undefined;
  return definedFields({
    enabled: vars.flag(names.enabled) ?? false,
    method,
    user: vars.text(names.user),
    password: vars.secret(names.password),
    exe: vars.text(names.exe),
    flags: vars.text(names.flags),
  });
}

/** Unset settings are left out rather than present as undefined, so that a settings object shows only what the inventory said. */
function definedFields<T extends object>(fields: T): T {
  const kept: Partial<T> = {};
  for (const key in fields) if (fields[key] !== undefined) kept[key] = fields[key];
  return kept as T;
}

/** Ansible's boolean() (module_utils/parsing/convert_bool.py), strict. */
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

class HostVariables {
  constructor(
    private readonly host: InventoryHost,
    private readonly lookup: VariableLookup,
  ) {}

  isSet(names: readonly string[]): boolean {
    return this.winner(names) !== undefined;
  }

  /** A name or path: a string, or a number as its text. Quotes around it are removed and '' is unset, as Ansible's config does. */
  text(names: readonly string[]): string | undefined {
    const found = this.winner(names);
    if (found === undefined) return undefined;
    const text = unquote(this.stringOf(found, false));
    return text === '' ? undefined : text;
  }

  /** As text(), but the value never appears in an error message. */
  secret(names: readonly string[]): Secret | undefined {
    const found = this.winner(names);
    if (found === undefined) return undefined;
    const text = unquote(this.stringOf(found, true));
    return text === '' ? undefined : new Secret(text);
  }

  port(): number | undefined {
    const found = this.winner(PORT_VARIABLES);
    if (found === undefined) return undefined;
    const port = toPort(found.value);
    if (port === undefined) throw this.error(found.name, `must be an integer from 1 to 65535, found ${JSON.stringify(found.value) ?? String(found.value)}`);
    return port;
  }

  flag(names: readonly string[]): boolean | undefined {
    const found = this.winner(names);
    if (found === undefined) return undefined;
    const { value } = found;
    if (typeof value === 'boolean') return value;
    const word = typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : undefined;
    if (word !== undefined && TRUE_WORDS.has(word)) return true;
    if (word !== undefined && FALSE_WORDS.has(word)) return false;
    throw this.error(found.name, `must be a boolean (true/false, yes/no, on/off, 1/0), found ${describe(value, false)}`);
  }

  /** ansible_connection is read by the executor, not through a plugin's options: no quotes are removed. */
  connectionType(): ConnectionType | undefined {
    const found = this.winner([CONNECTION_VARIABLE]);
    if (found === undefined) return undefined;
    const name = this.stringOf(found, false);
    if (name === '') return undefined;
    const type = CONNECTION_TYPES[name.replace(BUILTIN_COLLECTION, '')];
    if (type === undefined) {
      throw this.error(
        found.name,
        `is '${name}', which sshpool cannot use (it connects over SSH: ssh, smart, paramiko; or runs commands here: local); nothing was attempted on this host`,
        'CONNECTION_UNSUPPORTED',
      );
    }
    return type;
  }

  private winner(names: readonly string[]): { name: string; value: unknown } | undefined {
    return winningVariable(names, this.lookup);
  }

  private stringOf(found: { name: string; value: unknown }, secret: boolean): string {
    const { value } = found;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw this.error(found.name, `must be a string, found ${describe(value, secret)}`);
  }

  private error(name: string, reason: string, code = 'INVENTORY_VALUE'): InventoryError {
    const origin = this.host.origins?.[name];
    const location = origin === undefined ? {} : { file: origin.file, line: origin.line, column: origin.column };
    return new InventoryError(code, `host '${this.host.name}': ${name} ${reason}`, location);
  }
}

/** What a value is, for an error message; a secret's value is never shown, only its kind. */
function describe(value: unknown, secret: boolean): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  if (secret) return `a ${typeof value}`;
  if (typeof value === 'string') return JSON.stringify(value);
  return `the ${typeof value} ${String(value)}`;
}

/** Ansible's parsing/quoting.py unquote(), which its config applies to every string option. */
function unquote(text: string): string {
  const quoted = text.length > 1 && text[0] === text.at(-1) && (text[0] === '"' || text[0] === "'") && text.at(-2) !== '\\';
  return quoted ? text.slice(1, -1) : text;
}
