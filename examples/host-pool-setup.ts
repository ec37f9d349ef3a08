/**
 * What the four HostPool examples share: the inventory and known_hosts they
 * run against (from the command line or the environment), the seed's `func`
 * as a remote command, and the remote output printed live, line by line.
 *
 *   node build/examples/host-pool-1-apply-async.js --inventory hosts.yml --known-hosts known_hosts [--records out.json]
 *
 * or SSHPOOL_INVENTORY / SSHPOOL_KNOWN_HOSTS in the environment. Key files come
 * from the inventory (ansible_ssh_private_key_file) or ssh_config. `--records`
 * writes every record as JSON, for the tests that check the pools' bounds.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadInventory } from '../src/index.js';
import type { HostPool, HostResult, Inventory, RunOptions } from '../src/index.js';

export interface ExampleSetup {
  inventory: Inventory;
  settings: RunOptions;
  /** The names of the inventory's hosts in `group`, in inventory order. */
  hostsOf(group: string): string[];
  /** Prints each host's output as it arrives, "web1: msg: hello 0". */
  showOutput(pool: HostPool): void;
  /** Writes the records to the --records file, if one was given. */
  keepRecords(records: unknown): Promise<void>;
}

export const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** The seed's func(msg), done on the host. */
export const func = (msg: string): string => `echo msg: ${msg}; sleep 1; echo end`;

export async function exampleSetup(): Promise<ExampleSetup> {
  const { values } = parseArgs({ options: { inventory: { type: 'string' }, 'known-hosts': { type: 'string' }, records: { type: 'string' } } });
  const inventoryFile = values.inventory ?? process.env['SSHPOOL_INVENTORY'];
  if (!inventoryFile) throw new Error('give the inventory: --inventory FILE or SSHPOOL_INVENTORY');
  const knownHosts = values['known-hosts'] ?? process.env['SSHPOOL_KNOWN_HOSTS'];
  const inventory = await loadInventory([inventoryFile]);
  return {
    inventory,
    settings: knownHosts ? { knownHostsFiles: [knownHosts] } : {},
    hostsOf: (group) => inventory.select(group).map((host) => host.name),
    showOutput: (pool) => {
      const partial = new Map<string, string>();
      pool.on('output', ({ host, chunk }) => {
        const lines = ((partial.get(host) ?? '') + chunk.toString()).split('\n');
        partial.set(host, lines.pop()!);
        for (const line of lines) log(`${host}: ${line}`);
      });
    },
    keepRecords: async (records) => {
      if (values.records) await writeFile(values.records, JSON.stringify(records));
    },
  };
}

/** A record in one line: "web1 ok: msg: hello 0 / end". */
export function summary(record: HostResult): string {
  const output = record.stdout.trim().split('\n').join(' / ');
  return `${record.host} ${record.kind} ${record.status}${output ? `: ${output}` : ''}${record.error ? ` (${record.error.code})` : ''}`;
}
