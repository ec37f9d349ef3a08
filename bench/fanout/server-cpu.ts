import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks (100 on every Linux that matters). */
const TICKS_PER_SECOND = 100;

/**
 * The CPU sshd spent: its listener's own time plus that of every session
 * process it has reaped (`cutime`/`cstime` in /proc/PID/stat). Each login's
 * sshd processes are the listener's descendants, and the listener (PID 1 of its
 * namespace) reaps them all, so the difference between two readings is what
 * the logins in between cost the server, once their processes have exited.
 */
export async function reapedCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5) (utime stime cutime cstime) are 11-14 after the name.
  const ticks = [11, 12, 13, 14].reduce((total, index) => total + Number(fields[index]), 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** The listener's live children (sessions still closing). */
export async function childCount(pid: number): Promise<number> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return children.trim() === '' ? 0 : children.trim().split(' ').length;
}
