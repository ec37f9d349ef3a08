/**
 * Loads and queries a generated 10,000-host inventory (200 range-named groups
 * under 10 parents, vars at every level), then resolves every host's ssh_config
 * and target settings as a run does, and prints median times; then the same
 * inventory with its vars in group_vars/ (a file per group, a directory for
 * all), also as an INI file, then with host_vars/ for every tenth host too.
 * Run: npm run bench:inventory
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInventory } from '../src/inventory/index.js';
import type { Inventory } from '../src/inventory/index.js';
import { resolveTarget } from '../src/ssh/target-settings.js';
import { SshConfigResolver } from '../src/ssh/ssh-config.js';

const REGIONS = 10;
const GROUPS = 200;
const HOSTS_PER_GROUP = 50;
const RUNS = 7;
/** Vars per group_vars or host_vars file. */
const VARS_PER_FILE = 10;
const PATTERNS = ['all', 'region3', 'region*:&~g01', 'g1*:!g15*', '~g00\\d-node0[0-2]', 'region2[10:109]', 'g042-node001.example.com'];

function inventoryYaml(): string {
  const lines = ['all:', '  vars:', '    ansible_user: deploy', '  children:'];
  for (let region = 0; region < REGIONS; region += 1) {
    lines.push(`    region${region}:`, '      vars:', `        region: r${region}`, '      children:');
    for (let group = region; group < GROUPS; group += REGIONS) {
      const name = `g${String(group).padStart(3, '0')}`;
      lines.push(`        ${name}:`, '          vars:', `            tier: ${name}`, '          hosts:');
      lines.push(`            ${name}-node[001:${String(HOSTS_PER_GROUP).padStart(3, '0')}].example.com:`);
      lines.push(`            ${name}-node001.example.com: {ansible_port: 2222}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A typical ssh_config: wildcard blocks per region and domain, and a catch-all. */
function sshConfigText(): string {
  const blocks = Array.from({ length: REGIONS }, (_, region) => `Host g${region}*-node*.example.com\n  User ops${region}\n  ServerAliveInterval 30\n`);
  return `${blocks.join('')}Host *.example.com\n  IdentityFile ~/.ssh/id_ed25519\n  StrictHostKeyChecking yes\nHost *\n  ConnectTimeout 10\n`;
}

function varsText(prefix: string, first: string): string {
  return [first, ...Array.from({ length: VARS_PER_FILE }, (_, index) => `${prefix}_var${index}: ${prefix}-${index}`)].join('\n');
}

/** group_vars/ beside the inventory, as Ansible projects keep them: a directory for all, a file per other group. */
function groupVarsFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set('group_vars/all/00-base.yml', varsText('all', 'ansible_user: deploy'));
  files.set('group_vars/all/10-site.yml', varsText('site', 'site: bench'));
  for (let region = 0; region < REGIONS; region += 1) files.set(`group_vars/region${region}.yml`, varsText(`region${region}`, `region: r${region}`));
  for (let group = 0; group < GROUPS; group += 1) {
    const name = `g${String(group).padStart(3, '0')}`;
    files.set(`group_vars/${name}.yml`, varsText(name, `tier: ${name}`));
  }
  return files;
}

/** host_vars/ for every tenth host. */
function hostVarsFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (let group = 0; group < GROUPS; group += 1) {
    for (let node = 1; node <= HOSTS_PER_GROUP; node += 10) {
      const name = `g${String(group).padStart(3, '0')}-node${String(node).padStart(3, '0')}.example.com`;
      files.set(`host_vars/${name}.yml`, varsText('host', 'ansible_port: 2222'));
    }
  }
  return files;
}

async function writeFiles(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [name, text] of files) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), `${text}\n`);
  }
}

/** The inventory with no vars in it: they are all in the vars files. */
/** The same hosts and groups as an INI file, as most real inventories are: `[gNNN]` ranges, `[regionN:children]`. */
function bareInventoryIni(): string {
  const lines: string[] = [];
  for (let region = 0; region < REGIONS; region += 1) {
    lines.push(`[region${region}:children]`);
    for (let group = region; group < GROUPS; group += REGIONS) lines.push(`g${String(group).padStart(3, '0')}`);
  }
  for (let group = 0; group < GROUPS; group += 1) {
    const name = `g${String(group).padStart(3, '0')}`;
    lines.push(`[${name}]`, `${name}-node[001:${String(HOSTS_PER_GROUP).padStart(3, '0')}].example.com`, `${name}-node001.example.com ansible_port=2222`);
  }
  return `${lines.join('\n')}\n`;
}

function bareInventoryYaml(): string {
  return inventoryYaml().split('\n').filter((line) => !/^\s+(vars:|ansible_user:|region:|tier:)/.test(line)).join('\n');
}

/**
 * Median wall and CPU time of loading `dir`/hosts.yml (then `after`, if given).
 * CPU time is what to compare on a busy machine, where wall time includes waiting for a core.
 */
async function timeLoads(dir: string, after?: (inventory: Inventory) => void, source = 'hosts.yml'): Promise<{ inventory: Inventory; times: string }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let inventory: Inventory | undefined;
  for (let run = 0; run < RUNS; run += 1) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    inventory = await loadInventory([source], { cwd: dir });
    after?.(inventory);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1000);
    wall.push(performance.now() - start);
  }
  return { inventory: inventory!, times: `${median(wall).toFixed(1)} ms (CPU ${median(cpu).toFixed(1)} ms)` };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sshpool-bench-inventory-'));
  try {
    await writeFile(join(dir, 'hosts.yml'), inventoryYaml());
    const loaded = await timeLoads(dir);
    console.log(`inventory: ${loaded.inventory.hosts.length} hosts, ${loaded.inventory.groups.size} groups (${RUNS} runs, medians)`);
    console.log(`  load                      ${loaded.times}`);
    for (const pattern of PATTERNS) {
      const times: number[] = [];
      let count = 0;
      for (let run = 0; run < RUNS; run += 1) {
        // A fresh inventory each time, so group host lists are not served from the cache.
        const fresh = await loadInventory(['hosts.yml'], { cwd: dir });
        const start = performance.now();
        count = fresh.select(pattern).length;
        times.push(performance.now() - start);
      }
      console.log(`  select ${pattern.padEnd(26)} ${median(times).toFixed(2)} ms (${count} hosts)`);
    }
    await writeFile(join(dir, 'ssh_config'), sshConfigText());
    const resolveTimes: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const start = performance.now();
      const fresh = await loadInventory(['hosts.yml'], { cwd: dir });
      const config = await SshConfigResolver.load(join(dir, 'ssh_config'));
      for (const host of fresh.hosts) resolveTarget(host, {}, config);
      resolveTimes.push(performance.now() - start);
    }
    console.log(`  load + ssh_config + target settings, all hosts   ${median(resolveTimes).toFixed(1)} ms`);

    const varsDir = join(dir, 'with-vars-files');
    await mkdir(varsDir);
    await writeFile(join(varsDir, 'hosts.yml'), bareInventoryYaml());
    const groupVars = groupVarsFiles();
    const hostVars = hostVarsFiles();
    await writeFiles(varsDir, groupVars);
    console.log(`the same, its vars in ${groupVars.size} group_vars/ files (${VARS_PER_FILE + 1} vars each)`);
    console.log(`  load                      ${(await timeLoads(varsDir)).times}`);
    // Written where the YAML one is, so it has the same group_vars/ beside it (host_vars/ come next).
    await writeFile(join(varsDir, 'hosts'), bareInventoryIni());
    const iniConfig = await SshConfigResolver.load(join(dir, 'ssh_config'));
    const ini = await timeLoads(varsDir, (inventory) => {
      for (const host of inventory.hosts) resolveTarget(host, {}, iniConfig);
    }, 'hosts');
    console.log(`  the same as an INI file (${ini.inventory.hosts.length} hosts), load + ssh_config + target settings   ${ini.times}`);
    await writeFiles(varsDir, hostVars);
    console.log(`  and ${hostVars.size} host_vars/ files, one for every tenth host`);
    console.log(`  load                      ${(await timeLoads(varsDir)).times}`);
    const config = await SshConfigResolver.load(join(dir, 'ssh_config'));
    const resolved = await timeLoads(varsDir, (inventory) => {
      for (const host of inventory.hosts) resolveTarget(host, {}, config);
    });
    console.log(`  load + ssh_config + target settings, all hosts   ${resolved.times}`);

  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
