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

export function connectionSettings(host: InventoryHost): ConnectionSettings {
  const settings: ConnectionSettings = {};
  const hostname = firstString(host, HOSTNAME_VARIABLES);
  if (hostname !== undefined) settings.hostname = hostname;
  const user = firstString(host, USER_VARIABLES);
  if (user !== undefined) settings.user = user;
  const identityFile = firstString(host, IDENTITY_VARIABLES);
  if (identityFile !== undefined) settings.identityFile = identityFile;
  const portVariable = PORT_VARIABLES.find((name) => host.vars[name] !== undefined && host.vars[name] !== null);
  if (portVariable) {
    const port = toPort(host.vars[portVariable]);
    if (port === undefined) {
      throw new InventoryError(
        'INVENTORY_SHAPE',
        `host '${host.name}': ${portVariable} must be an integer from 1 to 65535, found ${JSON.stringify(host.vars[portVariable])}`,
      );
    }
    settings.port = port;
  }
  return settings;
}

function firstString(host: InventoryHost, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = host.vars[name];
    if (value !== undefined && value !== null && value !== '') return String(value);
  }
  return undefined;
}
