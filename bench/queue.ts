/**
 * The queue's overhead: N hosts (`true` on each) run locally, then through 1, 2
 * and 3 local `sshpool worker` processes and a real redis-server; controller CPU
 * per host, the workers' CPU per host, Redis' CPU per host, and memory.
 * Run: npm run bench:queue [-- --hosts 1000 | --big (10,000 hosts) --workers 1,2,3 --forks 128 --skip-local].
 * As root it makes its own network namespace (hosts 127.1.x.y, one sshd), as bench/fanout does.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BenchFleet } from './fanout/bench-fleet.js';
import { measure, releaseMemoryHierarchy } from './fanout/measure.js';
import type { Measurement } from './fanout/measure.js';
import { canCreateNamespace, insideNamespace, rerunInsideNamespace } from './fanout/netns.js';
import { RedisServer } from '../test/helpers/redis-server.js';

const CLI = fileURLToPath(new URL('../../dist/sshpool.cjs', import.meta.url));
/** Linux's clock ticks per second (USER_HZ), the unit of /proc/PID/stat's times. */
const TICKS_PER_SECOND = 100;

const { values: flags } = parseArgs({
  options: {
    hosts: { type: 'string' },
    big: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1,2,3' },
    forks: { type: 'string', default: '128' },
    'skip-local': { type: 'boolean', default: false },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** CPU ms (user + sys) a live process has used so far. */
async function cpuMsOf(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** A live process's peak resident memory (VmHWM), bytes. */
async function peakRssOf(pid: number): Promise<number> {
  const match = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Hosts without an ok record; the first lines of stderr are said when there are any. */
function failures(measurement: Measurement, hosts: number): number {
  let failed = hosts;
  try {
    const records = JSON.parse(measurement.stdout) as { status: string }[];
    failed = hosts - records.filter((record) => record.status === 'ok').length;
  } catch {
    // No records: every host counts as failed.
  }
  if (failed > 0) log(`exit ${measurement.exitCode}: ${measurement.stderr.split('\n').slice(0, 5).join('\n')} ${measurement.stdout.slice(0, 300)}`);
  return failed;
}

interface Row {
  setup: string;
  wallS: number;
  controllerMsPerHost: number;
  workersMsPerHost: number | undefined;
  redisMsPerHost: number | undefined;
  controllerPeakMb: number;
  workerPeakMb: number | undefined;
  failed: number;
}

async function startWorkers(count: number, redisUrl: string, sshConfig: string, forks: number): Promise<ChildProcess[]> {
  const workers = Array.from({ length: count }, () =>
    spawn(process.execPath, [CLI, 'worker', '--redis', redisUrl, '-F', sshConfig, '--no-agent', '-f', String(forks), '--connect-timeout', '30'], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          let text = '';
          worker.stderr?.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (/taking .* from/.test(text)) resolve();
          });
          worker.once('exit', () => reject(new Error(`a worker exited at start: ${text}`)));
        }),
    ),
  );
  return workers;
}

async function stopWorkers(workers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((worker) => new Promise((resolve) => (worker.exitCode !== null ? resolve(undefined) : (worker.once('exit', resolve), worker.kill('SIGTERM'))))));
}

