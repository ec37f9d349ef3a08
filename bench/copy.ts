/**
 * `sshpool copy` against scp and sftp (one host) and parallel-scp (pssh) and
 * clush --copy (many hosts): the same file, the same hosts, the same fanout,
 * repetitions interleaved after an untimed warm-up. As root the hosts' file
 * directories are on a tmpfs of the bench's own, so the disk does not decide.
 * sshpool negotiates aes128-gcm@openssh.com (ssh2's first cipher on a CPU with
 * AES instructions) and OpenSSH's scp and sftp chacha20-poly1305@openssh.com
 * (theirs): the one-host scenario also runs scp and sftp with `-c
 * aes128-gcm@openssh.com`, like with like. `--baseline DIR` adds another
 * checkout's build (its bin/sshpool, with its node_modules' ssh2),
 * interleaved with this one, to compare two builds in one run.
 * Run: npm run bench:copy [-- --mib 200 --hosts 20 --reps 3 --baseline ../main --out bench/results].
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, open, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Fleet } from '../test/fleet/index.js';
import { measure } from './fanout/measure.js';
import type { Invocation, Measurement } from './fanout/measure.js';
import { machineInfo } from './fanout/report.js';

const { values: flags } = parseArgs({
  options: {
    mib: { type: 'string', default: '200' },
    hosts: { type: 'string', default: '20' },
    reps: { type: 'string', default: '3' },
    out: { type: 'string' },
    baseline: { type: 'string' },
  },
});

interface Tool {
  name: string;
  /** Absent when the tool is not installed. */
  invocation: (fleet: Fleet, file: string, hosts: readonly string[]) => Invocation;
  executable: string;
}

const timeoutMs = 600_000;
/** A checkout's `sshpool` command (bin/sshpool, which starts the `node` on PATH: this one's first), or before there was one its dist/sshpool.cjs. */
const sshpoolBuild = (name: string, checkout: string): Tool => {
  const bin = resolve(checkout, 'bin', 'sshpool');
  const [executable, prefix] = existsSync(bin) ? [bin, []] : [process.execPath, [resolve(checkout, 'dist', 'sshpool.cjs')]];
  return {
    name,
    executable,
    invocation: (fleet, file, hosts) => ({
      file: executable,
      args: [...prefix, 'copy', '-i', fleet.inventoryPath, '-l', hosts.join(':'), '-f', String(hosts.length), '-q', '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', file, 'copied.bin'],
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, SSH_AUTH_SOCK: '' },
      keepStdout: true,
      timeoutMs,
    }),
  };
};
/** This checkout, built (bench/ runs from build/bench/). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sshpool = sshpoolBuild('sshpool copy', ROOT);
const baseline = flags.baseline === undefined ? [] : [sshpoolBuild(`sshpool copy (${flags.baseline})`, flags.baseline)];
/** The cipher sshpool negotiates, for scp and sftp rows that compare like with like. */
const SSHPOOL_CIPHER = 'aes128-gcm@openssh.com';
const scpWith = (name: string, cipher: string[]): Tool => ({
  name,
  executable: 'scp',
  invocation: (fleet, file, hosts) => ({ file: 'scp', args: ['-q', ...cipher, '-F', fleet.sshConfigPath, '-o', 'BatchMode=yes', file, `${hosts[0]}:copied.bin`], keepStdout: true, timeoutMs }),
});
const sftpWith = (name: string, cipher: string[]): Tool => ({
  name,
  executable: 'sftp',
  invocation: (fleet, file, hosts) => ({ file: 'sh', args: ['-c', `f=$1 config=$2 host=$3; shift 3; printf 'put %s copied.bin\\n' "$f" | sftp -q "$@" -F "$config" -o BatchMode=yes -b - "$host"`, 'sh', file, fleet.sshConfigPath, hosts[0]!, ...cipher], keepStdout: true, timeoutMs }),
});
const scp = scpWith('scp', []);
const sftp = sftpWith('sftp', []);
const scpGcm = scpWith(`scp -c ${SSHPOOL_CIPHER}`, ['-c', SSHPOOL_CIPHER]);
const sftpGcm = sftpWith(`sftp -c ${SSHPOOL_CIPHER}`, ['-c', SSHPOOL_CIPHER]);
const parallelScp: Tool = {
  name: 'parallel-scp',
  executable: 'parallel-scp',
  invocation: (fleet, file, hosts) => ({
    file: 'parallel-scp',
    args: ['-p', String(hosts.length), '-t', '0', '-x', `-F ${fleet.sshConfigPath} -o BatchMode=yes`, ...hosts.flatMap((host) => ['-H', host]), file, 'copied.bin'],
    keepStdout: true,
    timeoutMs,
  }),
};
const clush: Tool = {
  name: 'clush --copy',
  executable: 'clush',
  invocation: (fleet, file, hosts) => ({
    file: 'clush',
    args: ['-f', String(hosts.length), '-o', `-F ${fleet.sshConfigPath} -o BatchMode=yes`, '-w', hosts.join(','), '--copy', file, '--dest', 'copied.bin'],
    keepStdout: true,
    timeoutMs,
  }),
};

