/**
 * sshpool against pdsh, parallel-ssh and clush, same hosts, fanout and commands,
 * repetitions interleaved after an untimed warm-up. Run: npm run bench [-- --quick | --scenarios 1,2 --reps 3 ...].
 * --profile DIR: sshpool also writes a V8 CPU profile of each run there (node --cpu-prof).
 * --results: sshpool also writes a --results file, watched for rewrites and checked at the end.
 * --baseline DIR: another checkout of sshpool, built (its bin/sshpool and dist/), runs side by side as
 * `sshpool (DIR)`, with a code cache of its own: a change measured against what it changes.
 * As root it makes its own network namespace (hosts 127.1.x.y, one sshd on :22);
 * otherwise sshd processes on loopback ports. See README "Benchmark".
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchFleet } from './bench-fleet.js';
import { availableClients, sshpoolClient } from './clients.js';
import type { Client, Workload } from './clients.js';
import { measure, releaseMemoryHierarchy, treeMemoryMeasured } from './measure.js';
import { compareToBestPeer, machineInfo, markdown, summarize } from './report.js';
import type { ScenarioResult, ToolRun } from './report.js';
import { canCreateNamespace, insideNamespace, rerunInsideNamespace } from './netns.js';
import { DelayedRoute } from './delayed-route.js';
import { watchResultsFile } from './results-watch.js';
import type { ResultsFileCheck } from './results-watch.js';

/** 1 MiB of 64-byte lines. */
const MIB_OF_LINES = "yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c 1048576";

interface ScenarioSpec {
  id: string;
  name: string;
  hosts: number;
  fanout: number;
  commands: string[];
  bulkOutput: boolean;
  reps: number;
  /** Added each way to every chunk by the delay proxy (namespace mode only); 0: straight to sshd. */
  delayMs: number;
}

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: '1,2,3,4,5,6,7,8' },
    hosts: { type: 'string' },
    'big-hosts': { type: 'string' },
    reps: { type: 'string' },
    fanouts: { type: 'string', default: '8,32,128,256' },
    tools: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    profile: { type: 'string' },
    results: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});

