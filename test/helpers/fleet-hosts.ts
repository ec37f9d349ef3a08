import type { InventoryHost } from '../../src/inventory/index.js';
import type { RunOptions } from '../../src/settings/run-options.js';
import type { Fleet, FleetHost } from '../fleet/index.js';

/** Inventory records for fleet hosts, as an Ansible inventory would give them. */
export function inventoryHostsFor(fleet: Fleet, hosts: readonly FleetHost[] = fleet.hosts): InventoryHost[] {
  return hosts.map((host) => inventoryHost(host.name, host.address, host.port, fleet));
}

export function inventoryHost(name: string, address: string, port: number, fleet: Fleet): InventoryHost {
  return {
    name,
    vars: { ansible_host: address, ansible_port: port, ansible_user: fleet.user, ansible_ssh_private_key_file: fleet.userKeyPath },
    groups: ['all', 'ungrouped'],
  };
}

/** Options that keep a test away from this machine's own ~/.ssh and agent. */
export function isolatedOptions(fleet: Fleet): RunOptions {
  return { knownHostsFiles: [fleet.knownHostsPath], agentSocket: null, sshConfigFile: '/dev/null', connectTimeoutMs: 5000 };
}
