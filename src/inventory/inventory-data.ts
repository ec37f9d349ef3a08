/**
 * The mutable inventory that sources are read into, shaped like Ansible's
 * InventoryData (lib/ansible/inventory/data.py): groups and hosts by name in
 * the order first seen, a group graph that refuses cycles, and the
 * `all`/`ungrouped` rules applied once every source has been read.
 */

/** Where a variable was set, so that a value that cannot be used (wrong type, failing template) is reported there. */
export interface VariableOrigin {
  /** The inventory or vars file, as the user named it. */
  readonly file: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
}

/** A group's or host's own variables, each with where it was set. */
export interface VariableOwner {
  readonly vars: Record<string, unknown>;
  readonly origins: Map<string, VariableOrigin>;
}

export function setVariable(owner: VariableOwner, name: string, value: unknown, origin: VariableOrigin): void {
  owner.vars[name] = value;
  owner.origins.set(name, origin);
}

export interface GroupData extends VariableOwner {
  readonly name: string;
  readonly children: GroupData[];
  readonly parents: GroupData[];
  /** Direct members, in the order they were added. */
  readonly hosts: HostData[];
  /** `ansible_group_priority`: breaks ties between groups at the same depth. */
  priority: number;
}

export interface HostData extends VariableOwner {
  readonly name: string;
  /** Direct memberships only; ancestors are derived when the inventory is built. */
  readonly groups: Set<GroupData>;
}

/**
 * What one inventory source's group_vars/ and host_vars/ set (Ansible's
 * host_group_vars plugin), kept per source because Ansible applies them source
 * by source (see variable-precedence.ts).
 */
export interface SourceVars {
  readonly groups: ReadonlyMap<GroupData, VariableOwner>;
  readonly hosts: ReadonlyMap<HostData, VariableOwner>;
}

/** Adding this edge would make a group its own ancestor. */
export class GroupCycleError extends Error {}

export class InventoryData {
  readonly groups = new Map<string, GroupData>();
  readonly hosts = new Map<string, HostData>();
  readonly all: GroupData;
  readonly ungrouped: GroupData;
  /** In the order of the sources they sit beside. */
  readonly sourceVars: SourceVars[] = [];

  constructor() {
    this.all = this.addGroup('all');
    this.ungrouped = this.addGroup('ungrouped');
    this.addChild(this.all, this.ungrouped);
  }

  addGroup(name: string): GroupData {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, vars: {}, origins: new Map(), children: [], parents: [], hosts: [], priority: 1 };
      this.groups.set(name, group);
    }
    return group;
  }

  /** As Ansible, a `host:port` port counts only where the host is first seen; `origin` is where that port was written. */
  addHost(name: string, group: GroupData, port?: { port: number; origin: VariableOrigin }): HostData {
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, vars: {}, origins: new Map(), groups: new Set() };
      if (port) setVariable(host, 'ansible_port', port.port, port.origin);
      this.hosts.set(name, host);
    }
    if (!host.groups.has(group)) {
      host.groups.add(group);
      group.hosts.push(host);
    }
    return host;
  }

  addChild(parent: GroupData, child: GroupData): void {
    if (parent.children.includes(child)) return;
    if (child === parent || isAncestor(child, parent)) {
      throw new GroupCycleError(`adding group '${child.name}' as a child of '${parent.name}' makes it its own ancestor`);
    }
    parent.children.push(child);
    child.parents.push(parent);
  }

  /**
   * Ansible's reconcile_inventory: every group hangs under `all`, and
   * `ungrouped` holds exactly the hosts that are in no group but `all`.
   */
  reconcile(): void {
    for (const group of this.groups.values()) {
      if (group !== this.all && group.parents.length === 0) this.addChild(this.all, group);
    }
    const isGrouped = (host: HostData) =>
      [...host.groups].some((group) => group !== this.all && group !== this.ungrouped);
    const kept = this.ungrouped.hosts.filter((host) => !isGrouped(host));
    for (const host of this.ungrouped.hosts) if (isGrouped(host)) host.groups.delete(this.ungrouped);
    this.ungrouped.hosts.length = 0;
    for (const host of kept) this.ungrouped.hosts.push(host);
    for (const host of this.hosts.values()) if (!isGrouped(host)) this.addHost(host.name, this.ungrouped);
  }
}

function isAncestor(candidate: GroupData, of: GroupData): boolean {
  const seen = new Set<GroupData>();
  const pending = [...of.parents];
  while (pending.length > 0) {
    const group = pending.pop()!;
    if (group === candidate) return true;
    if (seen.has(group)) continue;
    seen.add(group);
    pending.push(...group.parents);
  }
  return false;
}
