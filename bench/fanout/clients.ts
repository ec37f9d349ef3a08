import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** Where sshpool keeps its `--results` file; unset: none. */
  resultsFile?: string;
}

export interface Client {
  name: string;
  /** The program that must be installed. */
  executable: string;
  /** The Debian package that provides it, for the install hint. */
  debianPackage?: string;
  /** A command that succeeds when it is usable, beyond the executable being there (a Python module). */
  probe?: string[];
  /** It runs against one host at most (ssh itself): scenarios with more hosts leave it out. */
  maxHosts?: number;
  /** One invocation per command line for clients that cannot run several over one connection. */
  invocations(work: Workload): Invocation[];
  /** Hosts that did not succeed, as the client reports them. */
  failures(stdout: string, stderr: string): Set<string>;
}

const CONNECT_TIMEOUT_S = '30';

function matches(text: string, pattern: RegExp): Set<string> {
  return new Set([...text.matchAll(pattern)].map((match) => match[1] as string));
}

/**
 * sshpool as installed from the checkout at `root` (bin/sshpool); `name` is `sshpool` for this checkout,
 * another for a --baseline build, which is compared side by side and is nobody's peer.
 */
export function sshpoolClient(name: string, root: string, cacheHome?: string): Client {
  return {
    name,
    executable: join(root, 'bin/sshpool'),
    invocations: (work) => {
      // The `sshpool` command as installed, which starts the `node` on PATH: this one's first. Profiled, the
      // launcher it starts, run by node itself: --cpu-prof is not allowed in NODE_OPTIONS.
      const [file, prefix] = work.profileDir ? [process.execPath, ['--cpu-prof', '--cpu-prof-dir', work.profileDir, join(root, 'dist/sshpool.cjs')]] : [join(root, 'bin/sshpool'), []];
      return [
        {
          file,
          // A baseline keeps its code cache apart: one cache directory holds one bundle's caches.
          env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...(cacheHome ? { XDG_CACHE_HOME: cacheHome } : {}) },
          args: [
            ...prefix,
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
            ...(work.resultsFile ? ['--results', work.resultsFile] : []),
            ...work.commands.flatMap((command) => ['-c', command]),
          ],
          keepStdout: !work.bulkOutput,
          timeoutMs: work.timeoutMs,
        },
      ];
    },
    failures: (_stdout, stderr) => matches(stderr, /^(\S+): \[(?:failed|unreachable|timeout|skipped)\]/gm),
  };
}

/** This checkout, built (the bench runs from build/bench/fanout/). */
export const sshpool = sshpoolClient('sshpool', fileURLToPath(new URL('../../../', import.meta.url)));

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

/** Debian's python3-asyncssh is installed for the system's Python, whatever python3 comes first in PATH. */
const SYSTEM_PYTHON = '/usr/bin/python3';

/** An in-process peer: one asyncio process makes every SSH session, as sshpool does in Node. */
const asyncssh: Client = {
  name: 'asyncssh',
  executable: SYSTEM_PYTHON,
  debianPackage: 'python3-asyncssh',
  probe: [SYSTEM_PYTHON, '-c', 'import asyncssh'],
  invocations: (work) => [
    {
      file: SYSTEM_PYTHON,
      // The script sits beside this file's TypeScript source; build/ has only the compiled .js.
      args: [join(import.meta.dirname, '../../../bench/fanout/asyncssh-client.py'), work.hostsFile, work.sshConfig, String(work.fanout), ...work.commands],
      keepStdout: !work.bulkOutput,
      timeoutMs: work.timeoutMs,
    },
  ],
  failures: (_stdout, stderr) => matches(stderr, /^(\S+): \[failed\]/gm),
};

/** OpenSSH's own client, for the one-host scenarios: what an operator would otherwise type. */
const ssh: Client = {
  name: 'ssh',
  executable: 'ssh',
  debianPackage: 'openssh-client',
  maxHosts: 1,
  invocations: (work) =>
    work.commands.map((command) => ({
      file: 'ssh',
      args: ['-F', work.sshConfig, '-o', 'BatchMode=yes', readFileSync(work.hostsFile, 'utf8').trim(), command],
      keepStdout: !work.bulkOutput,
      timeoutMs: work.timeoutMs,
    })),
  failures: () => new Set(),
};

const PEERS = [ssh, asyncssh, pdsh, parallelSsh, clush];

function installed(peer: Client): boolean {
  if (spawnSync('sh', ['-c', `command -v ${peer.executable}`]).status !== 0) return false;
  return peer.probe === undefined || spawnSync(peer.probe[0] as string, peer.probe.slice(1)).status === 0;
}

/** sshpool, a --baseline build of it, and the peers found on this machine; prints how to install the missing ones. */
export function availableClients(log: (line: string) => void, baseline?: Client): Client[] {
  const missing = PEERS.filter((peer) => !installed(peer));
  if (missing.length > 0) {
    log(`not installed, so not compared: ${missing.map((peer) => peer.name).join(', ')}`);
    log(`  install with: apt-get install -y ${missing.map((peer) => peer.debianPackage).join(' ')}`);
  }
  return [sshpool, ...(baseline ? [baseline] : []), ...PEERS.filter((peer) => !missing.includes(peer))];
}
