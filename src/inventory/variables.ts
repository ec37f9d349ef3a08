import { mayBeTemplate } from './templating/markers.js';
import { UnsafeText } from './unsafe.js';
import { VaultText } from './vault.js';

/** What sshpool itself reads from Ansible's connection variables, and how it checks them. */

/**
 * The names Ansible's ssh connection plugin reads each setting from, in the
 * order of its DOCUMENTATION `vars:` lists (plugins/connection/ssh.py). When
 * several are set, the last one wins (config/manager.py, _loop_entries), so
 * the old `ansible_ssh_*` names beat the new ones.
 */
export const PORT_VARIABLES = ['ansible_port', 'ansible_ssh_port'] as const;
export const HOSTNAME_VARIABLES = ['ansible_host', 'ansible_ssh_host'] as const;
export const USER_VARIABLES = ['ansible_user', 'ansible_ssh_user'] as const;
export const PASSWORD_VARIABLES = ['ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'] as const;
export const IDENTITY_VARIABLES = ['ansible_private_key_file', 'ansible_ssh_private_key_file'] as const;

/** Read by the executor, not by a plugin (constants.py MAGIC_VARIABLE_MAPPING). */
export const CONNECTION_VARIABLE = 'ansible_connection';

/** As the become plugins list them (plugins/become/sudo.py): `ansible_become_pass` beats `ansible_become_password`. */
export const BECOME_VARIABLES = {
  enabled: ['ansible_become'],
  method: ['ansible_become_method'],
  user: ['ansible_become_user'],
  password: ['ansible_become_password', 'ansible_become_pass'],
  exe: ['ansible_become_exe'],
  flags: ['ansible_become_flags'],
} as const;

/** The settings a become plugin also reads under its method's own names, last in its lists (`ansible_sudo_pass`, `ansible_su_user`). */
const METHOD_NAMED = ['user', 'password', 'exe', 'flags'] as const;
const METHOD_SUFFIX: Record<(typeof METHOD_NAMED)[number], string> = { user: 'user', password: 'pass', exe: 'exe', flags: 'flags' };

/** BECOME_VARIABLES with the names the sudo and su plugins add for their own method (ansible_sudo_pass beats ansible_become_pass). */
export function becomeVariables(method: string): Record<keyof typeof BECOME_VARIABLES, readonly string[]> {
  const lists: Record<string, readonly string[]> = { ...BECOME_VARIABLES };
  if (method !== 'sudo' && method !== 'su') return lists as Record<keyof typeof BECOME_VARIABLES, readonly string[]>;
  for (const setting of METHOD_NAMED) lists[setting] = [...BECOME_VARIABLES[setting], `ansible_${method}_${METHOD_SUFFIX[setting]}`];
  return lists as Record<keyof typeof BECOME_VARIABLES, readonly string[]>;
}

/** Options for ssh(1) that an in-process SSH client cannot honour. */
const IGNORED_VARIABLES = new Set(['ansible_ssh_common_args', 'ansible_ssh_extra_args']);

export interface VariableProblem {
  kind: 'error' | 'warning';
  message: string;
}

/** A TCP port from a number or a string of digits (Ansible converts both); undefined if it is not one. */
export function toPort(value: unknown): number | undefined {
  const port = typeof value === 'string' && /^[0-9]+$/.test(value.trim()) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

/** A value whose final form is known only when a host is resolved: a template, `!unsafe` or `!vault`. */
function isDeferred(value: unknown): boolean {
  return (typeof value === 'string' && mayBeTemplate(value)) || value instanceof UnsafeText || value instanceof VaultText;
}

/** Deferred values are checked once templated or decrypted, when their host's connection settings are resolved. */
export function checkVariable(name: string, value: unknown): VariableProblem | undefined {
  if ((PORT_VARIABLES as readonly string[]).includes(name) && !isDeferred(value) && toPort(value) === undefined) {
    return { kind: 'error', message: `${name} must be an integer from 1 to 65535, found ${JSON.stringify(value) ?? String(value)}` };
  }
  if (IGNORED_VARIABLES.has(name)) {
    return { kind: 'warning', message: `${name} is ignored: sshpool does not run ssh(1), so its command-line options do not apply` };
  }
  return undefined;
}
