import { spawn, spawnSync } from 'node:child_process';
import { insideNamespace } from './netns.js';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/** One client invocation, measured. */
export interface Measurement {
  /** When the client was spawned (epoch ms, sub-millisecond): /usr/bin/time, which starts it. */
  startedAt: number;
  /**
   * When the client's own process started (epoch ms), with `stampExec`: the moment before the sh that
   * joins the cgroup execs it, to compare with the delay proxy's accept times. time(1), that sh and the
   * cgroup join take ~20 ms here, which are the bench's, not the client's.
   */
  execAt?: number;
  wallMs: number;
  /** user + sys of the client and every descendant it waited for (wait4 rusage, via /usr/bin/time). */
  cpuMs: number;
  /** The system (kernel) part of cpuMs. */
  sysCpuMs: number;
  /** Peak memory of the whole process tree (cgroup peak), or the largest single process without cgroups. */
  peakRssBytes: number;
  /** Max RSS of the largest single process (/usr/bin/time): unlike a cgroup's peak, without the page cache a file copy fills. */
  maxRssBytes: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A memory cgroup hierarchy: where to make groups, and which file holds a group's peak. */
interface Hierarchy {
  base: string;
  peakFile: string;
  /** Mounted by us, so to unmount at the end. */
  mounted: boolean;
}

/**
 * The system's memory hierarchy, or, in the bench's own namespace (where `ip
 * netns exec` has mounted a fresh /sys without cgroups), the same v1/v2
 * hierarchy mounted at a private dir: that mount lives only in this process's
 * mount namespace and goes with it.
 */
async function memoryHierarchy(scratchDir: string): Promise<Hierarchy | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return { base: '/sys/fs/cgroup', peakFile: 'memory.peak', mounted: false };
  if (existsSync('/sys/fs/cgroup/memory/cgroup.procs')) return { base: '/sys/fs/cgroup/memory', peakFile: 'memory.max_usage_in_bytes', mounted: false };
  if (!insideNamespace()) return undefined;
  const mountPoint = join(scratchDir, 'memory-cgroup');
  await mkdir(mountPoint, { recursive: true });
  for (const [type, options, peakFile] of [
    ['cgroup', ['-o', 'memory'], 'memory.max_usage_in_bytes'],
    ['cgroup2', [], 'memory.peak'],
  ] as const) {
    if (spawnSync('mount', ['-t', type, ...options, type, mountPoint]).status === 0) return { base: mountPoint, peakFile, mounted: true };
  }
  return undefined;
}

let hierarchy: Promise<Hierarchy | undefined> | undefined;

/** Unmounts the hierarchy if the bench mounted it (before its scratch dir is removed). */
export async function releaseMemoryHierarchy(): Promise<void> {
  const found = await hierarchy;
  if (found?.mounted) spawnSync('umount', [found.base]);
}

/**
 * Peak memory of a process tree: cgroup v2 `memory.peak` or v1
 * `memory.max_usage_in_bytes`, the kernel's own high-water mark of everything
 * the tree's processes charged (anonymous memory, page tables, kernel stacks,
 * page cache they first touched): exact rather than sampled, shared pages
 * counted once, short-lived children included. Without cgroup access (not
 * root) the fallback is /usr/bin/time's max RSS, of the largest process only.
 */
class MemoryCgroup {
  private constructor(
    readonly dir: string,
    private readonly peakFile: string,
  ) {}

  static async create(name: string, scratchDir: string): Promise<MemoryCgroup | undefined> {
    hierarchy ??= memoryHierarchy(scratchDir);
    const found = await hierarchy;
    if (!found) return undefined;
    const dir = join(found.base, name);
    try {
      await mkdir(dir);
    } catch {
      return undefined;
    }
    return new MemoryCgroup(dir, join(dir, found.peakFile));
  }

  async peak(): Promise<number> {
    return Number((await readFile(this.peakFile, 'utf8')).trim());
  }

  async remove(): Promise<void> {
    await rmdir(this.dir).catch(() => undefined);
  }
}

export interface Invocation {
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** False: stdout goes to /dev/null (bulk output); true: it is kept, to count failures. */
  keepStdout: boolean;
  timeoutMs: number;
}

let runs = 0;

/**
 * Runs one client under /usr/bin/time, inside a fresh memory cgroup when
 * possible (a small sh joins it, then execs the client, so every descendant is
 * in it too).
 */
export async function measure(invocation: Invocation, scratchDir: string, options: { stampExec?: boolean } = {}): Promise<Measurement> {
  runs += 1;
  const cgroup = await MemoryCgroup.create(`sshpool-bench-${process.pid}-${runs}`, scratchDir);
  const timeFile = join(scratchDir, `time.${runs}`);
  const execFile = options.stampExec ? join(scratchDir, `exec.${runs}`) : undefined;
  const stdoutFile = invocation.keepStdout ? join(scratchDir, `stdout.${runs}`) : '/dev/null';
  const stderrFile = join(scratchDir, `stderr.${runs}`);
  const joinCgroup = cgroup ? `echo $$ > ${cgroup.dir}/cgroup.procs && ` : '';
  // date(1) is a process of its own, done before the exec: the stamp is ~1 ms early, never late.
  const stamp = execFile ? `date +%s%N > ${execFile} && ` : '';
  const script = `${joinCgroup}${stamp}exec "$@" > ${stdoutFile} 2> ${stderrFile}`;
  const args = ['-f', '%e %U %S %M', '-o', timeFile, 'sh', '-c', script, 'sh', invocation.file, ...invocation.args];
  try {
    const startedAt = performance.timeOrigin + performance.now();
    const started = process.hrtime.bigint();
    const exitCode = await new Promise<number>((resolve, reject) => {
      // Its own process group, so that a client still running at the timeout goes with time(1), not only time(1) itself.
      const child = spawn('/usr/bin/time', args, { stdio: 'ignore', env: invocation.env ?? process.env, detached: true });
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, invocation.timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const timeLine = (await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? '';
    const [, user, sys, maxRssKb] = timeLine.split(' ').map(Number);
    const [stdout, stderr] = await Promise.all([
      stdoutFile === '/dev/null' ? '' : readFile(stdoutFile, 'utf8'),
      readFile(stderrFile, 'utf8'),
    ]);
    const execAt = execFile ? Number((await readFile(execFile, 'utf8')).trim()) / 1e6 : undefined;
    return {
      startedAt,
      ...(execAt === undefined ? {} : { execAt }),
      wallMs,
      cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000,
      sysCpuMs: (sys ?? 0) * 1000,
      peakRssBytes: cgroup ? await cgroup.peak() : (maxRssKb ?? 0) * 1024,
      maxRssBytes: (maxRssKb ?? 0) * 1024,
      exitCode,
      stdout,
      stderr,
    };
  } finally {
    await cgroup?.remove();
    await Promise.all([timeFile, stderrFile, ...(execFile ? [execFile] : []), ...(stdoutFile === '/dev/null' ? [] : [stdoutFile])].map((f) => rm(f, { force: true })));
  }
}

/** Whether measurements include the whole tree's peak memory (true) or the largest process only. */
export async function treeMemoryMeasured(scratchDir: string): Promise<boolean> {
  const probe = await MemoryCgroup.create(`sshpool-bench-${process.pid}-probe`, scratchDir);
  await probe?.remove();
  return probe !== undefined;
}
