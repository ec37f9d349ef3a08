import { InventoryError } from './errors.js';
import type { InventoryHost } from './inventory.js';
import { PORT_VARIABLES, toPort } from './variables.js';

/** Where and as whom to connect, from a host's merged `ansible_*` variables; unset fields fall back to ssh_config and defaults. */
export interface ConnectionSettings {
  hostname?: string;
  port?: number;
  user?: string;
  identityFile?: string;
}

/** The modern name first: when both are set, `ansible_host` beats `ansible_ssh_host`. */
const HOSTNAME_VARIABLES = ['ansible_host', 'ansible_ssh_host'];
const USER_VARIABLES = ['ansible_user', 'ansible_ssh_user'];
const IDENTITY_VARIABLES = ['ansible_ssh_private_key_file', 'ansible_private_key_file'];

/** Reads one of a host's vars; the run passes one that templates it (TemplatedVariables). */
export type VariableLookup = (name: string) => unknown;

export function connectionSettings(host: InventoryHost, lookup: VariableLookup = (name) => host.vars[name]): ConnectionSettings {
  const settings: ConnectionSettings = {};
  const hostname = firstString(lookup, HOSTNAME_VARIABLES);
  if (hostname !== undefined) settings.hostname = hostname;
  const user = firstString(lookup, USER_VARIABLES);
  if (user !== undefined) settings.user = user;
  const identityFile = firstString(lookup, IDENTITY_VARIABLES);
  if (identityFile !== undefined) settings.identityFile = identityFile;
  const portVariable = PORT_VARIABLES.find((name) => lookup(name) !== undefined && lookup(name) !== null);
  if (portVariable) {
    const port = toPort(lookup(portVariable));
    if (port === undefined) {
      throw new InventoryError(
        'INVENTORY_SHAPE',
        `host '${host.name}': ${portVariable} must be an integer from 1 to 65535, found ${JSON.stringify(lookup(portVariable))}`,
      );
    }
    settings.port = port;
  }
  return settings;
}

function firstString(lookup: VariableLookup, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = lookup(name);
    if (value !== undefined && value !== null && value !== '') return String(value);
  }
  return undefined;
}
