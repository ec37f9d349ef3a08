import type { BecomeSettings } from '../inventory/index.js';
import type { RemoteFiles } from '../ssh/remote-files.js';
import type { RemoteCommandOptions, RemoteCommandOutcome } from '../ssh/remote-command.js';
import type { LocalTarget } from '../ssh/target-settings.js';
import type { ConnectionTrust } from '../ssh/trust.js';
import { runLocalCommand } from './local-command.js';
import { localFiles } from './local-files.js';

/** Where a host's work runs: its SSH connection, or this machine for `ansible_connection: local`. */
export interface HostSession {
  /** The host's name in messages. */
  readonly label: string;
  /** What the records of its commands should say, e.g. a host key let through under `no`. */
  readonly warnings: readonly string[];
  /** How an SSH host's key was verified and what logged in; absent for a local target. */
  readonly trust?: ConnectionTrust;
  /** How its commands change user (the run's flags over the host's ansible_become* vars); undefined or not enabled: they run as the login user. */
  readonly become?: BecomeSettings;
  /** Runs one command on a channel of its own; connection loss and aborts are in the outcome's `error`, not thrown. */
  runCommand(command: string, options: RemoteCommandOptions): Promise<RemoteCommandOutcome>;
  /** The host's files over an SFTP channel of their own (this machine's for a local host); close it when done. */
  openFiles(signal: AbortSignal): Promise<RemoteFiles>;
}

/** A local target has nothing to connect to: its commands run on this machine. */
export function localSession(target: LocalTarget): HostSession {
  const { label, become } = target;
  return { label, warnings: [], become, runCommand: (command, options) => runLocalCommand(label, command, options), openFiles: async () => localFiles(label) };
}
