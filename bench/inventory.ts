/**
 * Loads and queries a generated 10,000-host inventory (200 range-named groups
 * under 10 parents, vars at every level), then resolves every host's ssh_config
 * and target settings as a run does, and prints median times. Run:
 * npm run compile && node build/bench/inventory.js
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInventory } from '../src/inventory/index.js';
import type { Inventory } from '../src/inventory/index.js';
import { resolveTarget } from '../src/run/target-settings.js';
import { SshConfigResolver } from '../src/ssh/ssh-config.js';

const REGIONS = 10;
const GROUPS = 200;
const HOSTS_PER_GROUP = 50;
const RUNS = 7;
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sshpool-bench-inventory-'));
  try {
    await writeFile(join(dir, 'hosts.yml'), inventoryYaml());
    const loadTimes: number[] = [];
    let inventory: Inventory | undefined;
    for (let run = 0; run < RUNS; run += 1) {
      const start = performance.now();
      inventory = await loadInventory(['hosts.yml'], { cwd: dir });
      loadTimes.push(performance.now() - start);
    }
    console.log(`inventory: ${inventory!.hosts.length} hosts, ${inventory!.groups.size} groups (${RUNS} runs, medians)`);
    console.log(`  load                      ${median(loadTimes).toFixed(1)} ms`);
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
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
