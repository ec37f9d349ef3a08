import { spawnSync } from 'node:child_process';
import type { Invocation } from './measure.js';

/** What every client is asked to do in one measurement. */
export interface Workload {
  hostsFile: string;
  inventory: string;
  hostCount: number;
  fanout: number;
  commands: string[];
  sshConfig: string;
  user: string;
  /** Bulk output goes to /dev/null; otherwise stdout is kept to count failures. */
  bulkOutput: boolean;
  timeoutMs: number;
  /** Where sshpool writes a V8 CPU profile per run (node --cpu-prof); unset: no profiling. */
  profileDir?: string;
}

export interface Client {
  name: string;
  /** The program that must be installed. */
  executable: string;
  /** The Debian package that provides it, for the install hint. */
  debianPackage?: string;
  /** One invocation per command line for clients that cannot run several over one connection. */
  invocations(work: Workload): Invocation[];
  /** Hosts that did not succeed, as the client reports them. */
  failures(stdout: string, stderr: string): Set<string>;
}

const CONNECT_TIMEOUT_S = '30';

function matches(text: string, pattern: RegExp): Set<string> {
  return new Set([...text.matchAll(pattern)].map((match) => match[1] as string));
}


export const sshpool: Client = {
  name: 'sshpool',
  executable: process.execPath,
  invocations: (work) => [
    {
      file: process.execPath,
      args: [
        ...(work.profileDir ? ['--cpu-prof', '--cpu-prof-dir', work.profileDir] : []),
        'dist/sshpool.mjs',
        'run',
        '-F',
        work.sshConfig,
        '-i',
        work.inventory,
        '-f',
        String(work.fanout),
        '--connect-timeout',
        CONNECT_TIMEOUT_S,
        // Like pdsh and clush, keep nothing per host when the output is only streamed away.
        ...(work.bulkOutput ? ['--max-output', '0'] : []),
        ...work.commands.flatMap((command) => ['-c', command]),
      ],
      keepStdout: !work.bulkOutput,
      timeoutMs: work.timeoutMs,
    },
  ],
  failures: (_stdout, stderr) => matches(stderr, /^(\S+): \[(?:failed|unreachable|timeout|skipped)\]/gm),
};

const pdsh: Client = {
  name: 'pdsh',
  executable: 'pdsh',
  debianPackage: 'pdsh',
  invocations: (work) =>
    work.commands.map((command) => ({
      file: 'pdsh',
      args: ['-R', 'ssh', '-f', String(work.fanout), '-t', CONNECT_TIMEOUT_S, '-l', work.user, '-w', `^${work.hostsFile}`, command],
      env: { ...process.env, PDSH_SSH_ARGS_APPEND: `-F ${work.sshConfig}` },
      keepStdout: !work.bulkOutput,
      timeoutMs: work.timeoutMs,
    })),
  failures: (_stdout, stderr) => matches(stderr, /^pdsh@[^:]*: (\S+): /gm),
};

const parallelSsh: Client = {
  name: 'parallel-ssh',
  executable: 'parallel-ssh',
  debianPackage: 'pssh',
  invocations: (work) =>
    work.commands.map((command) => ({
      file: 'parallel-ssh',
      args: ['-h', work.hostsFile, '-p', String(work.fanout), '-t', '0', '-l', work.user, '-x', `-F ${work.sshConfig}`, command],
      // parallel-ssh prints one status line per host and drops the command's output (no -i).
      keepStdout: true,
      timeoutMs: work.timeoutMs,
    })),
  failures: (stdout) => matches(stdout, /\[FAILURE\] (\S+)/g),
};

const clush: Client = {
  name: 'clush',
  executable: 'clush',
  debianPackage: 'clustershell',
  invocations: (work) =>
    work.commands.map((command) => ({
      file: 'clush',
      args: ['--hostfile', work.hostsFile, '-f', String(work.fanout), '-t', CONNECT_TIMEOUT_S, '-l', work.user, '-o', `-F ${work.sshConfig}`, command],
      keepStdout: !work.bulkOutput,
      timeoutMs: work.timeoutMs,
    })),
  failures: (_stdout, stderr) => matches(stderr, /^clush: (\S+?): /gm),
};

const PEERS = [pdsh, parallelSsh, clush];

function installed(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** sshpool and the peers found on this machine; prints how to install the missing ones. */
export function availableClients(log: (line: string) => void): Client[] {
  const missing = PEERS.filter((peer) => !installed(peer.executable));
  if (missing.length > 0) {
    log(`not installed, so not compared: ${missing.map((peer) => peer.name).join(', ')}`);
    log(`  install with: apt-get install -y ${missing.map((peer) => peer.debianPackage).join(' ')}`);
  }
  return [sshpool, ...PEERS.filter((peer) => !missing.includes(peer))];
}
