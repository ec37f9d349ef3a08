import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { findDefaultInventory, InventoryError, loadInventory, SSHPOOL_INVENTORY } from '../../inventory/index.js';
import type { Inventory, InventoryHost } from '../../inventory/index.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import type { CliIo } from '../cli.js';
import { repeatable } from './values.js';

export interface InventoryArgs {
  inventory?: string[];
  limit: string;
}

/** -i/--inventory and -l/--limit, as ansible and ansible-playbook take them. */
export function withInventoryOptions<T>(parser: Argv<T>): Argv<T & InventoryArgs> {
  return parser
    .option('inventory', {
      alias: 'i',
      type: 'string',
      requiresArg: true,
      coerce: repeatable,
      describe: `Inventory: an INI, YAML or JSON file, an inventory script, a directory of them, or a host list "web1,web2:2222,"; repeat to merge (default: $${SSHPOOL_INVENTORY}, $ANSIBLE_INVENTORY, then inventory in ansible.cfg)`,
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

/** The inventory named by -i, else found as Ansible finds its default one; its warnings printed. */
export async function loadArgsInventory(args: Pick<InventoryArgs, 'inventory'>, io: Pick<CliIo, 'stderr'>): Promise<Inventory> {
  if (args.inventory?.length) return printWarnings(await loadInventory(args.inventory), io);
  const found = await findDefaultInventory();
  for (const warning of found.warnings) io.stderr.write(`sshpool: warning: ${escapeControlCharacters(warning)}\n`);
  if (found.sources.length === 0) throw new UsageError(`no inventory: give -i/--inventory (looked at ${found.looked.join(', ')})`);
  try {
    return printWarnings(await loadInventory(found.sources), io);
  } catch (error) {
    // A missing path from the environment or ansible.cfg: say where it was named.
    if (!(error instanceof InventoryError) || error.code !== 'INVENTORY_NOT_FOUND') throw error;
    throw new InventoryError(error.code, `${error.reason} (named by ${found.origin})`, { file: error.file }, { cause: error });
  }
}

function printWarnings(inventory: Inventory, io: Pick<CliIo, 'stderr'>): Inventory {
  for (const warning of inventory.warnings) io.stderr.write(`sshpool: warning: ${escapeControlCharacters(warning)}\n`);
  return inventory;
}
