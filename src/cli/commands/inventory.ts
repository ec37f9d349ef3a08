import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { toAnsibleJson } from '../../inventory/index.js';
import type { CliIo } from '../cli.js';
import { loadArgsInventory, withInventoryOptions } from '../options/inventory-options.js';

/** `ansible-inventory` for sshpool: shows what an inventory holds, in Ansible's own output shapes. */
export function inventoryCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'inventory',
    'Show the inventory as ansible-inventory does (--list, --graph, --host)',
    (command) =>
      withInventoryOptions(command)
        .option('list', { type: 'boolean', describe: 'Print groups and merged host vars as JSON (honours --limit)' })
        .option('graph', { type: 'string', describe: 'Print the group tree from GROUP (default all); ignores --limit' })
        .option('host', { type: 'string', requiresArg: true, describe: "Print one host's merged vars as JSON; ignores --limit" })
        .option('vars', { type: 'boolean', default: false, describe: 'With --graph: show vars too' })
        .example('$0 inventory -i hosts.yaml --list', 'the same JSON as ansible-inventory --list')
        .example('$0 inventory -i hosts.yaml --graph web --vars', 'the web group tree with vars'),
    async (args) => {
      const actions = [args.list, args.graph !== undefined, args.host !== undefined].filter(Boolean).length;
      if (actions !== 1) throw new UsageError('give exactly one of --list, --graph or --host');
      const inventory = await loadArgsInventory(args, io);
      let output: string;
      if (args.host !== undefined) {
        const hosts = inventory.select(args.host);
        if (hosts.length !== 1) throw new UsageError(`--host needs a pattern that matches one host; '${args.host}' matches ${hosts.length}`);
        output = toAnsibleJson(inventory.toAnsibleHost(hosts[0]!));
      } else if (args.graph !== undefined) {
        output = inventory.toGraph(args.graph || 'all', { vars: args.vars });
      } else {
        // Without a limit an empty inventory lists as Ansible's empty structure; a limit must still match something.
        output = toAnsibleJson(inventory.toAnsibleList(args.limit === 'all' ? undefined : inventory.select(args.limit)));
      }
      io.stdout.write(`${output}\n`);
    },
  );
}
