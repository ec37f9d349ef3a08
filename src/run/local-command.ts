import { spawn } from 'node:child_process';
import { SshpoolError } from '../errors.js';
import { CommandWatch } from '../ssh/remote-command.js';
import type { RemoteCommandOptions, RemoteCommandOutcome } from '../ssh/remote-command.js';

/** Ansible's local connection runs commands through its default executable. */
const SHELL = '/bin/sh';

/** Process groups of the local commands still running, killed if sshpool itself exits first (a second Ctrl-C). */
const runningGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Runs one command on this machine, as Ansible's local connection does:
 * `/bin/sh -c COMMAND` as the user running sshpool, in its working directory
 * and environment. The rest is as for an SSH host: stdin at EOF from the
 * start, output collected and capped, exit code or signal recorded, killed on
 * timeout or abort. The shell leads its own process group, so a kill reaches
 * everything it started (as OpenSSH signals the session's process group), and
 * a Ctrl-C on the terminal goes to sshpool, which then kills and records the
 * command, rather than to the command directly.
 */
export function runLocalCommand(label: string, command: string, options: RemoteCommandOptions): Promise<RemoteCommandOutcome> {
  return new Promise<RemoteCommandOutcome>((resolve) => {
    const child = spawn(SHELL, ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const group = child.pid;
    const watch = new CommandWatch(label, options, () => group !== undefined && killGroup(group), (outcome) => {
      if (group !== undefined) runningGroups.delete(group);
      // Whatever left the group (setsid) may still hold the pipes after the grace period.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(outcome);
    });
    if (group !== undefined) trackGroup(group);
    child.stdout.on('data', watch.collect('stdout'));
    child.stderr.on('data', watch.collect('stderr'));
    child.on('error', (error) => watch.fail(new SshpoolError('CHANNEL_FAILED', `${label}: cannot start ${SHELL}: ${error.message}`, { cause: error })));
    // 'close' comes once the output pipes are closed too, as an SSH channel's close does.
    child.on('close', (code, signalName) => {
      watch.exited(code, signalName);
      watch.finish();
    });
    watch.begin();
  });
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // ESRCH: the group has ended already.
  }
}

function trackGroup(group: number): void {
  runningGroups.add(group);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const running of runningGroups) killGroup(running);
  });
}
