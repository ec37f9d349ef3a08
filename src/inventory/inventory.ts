import { ansibleGraph, ansibleList, publicVars } from './ansible-output.js';
import type { AnsibleList } from './ansible-output.js';
import { NoHostsMatchedError, PatternError } from './errors.js';
import { matchHosts } from './host-pattern.js';
import type { PatternScope } from './host-pattern.js';
import type { InventoryData, VariableOrigin } from './inventory-data.js';
import { VariablePrecedence } from './variable-precedence.js';

/** One host of an inventory, with its variables merged and the groups it is in. */
export interface InventoryHost {
  /** The inventory name (`inventory_hostname`), not necessarily the address: see ansible_host. */
  readonly name: string;
  /**
   * Merged as Ansible merges them: `all` < parent groups < child groups (inventory vars, then
   * group_vars/ files) < the host's own < host_vars/ files. See VariablePrecedence.
   */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Where each of `vars` was set (the value that won); absent on hosts made by hand, not read from a file. */
  readonly origins?: Readonly<Record<string, VariableOrigin>>;
  /** Direct and ancestor groups, `all` included, in the order their vars apply. */
  readonly groups: readonly string[];
}

/** One group of an inventory, as `ansible-inventory --graph` shows it. */
export interface InventoryGroup {
  /** The group name; `all` and `ungrouped` always exist. */
  readonly name: string;
  /** The group's own vars (from the inventory, then its group_vars/ files), not merged with its parents'. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Longest distance from `all` (0); deeper groups' vars win. */
  readonly depth: number;
  /** `ansible_group_priority` (default 1): higher wins between groups at the same depth. */
  readonly priority: number;
  /** Direct parent groups, by name. */
  readonly parents: readonly string[];
  /** Direct child groups, by name. */
  readonly children: readonly string[];
  /** Direct members only. */
  readonly hosts: readonly string[];
}

/** The inventory each host record came from, so its vars can be templated (groups, hostvars) from the record alone. */
const homes = new WeakMap<InventoryHost, Inventory>();

export function inventoryOf(host: InventoryHost): Inventory | undefined {
  return homes.get(host);
}

/**
 * A loaded inventory: hosts with merged vars, the group graph, and host
 * patterns evaluated as Ansible does. Immutable; build one with loadInventory.
 */
export class Inventory implements PatternScope<InventoryHost> {
  /** In the order hosts were first read. */
  readonly hosts: readonly InventoryHost[];
  /** In Ansible's order: all, ungrouped, then as first read. */
  readonly groups: ReadonlyMap<string, InventoryGroup>;
  /** What Ansible would warn about while parsing (shown by the CLI on stderr); none of it is fatal. */
  readonly warnings: readonly string[];
  readonly groupNames: readonly string[];
  private readonly hostsByName: ReadonlyMap<string, InventoryHost>;
  private readonly groupHosts = new Map<string, readonly InventoryHost[]>();

  constructor(data: InventoryData, warnings: readonly string[]) {
    const precedence = new VariablePrecedence(data);
    this.groups = new Map(
      [...data.groups.values()].map((group) => [
        group.name,
        Object.freeze({
          name: group.name,
          vars: precedence.group(group),
          depth: precedence.depth(group),
          priority: group.priority,
          parents: Object.freeze(group.parents.map((parent) => parent.name)),
          children: Object.freeze(group.children.map((child) => child.name)),
          hosts: Object.freeze(group.hosts.map((host) => host.name)),
        }),
      ]),
    );
    this.groupNames = Object.freeze([...this.groups.keys()]);
    this.hosts = Object.freeze(
      [...data.hosts.values()].map((host) => {
        const { vars, origins, groups } = precedence.host(host);
        return Object.freeze({ name: host.name, vars, origins, groups });
      }),
    );
    this.hostsByName = new Map(this.hosts.map((host) => [host.name, host]));
    for (const host of this.hosts) homes.set(host, this);
    this.warnings = Object.freeze([...warnings]);
  }

  /** The host of that inventory name, or undefined (no pattern matching: see select). */
  host(name: string): InventoryHost | undefined {
    return this.hostsByName.get(name);
  }

  /**
   * Ansible's Group.get_hosts: the group's own hosts, then its children's, then
   * grandchildren's, each once. (Ansible walks grandchildren in set order;
   * here it is breadth-first in file order, so the result is stable.)
   */
  hostsOfGroup(name: string): readonly InventoryHost[] {
    const cached = this.groupHosts.get(name);
    if (cached) return cached;
    const hosts: InventoryHost[] = [];
    const seenHosts = new Set<string>();
    const seenGroups = new Set<string>([name]);
    let level = [name];
    while (level.length > 0) {
      const next: string[] = [];
      for (const groupName of level) {
        const group = this.groups.get(groupName);
        if (!group) continue;
        for (const hostName of group.hosts) {
          if (seenHosts.has(hostName)) continue;
          seenHosts.add(hostName);
          hosts.push(this.hostsByName.get(hostName)!);
        }
        for (const child of group.children) {
          if (seenGroups.has(child)) continue;
          seenGroups.add(child);
          next.push(child);
        }
      }
      level = next;
    }
    const frozen = Object.freeze(hosts);
    this.groupHosts.set(name, frozen);
    return frozen;
  }

  /** The hosts an Ansible host pattern selects, in inventory order; throws NoHostsMatchedError if none. */
  select(pattern: string): InventoryHost[] {
    const hosts = matchHosts(this, pattern);
    if (hosts.length === 0) throw new NoHostsMatchedError(pattern);
    return hosts;
  }

  /** What `ansible-inventory --list` prints, limited to `hosts` (default: every host). */
  toAnsibleList(hosts: readonly InventoryHost[] = this.hostsOfGroup('all')): AnsibleList {
    return ansibleList(this, hosts);
  }

  /** What `ansible-inventory --host` prints: the host's merged vars without Ansible's internal ones. */
  toAnsibleHost(host: InventoryHost): Record<string, unknown> {
    return publicVars(host.vars);
  }

  /** What `ansible-inventory --graph [group] [--vars]` prints. */
  toGraph(group = 'all', options: { vars?: boolean } = {}): string {
    if (!this.groups.has(group)) throw new PatternError(group, 'a graph starts at a group, and no group has that name');
    return ansibleGraph(this, group, options.vars ?? false);
  }
}
