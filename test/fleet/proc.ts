import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
  /** The session id (setsid): sshd makes each command the leader of its own session. */
  sid: number;
}

/** Synchronous on purpose: the process 'exit' handler can only run synchronous code. */
function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name sits in parentheses and may itself hold spaces or parentheses: parse after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0] ?? '', ppid: Number(fields[1]), sid: Number(fields[3]) };
}

function allStats(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== undefined);
}

/** The parent of `pid`; undefined once it is gone. */
export function parentPid(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/** Processes still running (zombies aside) in any of these sessions: what a command left behind. */
export function pidsInSessions(sessions: ReadonlySet<number>): number[] {
  return allStats()
    .filter((stat) => sessions.has(stat.sid) && stat.state !== 'Z')
    .map((stat) => stat.pid);
}

export function childPids(pid: number): number[] {
  return allStats()
    .filter((stat) => stat.ppid === pid)
    .map((stat) => stat.pid);
}

export function descendantPids(pid: number): number[] {
  const stats = allStats();
  const found: number[] = [];
  const queue = [pid];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const stat of stats) {
      if (stat.ppid === parent) {
        found.push(stat.pid);
        queue.push(stat.pid);
      }
    }
  }
  return found;
}

/** A zombie has finished running but waits to be reaped, so it does not count as running. */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The process's argv joined with spaces (sshd rewrites its own to say what a process does: "sshd: user@notty"). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}
