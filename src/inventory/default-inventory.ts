import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { findAnsibleConfig, readable, readConfigValue, resolvePath } from './ansible-config.js';
import type { PathContext } from './ansible-config.js';

/** sshpool's own: one source, as one -i value would be. */
export const SSHPOOL_INVENTORY = 'SSHPOOL_INVENTORY';

export interface DefaultInventory {
  /** Empty when nothing names an inventory. */
  readonly sources: readonly string[];
  /** Where the sources were named, for messages: `$ANSIBLE_INVENTORY`, `inventory in [defaults] of FILE`. */
  readonly origin?: string;
  /** Every place tried, in order, with why it gave nothing. */
  readonly looked: readonly string[];
  readonly warnings: readonly string[];
}

export interface DefaultInventoryOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default: $HOME, as Python's expanduser takes it. */
  home?: string;
  /** Where Ansible's system-wide files are: ansible.cfg and the default inventory `hosts`. */
  systemDir?: string;
}

/**
 * The inventory to read when no -i is given: $SSHPOOL_INVENTORY, then what
 * Ansible would read (DEFAULT_HOST_LIST): $ANSIBLE_INVENTORY, else `inventory`
 * in [defaults] of the ansible.cfg it uses (relative paths from that file's
 * directory), else /etc/ansible/hosts when it exists. Both lists are
 * comma-separated; an empty item is dropped (Ansible reads it as the working
 * directory, whose every executable would then run as an inventory script).
 */
export async function findDefaultInventory(options: DefaultInventoryOptions = {}): Promise<DefaultInventory> {
  const env = options.env ?? process.env;
  const context: PathContext = { env, cwd: options.cwd ?? process.cwd(), home: options.home ?? env.HOME ?? homedir() };
  const systemDir = options.systemDir ?? '/etc/ansible';
  const looked: string[] = [];
  const own = env[SSHPOOL_INVENTORY];
  if (own) return { sources: [own], origin: `$${SSHPOOL_INVENTORY}`, looked, warnings: [] };
  looked.push(`$${SSHPOOL_INVENTORY} (unset)`);
  const fromEnv = pathList(env.ANSIBLE_INVENTORY ?? '', context.cwd, context);
  if (fromEnv.length > 0) return { sources: fromEnv, origin: '$ANSIBLE_INVENTORY', looked, warnings: [] };
  looked.push(`$ANSIBLE_INVENTORY (${env.ANSIBLE_INVENTORY === undefined ? 'unset' : 'no path in it'})`);
  const config = await findAnsibleConfig(context, systemDir);
  looked.push(...config.looked);
  if (config.file) {
    const value = await readConfigValue(config.file, 'defaults', 'inventory');
    const fromConfig = pathList(value ?? '', dirname(config.file), context);
    const origin = `inventory in [defaults] of ${config.file}`;
    if (fromConfig.length > 0) return { sources: fromConfig, origin, looked, warnings: config.warnings };
    looked.push(`${config.file} (${value === undefined ? 'no inventory in [defaults]' : 'its inventory names no path'})`);
  }
  const systemHosts = join(systemDir, 'hosts');
  if (await readable(systemHosts)) return { sources: [systemHosts], origin: "Ansible's default", looked, warnings: config.warnings };
  looked.push(`${systemHosts} (not found)`);
  return { sources: [], looked, warnings: config.warnings };
}

/** Ansible's `pathlist` type: comma-separated, each path resolved from `basedir`. */
function pathList(value: string, basedir: string, context: PathContext): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => resolvePath(item, basedir, context));
}
