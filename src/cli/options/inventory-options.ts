import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { loadInventory } from '../../inventory/index.js';
import type { Inventory, InventoryHost } from '../../inventory/index.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import type { CliIo } from '../cli.js';
import { repeatable } from './values.js';

export interface InventoryArgs {
  inventory?: string[];
  limit: string;
}

/** Read when no -i is given: one source, as one -i value would be. */
const INVENTORY_ENV = 'SSHPOOL_INVENTORY';

/** -i/--inventory and -l/--limit, as ansible and ansible-playbook take them. */
export function withInventoryOptions<T>(parser: Argv<T>): Argv<T & InventoryArgs> {
  return parser
    .option('inventory', {
      alias: 'i',
      type: 'string',
      requiresArg: true,
      coerce: repeatable,
      describe: `Inventory: an INI, YAML or JSON file, an inventory script, a directory of them, or a host list "web1,web2:2222,"; repeat to merge (default: $${INVENTORY_ENV})`,
    })
    .option('limit', {
      alias: 'l',
      type: 'string',
      default: 'all',
      requiresArg: true,
      describe: "Host pattern, as Ansible's: 'web:&prod:!web3', 'db*', '~web\\d+', 'web[0:2]'",
    }) as unknown as Argv<T & InventoryArgs>;
}

/**
 * Loads the inventory, prints its warnings to stderr once, and applies the
 * limit. Throws NoHostsMatchedError (exit 2) before anything runs if the limit
 * selects no host.
 */
export async function selectHosts(
  args: InventoryArgs,
  io: Pick<CliIo, 'stderr'> = { stderr: process.stderr },
): Promise<{ inventory: Inventory; hosts: InventoryHost[] }> {
  const inventory = await loadArgsInventory(args, io);
  return { inventory, hosts: inventory.select(args.limit) };
}

/** The inventory named by -i (or $SSHPOOL_INVENTORY), its warnings printed. */
export async function loadArgsInventory(args: Pick<InventoryArgs, 'inventory'>, io: Pick<CliIo, 'stderr'>): Promise<Inventory> {
  const fromEnv = process.env[INVENTORY_ENV];
  const sources = args.inventory?.length ? args.inventory : fromEnv ? [fromEnv] : [];
  if (sources.length === 0) throw new UsageError(`no inventory: give -i/--inventory or set ${INVENTORY_ENV}`);
  const inventory = await loadInventory(sources);
  for (const warning of inventory.warnings) io.stderr.write(`sshpool: warning: ${escapeControlCharacters(warning)}\n`);
  return inventory;
}
