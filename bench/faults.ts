/**
 * The fault suite at scale: 1000 hosts, 10 % of them each kind of bad, one run of
 * the real binary (dist/sshpool.cjs), then checks of what it did; exits 1 when any
 * check fails. Run: npm run bench:faults [-- --hosts N --connect-timeout C --timeout T --margin M --jump-startups J].
 * Needs root: it runs itself inside a network namespace of its own (hosts 127.x.y.z,
 * one sshd on :22, iptables dropping the silent port and the dead targets).
 * See README "Scheduling policies".
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchFleet } from './fanout/bench-fleet.js';
import { canCreateNamespace, insideNamespace, rerunInsideNamespace } from './fanout/netns.js';
import { machineInfo } from './fanout/report.js';
import { checkLeftovers, checkRecords, checkResultsFile, expectedExitCode, parseNdjson } from './faults/checks.js';
import type { Check, KindRow } from './faults/checks.js';
import { DEAD_NETWORK, EXPECTED, FAULT_COMMAND, SILENT_PORT, faultHosts, writeFaultFiles } from './faults/fault-hosts.js';
import { SessionKiller } from './faults/session-killer.js';

const { values: flags } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    'connect-timeout': { type: 'string', default: '30' },
    timeout: { type: 'string', default: '10' },
    margin: { type: 'string', default: '5' },
    /** Default: the host count (see README: at sshpool's default of 8, the dead targets take turns). */
    'jump-startups': { type: 'string' },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function numberFlag(name: keyof typeof flags): number {
  const value = Number(flags[name]);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, not ${JSON.stringify(flags[name])}`);
  return value;
}

/** The silent port and the dead network drop every packet: a SYN there is never answered. */
function dropSilentTraffic(): void {
  const rules = [
    ['-A', 'INPUT', '-p', 'tcp', '--dport', String(SILENT_PORT), '-j', 'DROP'],
    ['-A', 'INPUT', '-d', DEAD_NETWORK, '-j', 'DROP'],
  ];
  const tool = ['iptables', 'iptables-legacy'].find((name) => spawnSync(name, ['-L', '-n']).status === 0);
  if (!tool) throw new Error('neither iptables nor iptables-legacy works in the namespace');
  for (const rule of rules) {
    const result = spawnSync(tool, rule, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${tool} ${rule.join(' ')} failed: ${result.stderr.trim()}`);
  }
}

interface RunOutcome {
  exitCode: number;
  wallMs: number;
  stdout: string;
  stderr: string;
}

function runSshpool(args: readonly string[], home: string, started: (child: ChildProcess) => void): Promise<RunOutcome> {
  // No agent, no user's ~/.ssh: the keys are the inventory's alone, on any machine.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true' };
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['dist/sshpool.cjs', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ exitCode: code ?? (signal ? 128 : 1), wallMs: performance.now() - startedAt, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }),
    );
  });
}

function table(rows: readonly KindRow[]): string {
  const lines = ['| kind | expected status / code | hosts | matching |', '|---|---|---|---|'];
  for (const row of rows) {
    const expected = EXPECTED[row.kind];
    lines.push(`| ${row.kind} | ${expected.status} / ${expected.code ?? '-'} | ${row.hosts} | ${row.matching} |`);
  }
  return lines.join('\n');
}

async function faultsInside(): Promise<number> {
  const connectS = numberFlag('connect-timeout');
  const timeoutS = numberFlag('timeout');
  const marginS = numberFlag('margin');
  const hosts = faultHosts(numberFlag('hosts'));
  dropSilentTraffic();
  log(`starting sshd for ${hosts.length} hosts in network namespace ${insideNamespace()}`);
  const fleet = await BenchFleet.start(0, true);
  const scratch = await mkdtemp(join(tmpdir(), 'sshpool-faults-'));
  const pidDir = join(scratch, 'pids');
  await mkdir(pidDir);
  // The commands run as the fleet's login user and write their pids here.
  await chmod(scratch, 0o755);
  await chmod(pidDir, 0o1777);
  const killer = new SessionKiller(pidDir, hosts.filter((h) => h.kind === 'sshd killed mid-command').map((h) => h.name));
  let child: ChildProcess | undefined;
  let interrupted = false;
  const stop = async (): Promise<void> => {
    killer.stop();
    child?.kill('SIGKILL');
    await fleet.stop();
    await rm(scratch, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    interrupted = true;
    log('interrupted: stopping sshpool and sshd, removing the namespace; no checks');
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const files = await writeFaultFiles(fleet, hosts, pidDir);
    const resultsPath = join(scratch, 'results.json');
    const args = [
      'run', '-F', files.sshConfigPath, '-i', files.inventoryPath, '-f', String(hosts.length),
      '--connect-timeout', String(connectS), '-t', String(timeoutS),
      // The default (8 per address behind a jump) unless asked: dead targets must not take the live ones' turns.
      ...(flags['jump-startups'] === undefined ? [] : ['--jump-startups', String(numberFlag('jump-startups'))]),
      '--results', resultsPath, '-o', 'ndjson', '--vars', '--', FAULT_COMMAND,
    ];
    log(`sshpool ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
    const outcome = await runSshpool(args, scratch, (started) => (child = started));
    killer.stop();
    if (interrupted) return 130;
    const boundS = connectS + timeoutS + marginS;
    const printed = parseNdjson(outcome.stdout);
    const records = checkRecords(printed.records, hosts);
    const wantExit = expectedExitCode(hosts);
    const checks: Check[] = [
      { name: `ended within connect-timeout + timeout + margin = ${connectS} + ${timeoutS} + ${marginS} s`, passed: outcome.wallMs <= boundS * 1000, detail: `${(outcome.wallMs / 1000).toFixed(1)} s` },
      { name: 'stdout is ndjson only', passed: printed.problems.length === 0, detail: printed.problems.slice(0, 3).join('; ') },
      records.check,
      checkResultsFile(resultsPath, printed.records, hosts),
      { name: `exit code ${wantExit} (pssh: lowest of 3/4/5 called for)`, passed: outcome.exitCode === wantExit, detail: `exit code ${outcome.exitCode}` },
      { name: 'every sshd-killed host had its sshd killed mid-command', passed: killer.killed.size === hosts.filter((h) => h.kind === 'sshd killed mid-command').length, detail: `${killer.killed.size} killed` },
      await checkLeftovers(pidDir, hosts),
    ];
    const machine = machineInfo(false);
    const report = [
      `Machine: ${machine.nproc} × ${machine.cpuModel}, Linux ${machine.kernel}, ${machine.openssh}, Node ${machine.node}`,
      `${hosts.length} hosts, fanout ${hosts.length}, --connect-timeout ${connectS} -t ${timeoutS}: ${(outcome.wallMs / 1000).toFixed(1)} s wall, exit code ${outcome.exitCode}`,
      '',
      table(records.rows),
      '',
      ...checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`),
    ].join('\n');
    process.stdout.write(`${report}\n`);
    const failed = checks.filter((c) => !c.passed).length;
    if (failed > 0) log(`${failed} checks failed; sshpool's stderr ended with:\n${outcome.stderr.slice(-1500)}`);
    return failed === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
}

if (insideNamespace() !== undefined) {
  process.exitCode = await faultsInside();
} else if (canCreateNamespace()) {
  process.exitCode = await rerunInsideNamespace();
} else {
  log('bench:faults needs root and `ip netns`: it drops packets with iptables in a network namespace of its own');
  process.exitCode = 1;
}
