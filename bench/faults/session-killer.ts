import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commandLine, parentPid } from '../../test/fleet/proc.js';

/** How long a command runs before its sshd is killed: long enough to be mid-command (it has written output). */
const RUNNING_FOR_MS = 1500;
const POLL_MS = 200;

/**
 * Kills the sshd processes serving these hosts' sessions once their command has
 * run a while (SIGKILL to `sshd: user@notty` and its `sshd: user [priv]`, never the
 * listening sshd), as an OOM kill or a crash would: the client sees the
 * connection drop in the middle of the command.
 */
export class SessionKiller {
  private readonly pending: Set<string>;
  private readonly seenAt = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;
  /** Hosts whose sshd was killed. */
  readonly killed = new Set<string>();

  constructor(private readonly pidDir: string, hosts: readonly string[]) {
    this.pending = new Set(hosts);
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const host of this.pending) {
        const pid = Number((await readFile(join(this.pidDir, host), 'utf8').catch(() => '')).trim());
        // The file may be seen before the shell's write has reached it.
        if (!(pid > 0)) continue;
        const seen = this.seenAt.get(host) ?? Date.now();
        this.seenAt.set(host, seen);
        if (Date.now() - seen < RUNNING_FOR_MS) continue;
        this.pending.delete(host);
        if (killSessionSshd(pid)) this.killed.add(host);
      }
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function killSessionSshd(commandPid: number): boolean {
  const session = parentPid(commandPid);
  const monitor = session === undefined ? undefined : parentPid(session);
  if (session === undefined || monitor === undefined) return false;
  if (!commandLine(session).includes('@notty') || !commandLine(monitor).includes('[priv]')) return false;
  for (const pid of [monitor, session]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return false;
    }
  }
  return true;
}