function scenarios(): ScenarioSpec[] {
  const hosts = Number(flags.hosts ?? (flags.quick ? 50 : 200));
  const bigHosts = Number(flags['big-hosts'] ?? (flags.quick ? 100 : 1000));
  const reps = (full: number) => Number(flags.reps ?? (flags.quick ? 1 : full));
  const wanted = new Set(flags.scenarios.split(','));
  const all: ScenarioSpec[] = [
    { id: '1', name: '1. `true`', hosts, fanout: 32, commands: ['true'], bulkOutput: false, reps: reps(3), delayMs: 0 },
    { id: '2', name: '2. five commands per host', hosts, fanout: 32, commands: ['true', 'true', 'true', 'true', 'true'], bulkOutput: false, reps: reps(2), delayMs: 0 },
    { id: '3', name: '3. 1 MiB of output per host', hosts: bigHosts, fanout: 128, commands: [MIB_OF_LINES], bulkOutput: true, reps: reps(1), delayMs: 0 },
    ...flags.fanouts.split(',').map((fanout) => ({
      id: '4',
      name: `4. fanout sweep: ${fanout}`,
      hosts,
      fanout: Number(fanout),
      commands: ['true'],
      bulkOutput: false,
      reps: reps(1),
      delayMs: 0,
    })),
    { id: '5', name: '5. one host, `true`', hosts: 1, fanout: 1, commands: ['true'], bulkOutput: false, reps: reps(10), delayMs: 0 },
    { id: '6', name: '6. one host, `true`, 50 ms RTT', hosts: 1, fanout: 1, commands: ['true'], bulkOutput: false, reps: reps(5), delayMs: 25 },
    { id: '7', name: '7. `true`, 50 ms RTT', hosts: Math.min(hosts, 100), fanout: 32, commands: ['true'], bulkOutput: false, reps: reps(2), delayMs: 25 },
    // Scenario 1 at the low end of the 100-200 hosts its CPU target holds for: a run's start weighs more there.
    { id: '8', name: '8. `true`, 100 hosts', hosts: Math.min(hosts, 100), fanout: 32, commands: ['true'], bulkOutput: false, reps: reps(3), delayMs: 0 },
  ];
  return all.filter((s) => wanted.has(s.id));
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** The first `spec.hosts` hosts of the fleet, as every client is given them (through `route` if given). */
async function workload(fleet: BenchFleet, spec: Pick<ScenarioSpec, 'hosts' | 'fanout' | 'commands' | 'bulkOutput'>, route?: DelayedRoute): Promise<Workload> {
  return {
    hostsFile: await fleet.hostsFile(spec.hosts),
    inventory: await fleet.inventory(spec.hosts),
    hostCount: spec.hosts,
    fanout: spec.fanout,
    commands: spec.commands,
    sshConfig: await fleet.sshConfig(spec.hosts, route?.port),
    user: fleet.user,
    bulkOutput: spec.bulkOutput,
    timeoutMs: 600_000,
  };
}

/** The clients that take part in a scenario: ssh only where there is one host. */
function clientsFor(spec: Pick<ScenarioSpec, 'hosts'>, clients: readonly Client[]): Client[] {
  return clients.filter((client) => client.maxHosts === undefined || spec.hosts <= client.maxHosts);
}

async function runScenario(spec: ScenarioSpec, allClients: readonly Client[], fleet: BenchFleet, scratch: string, route: DelayedRoute | undefined): Promise<ScenarioResult> {
  const clients = clientsFor(spec, allClients);
  const work: Workload = {
    ...(await workload(fleet, spec, route)),
    ...(flags.profile ? { profileDir: resolve(flags.profile) } : {}),
    ...(flags.results ? { resultsFile: join(scratch, 'results.json') } : {}),
  };
  const runs = new Map<string, ToolRun[]>(clients.map((c) => [c.name, []]));
  // Interleaved and rotated (A B C D, B C D A, ...), so drift in the machine's load, and whatever
  // the previous client left behind (sshd's sessions still closing), hit every tool alike.
  for (let rep = 1; rep <= spec.reps; rep++) {
    for (const client of rotated(clients, rep - 1)) {
      const parts = [];
      const failed = new Set<string>();
      let serverCpuMs = 0;
      let resultsFile: ResultsFileCheck | undefined;
      for (const invocation of client.invocations(work)) {
        const serverCpuBefore = await fleet.serverCpuMs();
        const watch = work.resultsFile && invocation.args.includes(work.resultsFile) ? watchResultsFile(work.resultsFile) : undefined;
        const measured = await measure(invocation, scratch, { stampExec: route !== undefined });
        resultsFile = await watch?.stop();
        await fleet.settled();
        serverCpuMs += (await fleet.serverCpuMs()) - serverCpuBefore;
        parts.push(measured);
        for (const host of client.failures(measured.stdout, measured.stderr)) failed.add(host);
        if (measured.exitCode !== 0 && failed.size === 0) failed.add(`exit code ${measured.exitCode}`);
      }
      if (failed.size > 0) log(`    first lines of its output:\n${parts.map((p) => p.stderr + p.stdout).join('\n').slice(0, 800)}`);
      const firstConnectMs = route && parts[0] ? route.firstConnectAfter(parts[0].execAt ?? parts[0].startedAt) : undefined;
      runs.get(client.name)?.push({
        parts,
        failures: failed.size,
        serverCpuMs,
        ...(firstConnectMs === undefined ? {} : { firstConnectMs }),
        ...(resultsFile ? { resultsFile } : {}),
      });
      const wall = parts.reduce((a, p) => a + p.wallMs, 0);
      const cpu = parts.reduce((a, p) => a + p.cpuMs, 0);
      const sys = parts.reduce((a, p) => a + p.sysCpuMs, 0);
      const rss = Math.max(...parts.map((p) => p.maxRssBytes)) / 2 ** 20;
      log(`  ${spec.name} rep ${rep} ${client.name}: ${(wall / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} s CPU (${(sys / 1000).toFixed(2)} s sys), sshd ${(serverCpuMs / 1000).toFixed(2)} s CPU, max RSS ${rss.toFixed(0)} MB, ${failed.size} failures`);
      if (resultsFile) log(`    results file: ${resultsFile.records} records, complete ${resultsFile.complete}, written ${resultsFile.writes} times, journal up to ${resultsFile.journalBytesMax} bytes`);
    }
  }
  const tools = clients.map((c) => summarize(c.name, runs.get(c.name) ?? [], spec.hosts, spec.commands.length));
  return { name: spec.name, delayMs: spec.delayMs, hosts: spec.hosts, fanout: spec.fanout, commands: spec.commands, tools: compareToBestPeer(tools) };
}

function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** How many hosts the untimed warm-up runs each client against. */
const WARM_UP_HOSTS = 16;

/**
 * One untimed run of every client on a few hosts before anything is measured: the
 * first measured run would otherwise pay alone for cold caches (sshd's and the
 * shell's pages, the client's own program and libraries).
 */
async function warmUp(clients: readonly Client[], fleet: BenchFleet, scratch: string): Promise<void> {
  const work = await workload(fleet, { hosts: WARM_UP_HOSTS, fanout: WARM_UP_HOSTS, commands: ['true'], bulkOutput: false });
  for (const client of clientsFor({ hosts: WARM_UP_HOSTS }, clients)) for (const invocation of client.invocations(work)) await measure(invocation, scratch);
}

async function benchInside(): Promise<void> {
  const started = Date.now();
  const inNamespace = insideNamespace() !== undefined;
  const specs = scenarios().filter((spec) => {
    // Only the namespace has every 127.1.x.y for the delay proxy to listen on.
    if (spec.delayMs === 0 || inNamespace) return true;
    log(`${spec.name}: left out, the delay proxy needs the bench's network namespace (root)`);
    return false;
  });
  const wantedTools = flags.tools?.split(',');
  // Its code cache apart from this checkout's, in a directory removed at the end.
  const baselineCache = flags.baseline === undefined ? undefined : await mkdtemp(join(tmpdir(), 'sshpool-bench-baseline-cache-'));
  const baseline = flags.baseline === undefined ? undefined : sshpoolClient(`sshpool (${flags.baseline})`, resolve(flags.baseline), baselineCache);
  if (baseline && !existsSync(baseline.executable)) throw new Error(`--baseline ${flags.baseline}: no ${baseline.executable} (a checkout of sshpool since bin/sshpool, built with npm run build)`);
  const clients = availableClients(log, baseline).filter((c) => c === baseline || !wantedTools || wantedTools.includes(c.name));
  const maxHosts = Math.max(...specs.map((s) => s.hosts));
  log(`starting ${maxHosts} hosts (${inNamespace ? `network namespace ${insideNamespace()}` : 'loopback ports, no namespace'})`);
  const fleet = await BenchFleet.start(maxHosts, inNamespace);
  const scratch = await mkdtemp(join(tmpdir(), 'sshpool-bench-scratch-'));
  const delays = [...new Set(specs.map((spec) => spec.delayMs).filter((delay) => delay > 0))];
  const routes = new Map<number, DelayedRoute>();
  const stop = async (): Promise<void> => {
    await Promise.all([...routes.values()].map((route) => route.stop()));
    await fleet.stop();
    await releaseMemoryHierarchy();
    await rm(scratch, { recursive: true, force: true });
    if (baselineCache) await rm(baselineCache, { recursive: true, force: true });
  };
  const onSignal = (): void => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`warming up: every client once on ${WARM_UP_HOSTS} hosts, untimed`);
    await warmUp(clients, fleet, scratch);
    for (const delay of delays) routes.set(delay, await DelayedRoute.start(delay));
    const results: ScenarioResult[] = [];
    for (const spec of specs) results.push(await runScenario(spec, clients, fleet, scratch, routes.get(spec.delayMs)));
    const machine = machineInfo(await treeMemoryMeasured(scratch));
    const durationS = (Date.now() - started) / 1000;
    const table = markdown(results, machine, durationS);
    await mkdir(flags.out, { recursive: true });
    await writeFile(join(flags.out, 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, durationS, flags, scenarios: results }, null, 2)}\n`);
    await writeFile(join(flags.out, 'latest.md'), `${table}\n`);
    process.stdout.write(`${table}\n`);
  } finally {
    await stop();
  }
}

if (insideNamespace() === undefined && canCreateNamespace()) {
  process.exitCode = await rerunInsideNamespace();
} else {
  await benchInside();
}
