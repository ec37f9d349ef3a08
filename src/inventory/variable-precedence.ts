import type { GroupData, HostData, InventoryData, VariableOrigin, VariableOwner } from './inventory-data.js';

export interface MergedVars {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly origins: Readonly<Record<string, VariableOrigin>>;
}

export interface HostVars extends MergedVars {
  /** The names of the host's groups with their ancestors, `all` first, in the order their vars apply. */
  readonly groups: readonly string[];
}

/**
 * Merges variables in the order Ansible's VariableManager.get_vars applies them
 * under the default VARIABLE_PRECEDENCE: `all`'s inventory vars < the host's
 * groups' inventory vars < every source's group_vars/all < every source's
 * group_vars for the host's groups (source by source, each in group order) <
 * the host's inventory vars < every source's host_vars for it. Groups are in
 * helpers.sort_groups order: depth, then ansible_group_priority, then name.
 * A later layer replaces a var whole (hash_behaviour = replace).
 */
export class VariablePrecedence {
  private readonly graph: GroupGraph;
  /** Hosts in the same groups share everything below their own vars, merged once. */
  private readonly byGroups = new Map<string, HostVars>();

  constructor(private readonly data: InventoryData) {
    this.graph = new GroupGraph(data);
  }

  depth(group: GroupData): number {
    return this.graph.depth(group);
  }

  host(host: HostData): HostVars {
    const base = this.groupsOf(host);
    const own = [host, ...this.data.sourceVars.flatMap((source) => source.hosts.get(host) ?? [])].filter((layer) => Object.keys(layer.vars).length > 0);
    // Most hosts of a large inventory set nothing of their own: they share their groups' frozen merge.
    if (own.length === 0) return base;
    return { groups: base.groups, ...merge([base, ...own.map(plainLayer)]) };
  }

  /**
   * A group's own vars as ansible-inventory --graph --vars shows them: its
   * inventory vars, then each source's group_vars for it.
   */
  group(group: GroupData): Readonly<Record<string, unknown>> {
    return merge([group, ...this.data.sourceVars.flatMap((source) => source.groups.get(group) ?? [])].map(plainLayer)).vars;
  }

  private groupsOf(host: HostData): HostVars {
    const key = JSON.stringify([...host.groups].map((group) => group.name).sort());
    let merged = this.byGroups.get(key);
    if (!merged) {
      const groups = this.graph.precedence(host.groups);
      const [all, ...others] = groups;
      const fromFiles = (subset: readonly GroupData[]) =>
        this.data.sourceVars.flatMap((source) => subset.flatMap((group) => source.groups.get(group) ?? []));
      const layers = [all!, ...others, ...fromFiles([all!]), ...fromFiles(others)];
      merged = { groups: Object.freeze(groups.map((group) => group.name)), ...merge(layers.map(plainLayer)) };
      this.byGroups.set(key, merged);
    }
    return merged;
  }
}

function plainLayer(owner: VariableOwner): MergedVars {
  return { vars: owner.vars, origins: Object.fromEntries(owner.origins) };
}

function merge(layers: readonly MergedVars[]): MergedVars {
  const [first, ...rest] = layers;
  // Spreading the first layer clones it on V8's fast path; assigning into {} adds its keys one by one.
  const vars: Record<string, unknown> = { ...first!.vars };
  const origins: Record<string, VariableOrigin> = { ...first!.origins };
  for (const layer of rest) {
    Object.assign(vars, layer.vars);
    Object.assign(origins, layer.origins);
  }
  return { vars: Object.freeze(vars), origins: Object.freeze(origins) };
}

/** Depths and ancestors of groups, each computed once: membership stays linear in the number of hosts. */
class GroupGraph {
  private readonly depths = new Map<GroupData, number>();
  private readonly ancestors = new Map<GroupData, ReadonlySet<GroupData>>();

  constructor(private readonly data: InventoryData) {}

  depth(group: GroupData): number {
    let depth = this.depths.get(group);
    if (depth === undefined) {
      depth = group.parents.reduce((deepest, parent) => Math.max(deepest, this.depth(parent) + 1), 0);
      this.depths.set(group, depth);
    }
    return depth;
  }

  /**
   * A host's groups with their ancestors, ordered as Ansible applies their
   * vars (helpers.sort_groups): by depth, then ansible_group_priority, then name.
   */
  precedence(direct: Iterable<GroupData>): GroupData[] {
    const all = new Set<GroupData>([this.data.all]);
    for (const group of direct) {
      all.add(group);
      for (const ancestor of this.ancestorsOf(group)) all.add(ancestor);
    }
    return [...all].sort(
      (a, b) => this.depth(a) - this.depth(b) || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  }

  private ancestorsOf(group: GroupData): ReadonlySet<GroupData> {
    let ancestors = this.ancestors.get(group);
    if (!ancestors) {
      const set = new Set<GroupData>();
      for (const parent of group.parents) {
        set.add(parent);
        for (const ancestor of this.ancestorsOf(parent)) set.add(ancestor);
      }
      ancestors = set;
      this.ancestors.set(group, ancestors);
    }
    return ancestors;
  }
}
