import { spawnSync } from 'node:child_process';
import { cpus, release } from 'node:os';
import type { Measurement } from './measure.js';
import type { ResultsFileCheck } from './results-watch.js';

export interface ToolSummary {
  tool: string;
  runs: number;
  wallMsMin: number;
  wallMsMedian: number;
  cpuMsMedian: number;
  cpuMsPerHost: number;
  peakRssMbMax: number;
  /** The largest single process's max RSS (the client itself, for sshpool: what its heap and buffers hold). */
  maxRssMbMax: number;
  /** Median CPU sshd spent per host-command (every login's processes, reaped by the listener). */
  serverCpuMsPerHost: number;
  /** sshpool's --results file in its last run, when the bench was given --results. */
  resultsFile?: ResultsFileCheck;
  failures: number;
  /** Median time from the client's own start (its exec) to its first TCP connect (latency scenarios only). */
  firstConnectMsMedian?: number;
  /** Against the best peer (lowest median of each figure); null for a peer or without peers. */
  /** Each ratio is null where the best peer's figure is 0: below /usr/bin/time's 10 ms resolution for CPU. */
  vsBestPeer: { wall: number | null; cpu: number | null; rss: number | null } | null;
}

export interface ScenarioResult {
  name: string;
  /** Added each way by the delay proxy; 0: straight to sshd. */
  delayMs: number;
  hosts: number;
  fanout: number;
  commands: string[];
  tools: ToolSummary[];
}

export interface ToolRun {
  /** One measurement per invocation (several when a client runs each command separately). */
  parts: Measurement[];
  failures: number;
  /** CPU sshd spent on this run's logins. */
  serverCpuMs: number;
  /** From the client's own start (its exec) to its first TCP connect, where the delay proxy saw it. */
  firstConnectMs?: number;
  resultsFile?: ResultsFileCheck;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

export function summarize(tool: string, runs: readonly ToolRun[], hosts: number, commandsPerHost: number): ToolSummary {
  const walls = runs.map((run) => sum(run.parts.map((p) => p.wallMs)));
  const cpu = median(runs.map((run) => sum(run.parts.map((p) => p.cpuMs))));
  const firstConnects = runs.flatMap((run) => (run.firstConnectMs === undefined ? [] : [run.firstConnectMs]));
  const resultsFile = runs.findLast((run) => run.resultsFile !== undefined)?.resultsFile;
  return {
    ...(firstConnects.length > 0 ? { firstConnectMsMedian: median(firstConnects) } : {}),
    ...(resultsFile ? { resultsFile } : {}),
    tool,
    runs: runs.length,
    wallMsMin: Math.min(...walls),
    wallMsMedian: median(walls),
    cpuMsMedian: cpu,
    cpuMsPerHost: cpu / (hosts * commandsPerHost),
    peakRssMbMax: Math.max(...runs.flatMap((run) => run.parts.map((p) => p.peakRssBytes))) / 2 ** 20,
    maxRssMbMax: Math.max(...runs.flatMap((run) => run.parts.map((p) => p.maxRssBytes))) / 2 ** 20,
    serverCpuMsPerHost: median(runs.map((run) => run.serverCpuMs)) / (hosts * commandsPerHost),
    failures: Math.max(...runs.map((run) => run.failures)),
    vsBestPeer: null,
  };
}

/** sshpool itself, or a --baseline build of it (`sshpool (DIR)`): not a peer. */
function isSshpool(tool: string): boolean {
  return tool === 'sshpool' || tool.startsWith('sshpool (');
}

/** Ratios of sshpool's figures (and a baseline build's) to the best peer's (below 1: sshpool is better). */
export function compareToBestPeer(tools: ToolSummary[]): ToolSummary[] {
  const peers = tools.filter((t) => !isSshpool(t.tool));
  if (peers.length === 0) return tools;
  const against = (value: number, pick: (t: ToolSummary) => number) => {
    const best = Math.min(...peers.map(pick));
    return best > 0 ? value / best : null;
  };
  return tools.map((t) =>
    isSshpool(t.tool)
      ? {
          ...t,
          vsBestPeer: {
            wall: against(t.wallMsMedian, (p) => p.wallMsMedian),
            cpu: against(t.cpuMsMedian, (p) => p.cpuMsMedian),
            rss: against(t.peakRssMbMax, (p) => p.peakRssMbMax),
          },
        }
      : t,
  );
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  kernel: string;
  openssh: string;
  node: string;
  memoryMethod: string;
}

export function machineInfo(treeMemory: boolean): MachineInfo {
  // ssh -V prints its version on stderr.
  const openssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    openssh,
    node: process.version,
    memoryMethod: treeMemory ? 'cgroup peak of the whole process tree' : 'max RSS of the largest single process (/usr/bin/time; no cgroup access)',
  };
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);
const ratio = (value: number | null): string => (value === null ? '—' : `${value.toFixed(2)}×`);

