import { mayBeTemplate } from './templating/markers.js';
import { UnsafeText } from './unsafe.js';
import { VaultText } from './vault.js';

/** What sshpool itself reads from Ansible's connection variables, and how it checks them. */

export const PORT_VARIABLES = ['ansible_port', 'ansible_ssh_port'] as const;

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