function installed(executable: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', executable]).status === 0;
}

async function randomFile(file: string, mib: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < mib; written++) await handle.write(randomBytes(1024 * 1024));
  } finally {
    await handle.close();
  }
}

interface Row {
  scenario: string;
  tool: string;
  wallS: number[];
  cpuS: number[];
  maxRssMb: number[];
  failures: number;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function scenario(name: string, tools: readonly Tool[], fleet: Fleet, file: string, hosts: readonly string[], reps: number, scratch: string): Promise<Row[]> {
  const present = tools.filter((tool) => installed(tool.executable));
  const rows = present.map((tool) => ({ scenario: name, tool: tool.name, wallS: [] as number[], cpuS: [] as number[], maxRssMb: [] as number[], failures: 0 }));
  // Every tool writes a new file (none overwrites the last one's, in place or beside it).
  const once = async (tool: Tool): Promise<Measurement> => {
    await Promise.all(fleet.hosts.map((host) => rm(join(host.filesDir!, 'copied.bin'), { force: true })));
    return measure(tool.invocation(fleet, file, hosts), scratch);
  };
  for (const tool of present) await once(tool); // warm-up: page cache, JIT, sshd
  for (let rep = 0; rep < reps; rep++) {
    for (const [index, tool] of present.entries()) {
      const result = await once(tool);
      const row = rows[index]!;
      if (result.exitCode !== 0) {
        row.failures += 1;
        process.stderr.write(`${tool.name} exited ${result.exitCode}: ${result.stderr.slice(0, 500)}\n`);
      }
      process.stderr.write(`${name}: ${tool.name}: ${(result.wallMs / 1000).toFixed(2)} s, max RSS ${(result.maxRssBytes / 1e6).toFixed(0)} MB\n`);
      row.wallS.push(result.wallMs / 1000);
      row.cpuS.push(result.cpuMs / 1000);
      row.maxRssMb.push(result.maxRssBytes / 1e6);
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const mib = Number(flags.mib);
  const hostCount = Number(flags.hosts);
  const reps = Number(flags.reps);
  const loadAtStart = loadavg()[0]!;
  const scratch = await mkdtemp(join(tmpdir(), 'sshpool-bench-copy-'));
  // sshd reads authorized_keys as the login user: the way down to the fleet must be open to others.
  await chmod(scratch, 0o755);
  const fleetDir = join(scratch, 'fleet');
  await mkdir(fleetDir);
  // The hosts' copies live in memory: what is measured is the tools, not the disk.
  const onTmpfs = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil((mib * (hostCount + 2)) / 1024) + 2}g`, 'tmpfs', fleetDir]).status === 0;
  let fleet: Fleet | undefined;
  try {
    fleet = await Fleet.start({ hosts: hostCount, fileDirs: true, dir: fleetDir });
    const file = join(scratch, 'payload.bin');
    await randomFile(file, mib);
    const names = fleet.hosts.map((host) => host.name);
    const rows = [
      ...(await scenario(`${mib} MiB to 1 host`, [sshpool, ...baseline, scp, sftp, scpGcm, sftpGcm], fleet, file, names.slice(0, 1), reps, scratch)),
      ...(await scenario(`${mib} MiB to ${hostCount} hosts, fanout ${hostCount}`, [sshpool, ...baseline, parallelScp, clush], fleet, file, names, Math.max(1, Math.ceil(reps / 2)), scratch)),
    ];
    const machine = machineInfo(false);
    const load = `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`;
    const lines = [
      `Machine: ${machine.nproc} cores, ${machine.cpuModel}, Linux ${machine.kernel}, ${machine.openssh}, Node ${machine.node}; sshd on the same machine (loopback), hosts' files on ${onTmpfs ? 'tmpfs' : 'the disk'}; ${load}. Memory: max RSS of the largest process of the tool's tree (/usr/bin/time).`,
      '',
      '| scenario | tool | runs | wall median (s) | wall min (s) | MiB/s (all hosts, median) | client CPU median (s) | max RSS median (MB) | failures |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((row) => {
        const hosts = row.scenario.includes('to 1 host') ? 1 : hostCount;
        const wall = median(row.wallS);
        return `| ${row.scenario} | ${row.tool} | ${row.wallS.length} | ${wall.toFixed(2)} | ${Math.min(...row.wallS).toFixed(2)} | ${((mib * hosts) / wall).toFixed(0)} | ${median(row.cpuS).toFixed(2)} | ${median(row.maxRssMb).toFixed(0)} | ${row.failures} |`;
      }),
    ];
    const text = `${lines.join('\n')}\n`;
    process.stdout.write(text);
    if (flags.out) {
      await mkdir(resolve(flags.out), { recursive: true });
      await writeFile(join(resolve(flags.out), 'copy.md'), text);
    }
  } finally {
    await fleet?.stop();
    if (onTmpfs) spawnSync('umount', [fleetDir]);
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
