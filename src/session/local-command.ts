import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SshpoolError } from '../errors.js';
import { CommandWatch } from '../ssh/remote-command.js';
import type { RemoteCommandOptions, RemoteCommandOutcome } from '../ssh/remote-command.js';

/** Ansible's local connection runs commands through its default executable. */
const SHELL = '/bin/sh';

/** Process groups of the local commands still running: being their own groups, they would outlive a program that exits mid-run. */
const runningGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Runs one command on this machine, as Ansible's local connection does:
 * `/bin/sh -c COMMAND` as the user running sshpool, in its working directory
 * and environment (with `env` added: no server here to refuse it). The rest
 * is as for an SSH host: stdin given or at EOF from the start, output
 * collected and capped, exit code or signal recorded, killed on timeout or
 * abort. There is no terminal to ask for: `pty` is refused in a warning. The shell leads its own process group, so a kill reaches
 * everything it started (as OpenSSH signals the session's process group), and
 * a Ctrl-C on the terminal goes to sshpool, which then kills and records the
 * command, rather than to the command directly.
 */
export function runLocalCommand(label: string, command: string, options: RemoteCommandOptions): Promise<RemoteCommandOutcome> {
  return new Promise<RemoteCommandOutcome>((resolve) => {
    let child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
    const watch = new CommandWatch(label, options, () => killGroup(child?.pid), (outcome) => {
      if (child?.pid !== undefined) runningGroups.delete(child.pid);
      // Whatever left the group (setsid) may still hold the pipes after the grace period.
      child?.stdout.destroy();
      child?.stderr.destroy();
      resolve(outcome);
    });
    // Node throws some spawn failures (E2BIG) and emits others (EAGAIN, EMFILE) as 'error'.
    const cannotStart = (error: Error): void => watch.fail(new SshpoolError('CHANNEL_FAILED', `${label}: cannot start ${SHELL}: ${error.message}`, { cause: error }));
    try {
      const env = options.env ? { ...process.env, ...options.env } : process.env;
      child = spawn(SHELL, ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
    } catch (error) {
      cannotStart(error as Error);
      return;
    }
    trackGroup(child.pid);
    if (options.pty) watch.outcome.warnings.push('no terminal for a local command: --pty applies to SSH hosts only');
    // A command that exits without reading its stdin closes the pipe: that is no error of sshpool's.
    child.stdin.on('error', () => undefined);
    const stdin = child.stdin;
    child.stdout.on('data', watch.collect('stdout'));
    child.stderr.on('data', watch.collect('stderr'));
    child.on('error', cannotStart);
    // 'close' comes once the output pipes are closed too, as an SSH channel's close does.
    child.on('close', (code, signalName) => {
      watch.exited(code, signalName);
      watch.finish();
    });
    watch.begin({ write: (chunk) => stdin.write(chunk), end: () => stdin.end() });
  });
}

function killGroup(group: number | undefined): void {
  if (group === undefined) return;
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // ESRCH: the group has ended already.
  }
}

function trackGroup(group: number | undefined): void {
  if (group === undefined) return;
  runningGroups.add(group);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const running of runningGroups) killGroup(running);
  });
}