export function markdown(scenarios: readonly ScenarioResult[], machine: MachineInfo, durationS: number): string {
  const lines = [
    `Machine: ${machine.nproc} cores, ${machine.cpuModel}, Linux ${machine.kernel}, ${machine.openssh}, Node ${machine.node}. Peak memory: ${machine.memoryMethod}. Whole bench: ${fixed(durationS)} s. A ratio shown as — is against a best peer whose figure is 0 (CPU: below /usr/bin/time's 10 ms resolution).`,
    '',
  ];
  for (const scenario of scenarios) {
    const delay = scenario.delayMs > 0 ? `, ${2 * scenario.delayMs} ms RTT through the delay proxy` : '';
    lines.push(`**${scenario.name}** (${scenario.hosts} host${scenario.hosts > 1 ? 's' : ''}, fanout ${scenario.fanout}, ${scenario.commands.length} command${scenario.commands.length > 1 ? 's' : ''} per host${delay})`, '');
    const connects = scenario.delayMs > 0;
    lines.push(`| tool | runs | wall min / median (s) | client CPU median (s) | CPU per host-command (ms) | sshd CPU per host-command (ms) | peak memory (MB) | client max RSS (MB) | failures |${connects ? ' first TCP connect (ms) |' : ''} sshpool ÷ best peer (wall / CPU / memory) |`);
    lines.push(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |${connects ? ' --- |' : ''} --- |`);
    for (const t of scenario.tools) {
      const vs = t.vsBestPeer ? `${ratio(t.vsBestPeer.wall)} / ${ratio(t.vsBestPeer.cpu)} / ${ratio(t.vsBestPeer.rss)}` : '';
      const connect = connects ? ` ${t.firstConnectMsMedian === undefined ? '' : fixed(t.firstConnectMsMedian)} |` : '';
      lines.push(
        `| ${t.tool} | ${t.runs} | ${fixed(t.wallMsMin / 1000, 2)} / ${fixed(t.wallMsMedian / 1000, 2)} | ${fixed(t.cpuMsMedian / 1000, 2)} | ${fixed(t.cpuMsPerHost, 2)} | ${fixed(t.serverCpuMsPerHost, 2)} | ${fixed(t.peakRssMbMax)} | ${fixed(t.maxRssMbMax)} | ${t.failures} |${connect} ${vs} |`,
      );
    }
    lines.push('');
    for (const t of scenario.tools.filter((tool) => tool.resultsFile)) {
      const r = t.resultsFile as ResultsFileCheck;
      lines.push(`${t.tool}'s --results file: ${r.records} records, complete: ${r.complete}, ${fixed(r.bytes / 2 ** 20, 1)} MB, renamed into place ${r.writes} times during the run, journal up to ${fixed(r.journalBytesMax / 2 ** 20, 1)} MB.`, '');
    }
  }
  return lines.join('\n');
}
