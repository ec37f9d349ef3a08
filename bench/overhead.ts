/**
 * What sshpool's own layer costs per host: in one process, over the same hosts
 * as `npm run bench`, the library's runCommand() against the most direct ssh2 +
 * p-queue loop that does the same work (connect, exec `true`, wait for the
 * channel to close, disconnect; host key not checked, key given to ssh2 as text).
 * Rounds alternate, so JIT warm-up and machine drift hit both alike; the
 * minimum CPU per host of each is printed. Run: npm run bench:overhead [-- --hosts 200 --rounds 5]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import PQueue from 'p-queue';
import ssh2 from 'ssh2';
import { runCommand } from '../src/index.js';
import { BenchFleet } from './fanout/bench-fleet.js';
import { canCreateNamespace, insideNamespace, rerunInsideNamespace } from './fanout/netns.js';

const FANOUT = 32;

const { values: flags } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
  },
});

interface Target {
  host: string;
  port: number;
}

function bareRun(target: Target, user: string, privateKey: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('error', reject);
    client.on('ready', () =>
      client.exec('true', (error, channel) => {
        if (error) return reject(error);
        channel.resume();
        channel.stderr.resume();
        channel.on('close', () => {
          client.end();
          resolve();
        });
        channel.end();
      }),
    );
    client.connect({ host: target.host, port: target.port, username: user, privateKey, hostVerifier: () => true });
  });
}

async function bare(targets: readonly Target[], user: string, privateKey: Buffer): Promise<void> {
  const queue = new PQueue({ concurrency: FANOUT });
  await Promise.all(targets.map((target) => queue.add(() => bareRun(target, user, privateKey))));
}

async function sshpool(names: readonly string[], sshConfigFile: string): Promise<void> {
  const results = await runCommand(names, 'true', { sshConfigFile, forks: FANOUT });
  const failed = results.find((result) => result.status !== 'ok');
  if (failed) throw new Error(`${failed.host}: ${failed.status} ${failed.error?.message ?? ''}`);
}

/** Process CPU (user + system) per host of one call, in ms. */
async function cpuPerHost(hostCount: number, work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / hostCount;
}

async function benchInside(): Promise<void> {
  const hostCount = Number(flags.hosts);
  const fleet = await BenchFleet.start(hostCount, insideNamespace() !== undefined);
  try {
    const privateKey = await readFile(fleet.userKeyPath);
    const targets = fleet.hosts.slice(0, hostCount).map((h) => ({ host: h.address, port: h.port }));
    const names = fleet.hosts.slice(0, hostCount).map((h) => h.name);
    const samples = { 'ssh2 + p-queue': [] as number[], 'sshpool runCommand': [] as number[] };
    for (let round = 1; round <= Number(flags.rounds); round++) {
      samples['ssh2 + p-queue'].push(await cpuPerHost(hostCount, () => bare(targets, fleet.user, privateKey)));
      samples['sshpool runCommand'].push(await cpuPerHost(hostCount, () => sshpool(names, fleet.sshConfigPath)));
      process.stderr.write(`round ${round}: ${Object.entries(samples).map(([name, ms]) => `${name} ${ms.at(-1)?.toFixed(2)}`).join(', ')} ms CPU/host\n`);
    }
    const [bareMin, poolMin] = Object.values(samples).map((ms) => Math.min(...ms)) as [number, number];
    process.stdout.write(
      `${hostCount} hosts, fanout ${FANOUT}, minimum of ${flags.rounds} alternating rounds, process CPU per host:\n` +
        `  ssh2 + p-queue      ${bareMin.toFixed(2)} ms\n  sshpool runCommand  ${poolMin.toFixed(2)} ms  (${(poolMin / bareMin).toFixed(2)}×)\n`,
    );
  } finally {
    await fleet.stop();
  }
}

if (insideNamespace() === undefined && canCreateNamespace()) {
  process.exitCode = await rerunInsideNamespace();
} else {
  await benchInside();
}