async function main(): Promise<void> {
  const hosts = Number(flags.hosts ?? (flags.big ? 10_000 : 1000));
  const forks = Number(flags.forks);
  const inNamespace = insideNamespace() !== undefined;
  const scratch = await mkdtemp(join(tmpdir(), 'sshpool-bench-queue-'));
  log(`bench:queue: ${hosts} hosts, forks ${forks}, ${inNamespace ? 'in its own network namespace' : 'sshd processes on loopback ports'}`);
  const fleet = await BenchFleet.start(hosts, inNamespace);
  const redis = await RedisServer.start();
  const rows: Row[] = [];
  try {
    const inventory = await fleet.inventory(hosts);
    const runArgs = (hostsFile: string) => ['run', '-i', hostsFile, '-f', String(forks), '-o', 'json', '-q'];
    // The connect timeout is each worker's own: with --redis the controller refuses it.
    const localArgs = [...runArgs(inventory), '-F', fleet.sshConfigPath, '--connect-timeout', '30', '--', 'true'];
    // Untimed: the page cache, sshd's first forks (a part of the hosts does that as well as all of them).
    const warmUpHosts = Math.min(hosts, 1000);
    await measure({ file: process.execPath, args: [CLI, ...runArgs(await fleet.inventory(warmUpHosts)), '-F', fleet.sshConfigPath, '--', 'true'], keepStdout: true, timeoutMs: 600_000 }, scratch);
    if (!flags['skip-local']) {
      const local = await measure({ file: process.execPath, args: [CLI, ...localArgs], keepStdout: true, timeoutMs: 600_000 }, scratch);
      rows.push({ setup: 'local run', wallS: local.wallMs / 1000, controllerMsPerHost: local.cpuMs / hosts, workersMsPerHost: undefined, redisMsPerHost: undefined, controllerPeakMb: local.peakRssBytes / 2 ** 20, workerPeakMb: undefined, failed: failures(local, hosts) });
      log(JSON.stringify(rows.at(-1)));
    }
    for (const count of flags.workers.split(',').map(Number)) {
      const workers = await startWorkers(count, redis.url, fleet.sshConfigPath, forks);
      try {
        const redisPid = redis.pid!;
        const before = await Promise.all([...workers.map((worker) => cpuMsOf(worker.pid!)), cpuMsOf(redisPid)]);
        const run = await measure({ file: process.execPath, args: [CLI, ...runArgs(inventory), '--redis', redis.url, '--', 'true'], keepStdout: true, timeoutMs: 600_000 }, scratch);
        const after = await Promise.all([...workers.map((worker) => cpuMsOf(worker.pid!)), cpuMsOf(redisPid)]);
        const used = after.map((value, index) => value - before[index]!);
        const redisMs = used.pop()!;
        const workerPeaks = await Promise.all(workers.map((worker) => peakRssOf(worker.pid!)));
        rows.push({
          setup: `${count} worker${count > 1 ? 's' : ''}`,
          wallS: run.wallMs / 1000,
          controllerMsPerHost: run.cpuMs / hosts,
          workersMsPerHost: used.reduce((sum, value) => sum + value, 0) / hosts,
          redisMsPerHost: redisMs / hosts,
          controllerPeakMb: run.peakRssBytes / 2 ** 20,
          workerPeakMb: Math.max(...workerPeaks) / 2 ** 20,
          failed: failures(run, hosts),
        });
        log(JSON.stringify(rows.at(-1)));
      } finally {
        await stopWorkers(workers);
      }
    }
  } finally {
    await redis.stop();
    await fleet.stop();
    await releaseMemoryHierarchy();
    await rm(scratch, { recursive: true, force: true });
  }
  const cell = (value: number | undefined, digits = 1): string => (value === undefined ? '-' : value.toFixed(digits));
  process.stdout.write('| setup | wall (s) | controller CPU per host (ms) | workers CPU per host (ms) | Redis CPU per host (ms) | controller peak (MB) | largest worker peak RSS (MB) | not ok |\n|---|---|---|---|---|---|---|---|\n');
  for (const row of rows) {
    process.stdout.write(`| ${row.setup} | ${cell(row.wallS)} | ${cell(row.controllerMsPerHost, 2)} | ${cell(row.workersMsPerHost, 2)} | ${cell(row.redisMsPerHost, 2)} | ${cell(row.controllerPeakMb, 0)} | ${cell(row.workerPeakMb, 0)} | ${row.failed} |\n`);
  }
  // A host not ok makes the row's figures those of a failure: the run says so in its status.
  if (rows.some((row) => row.failed > 0)) process.exitCode = 1;
}

if (canCreateNamespace() && !insideNamespace()) process.exitCode = await rerunInsideNamespace();
else await main();
