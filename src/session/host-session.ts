import { runRemoteCommand } from '../ssh/remote-command.js';
import type { RemoteCommandOptions, RemoteCommandOutcome } from '../ssh/remote-command.js';
import { runLocalCommand } from './local-command.js';
import type { SshContext } from '../ssh/ssh-context.js';
import type { ReachableTarget } from '../ssh/target-settings.js';

/** Where a host's work runs: its SSH connection, or this machine for `ansible_connection: local`. */
export interface HostSession {
  /** The host's name in messages. */
  readonly label: string;
  /** What the records of its commands should say, e.g. a host key let through under `no`. */
  readonly warnings: readonly string[];
  runCommand(command: string, options: RemoteCommandOptions): Promise<RemoteCommandOutcome>;
  close(): void;
}

/** Connects to an SSH target (through its jump hops); a local one has nothing to connect to. */
export async function openSession(context: SshContext, target: ReachableTarget, signal: AbortSignal): Promise<HostSession> {
  if (target.kind === 'local') {
    const { label } = target;
    return { label, warnings: [], runCommand: (command, options) => runLocalCommand(label, command, options), close: () => undefined };
  }
  const connection = await context.connect(target, signal);
  return { label: connection.label, warnings: connection.warnings, runCommand: (command, options) => runRemoteCommand(connection, command, options), close: () => connection.close() };
}
