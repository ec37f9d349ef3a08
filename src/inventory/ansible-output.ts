import type { Inventory, InventoryHost } from './inventory.js';
import { pythonStr } from './python-repr.js';

/** `ansible-inventory --list`: groups with their hosts and children, and `_meta.hostvars`. */
export interface AnsibleList {
  [group: string]: {
    /** The group's own hosts, left out when it has none. */
    hosts?: string[];
    /** Child groups by name, empty ones included. */
    children?: string[];
  } | {
    /** Only on `_meta`. */
    hostvars: Record<string, Record<string, unknown>>;
  };
  /** The variables of every listed host, by host name. */
  _meta: {
    /** Host name to its merged variables, Ansible's internal ones left out. */
    hostvars: Record<string, Record<string, unknown>>;
  };
}

/** Ansible's INTERNAL_STATIC_VARS that can reach an inventory: ansible-inventory never prints them. */
const INTERNAL_VARIABLES = new Set([
  'ansible_config_file', 'ansible_facts', 'ansible_forks', 'ansible_inventory_sources', 'ansible_limit',
  'ansible_playbook_python', 'ansible_run_tags', 'ansible_skip_tags', 'ansible_verbosity', 'ansible_version',
  'inventory_dir', 'inventory_file', 'inventory_hostname', 'inventory_hostname_short', 'groups', 'group_names',
  'omit', 'hostvars', 'playbook_dir', 'play_hosts', 'role_name', 'role_names', 'role_path', 'role_uuid',
]);

export function publicVars(vars: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).filter(([name]) => !INTERNAL_VARIABLES.has(name)));
}

/** As lib/ansible/cli/inventory.py json_inventory: empty groups are left out but still named as children. */
export function ansibleList(inventory: Inventory, hosts: readonly InventoryHost[]): AnsibleList {
  const available = new Set(hosts.map((host) => host.name));
  const groups: Record<string, { hosts?: string[]; children?: string[] }> = {};
  const seen = new Set<string>();
  const format = (name: string): void => {
    const group = inventory.groups.get(name)!;
    const entry: { hosts?: string[]; children?: string[] } = {};
    const members = name === 'all' ? [] : group.hosts.filter((host) => available.has(host));
    if (members.length > 0) entry.hosts = members;
    if (group.children.length > 0) entry.children = [...group.children];
    for (const child of group.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      format(child);
    }
    if (entry.hosts || entry.children) groups[name] = entry;
  };
  format('all');
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const host of hosts) {
    const vars = publicVars(host.vars);
    if (Object.keys(vars).length > 0) hostvars[host.name] = vars;
  }
  return { ...groups, _meta: { hostvars } };
}

/** As ansible-inventory prints JSON: keys sorted at every level, four-space indent. */
export function toAnsibleJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 4);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // !unsafe and !vault values print as Ansible's JSON encoder prints them: {"__ansible_unsafe": ...}, {"__ansible_vault": ...}.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sortKeys((value as { toJSON(): unknown }).toJSON());
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

/** As ansible-inventory --graph: `@group:` lines indented with `  |--`, direct hosts under each group but `all`. */
export function ansibleGraph(inventory: Inventory, start: string, showVars: boolean): string {
  const lines: string[] = [];
  const line = (text: string, depth: number) => lines.push(depth ? `${'  |'.repeat(depth)}--${text}` : text);
  const varLines = (vars: Record<string, unknown>, depth: number) => {
    for (const name of Object.keys(vars).sort()) line(`{${name} = ${pythonStr(vars[name])}}`, depth);
  };
  const graph = (name: string, depth: number): void => {
    const group = inventory.groups.get(name)!;
    line(`@${name}:`, depth);
    for (const child of group.children) graph(child, depth + 1);
    if (name !== 'all') {
      for (const hostName of group.hosts) {
        line(hostName, depth + 1);
        if (showVars) varLines(publicVars(inventory.host(hostName)!.vars), depth + 2);
      }
    }
    if (showVars) {
      const vars = publicVars(group.vars);
      if (group.priority !== 1) vars.ansible_group_priority = group.priority;
      varLines(vars, depth + 1);
    }
  };
  graph(start, 0);
  return lines.join('\n');
}
