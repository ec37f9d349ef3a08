import type { ClientChannel } from 'ssh2';
import { SshpoolError } from '../errors.js';
import { CappedOutput } from '../run/capped-output.js';
import type { SshConnection } from './connection.js';

export type OutputStreamName = 'stdout' | 'stderr';

export interface RemoteCommandOptions {
  /** 0 or undefined: no limit. */
  timeoutMs?: number;
  maxOutputBytes: number;
  /** Sees every chunk as it arrives, before capping, for live output. */
  onOutput?: (stream: OutputStreamName, chunk: Buffer) => void;
  /** Aborting kills the remote command like a timeout does, but is reported as an error. */
  signal?: AbortSignal;
}

export interface RemoteCommandOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: CappedOutput;
  stderr: CappedOutput;
  timedOut: boolean;
  /** Set when the connection died or the run was aborted mid-command; output so far is kept. */
  error: SshpoolError | null;
}

/** How long to wait for the channel to close after killing before giving up on it. */
const KILL_GRACE_MS = 2000;

/**
 * Runs one command on an open connection: stdout and stderr kept apart and
 * capped, stdin closed at once (as pssh does without -I), exit code or signal
 * recorded, and the remote process killed on timeout or abort.
 */
export function runRemoteCommand(
  connection: SshConnection,
  command: string,
  options: RemoteCommandOptions,
): Promise<RemoteCommandOutcome> {
  return new Promise<RemoteCommandOutcome>((resolve, reject) => {
    const outcome: RemoteCommandOutcome = {
      exitCode: null,
      signal: null,
      stdout: new CappedOutput(options.maxOutputBytes),
      stderr: new CappedOutput(options.maxOutputBytes),
      timedOut: false,
      error: null,
    };
    connection.exec(command, (channel) => watchChannel(channel, connection, options, outcome, () => resolve(outcome)), {}, options.signal).catch(reject);
  });
}

/** Collects a running command's output and exit, and kills it on timeout, abort or lost connection. */
function watchChannel(
  channel: ClientChannel,
  connection: SshConnection,
  options: RemoteCommandOptions,
  outcome: RemoteCommandOutcome,
  done: () => void,
): void {
  let finished = false;
  let killTimer: NodeJS.Timeout | undefined;
  const kill = (): void => {
    killRemoteProcess(channel);
    killTimer ??= setTimeout(finish, KILL_GRACE_MS);
  };
  const commandTimer = options.timeoutMs
    ? setTimeout(() => {
        outcome.timedOut = true;
        kill();
      }, options.timeoutMs)
    : undefined;
  const onAbort = (): void => {
    outcome.error ??= new SshpoolError('ABORTED', `${connection.label}: command aborted`);
    kill();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const onLost = (): void => finish();
  connection.once('lost', onLost);

  function finish(): void {
    if (finished) return;
    finished = true;
    clearTimeout(commandTimer);
    clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
    connection.off('lost', onLost);
    // When sshd dies, ssh2 closes the channel just after the connection's loss is known:
    // a command with no exit status yet was ended by that loss.
    const exited = outcome.exitCode !== null || outcome.signal !== null;
    if (connection.lostError && !exited) outcome.error ??= connection.lostError;
    done();
  }

  const collect = (name: OutputStreamName, capture: CappedOutput) => (chunk: Buffer) => {
    capture.push(chunk);
    options.onOutput?.(name, chunk);
  };
  channel.on('data', collect('stdout', outcome.stdout));
  channel.stderr.on('data', collect('stderr', outcome.stderr));
  channel.on('exit', (code: number | null, signalName?: string) => {
    if (typeof code === 'number') outcome.exitCode = code;
    else if (signalName) outcome.signal = signalName;
  });
  channel.on('close', finish);
  channel.end();
  if (options.signal?.aborted) onAbort();
}

interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(channelId: number, signalName: string): void } };
}

/**
 * ssh2's `channel.signal()` does nothing once stdin is at EOF (ssh2 #382), but
 * the request is still valid on the wire then, so it is sent through the
 * protocol object directly; closing the channel follows for servers that
 * ignore signals (OpenSSH before 7.9).
 */
function killRemoteProcess(channel: ClientChannel): void {
  const internals = channel as unknown as ChannelInternals;
  const outgoing = internals.outgoing;
  if (outgoing && (outgoing.state === 'open' || outgoing.state === 'eof')) {
    internals._client?._protocol?.signal(outgoing.id, 'KILL');
  }
  channel.close();
}
