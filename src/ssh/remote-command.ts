import type { ClientChannel } from 'ssh2';
import { SshpoolError } from '../errors.js';
import { CappedOutput } from './capped-output.js';
import type { SshConnection } from './connection.js';
import { refusedEnvironment } from './env-request.js';

/** A command's two output streams. */
export type OutputStreamName = 'stdout' | 'stderr';

/** How HostSession.runCommand runs one command. */
export interface RemoteCommandOptions {
  /** 0 or undefined: no limit. */
  timeoutMs?: number;
  /** Bytes kept per stream; the rest is counted and streamed, not kept. */
  maxOutputBytes: number;
  /** Sees every chunk as it arrives, before capping, for live output. */
  onOutput?: (stream: OutputStreamName, chunk: Buffer) => void;
  /** Aborting kills the remote command like a timeout does, but is reported as an error. */
  signal?: AbortSignal;
  /** Written to the command's stdin, then EOF; without it stdin is at EOF from the start (as pssh without -I). */
  stdin?: Uint8Array;
  /** Ask for a terminal: the command's stdout and stderr then come merged, as stdout. */
  pty?: boolean;
  /** Set through the exec request's `env` (sshd takes only what its AcceptEnv names); refused names are in the outcome's warnings. */
  env?: Readonly<Record<string, string>>;
  /** Talks to the command before its own output counts (become's password prompt); stdin waits for it. */
  dialog?: CommandDialog;
}

/** What a CommandDialog may do to the command it talks to. */
export interface DialogReply {
  /** Writes to the command's stdin, ahead of its own input. */
  send(text: string): void;
  /** The dialog is over: the command's own stdin (or EOF) follows. */
  ready(): void;
  /** The dialog failed: the command is killed, and its outcome carries this error. */
  fail(error: SshpoolError): void;
}

/**
 * Something between the channel and the command proper, such as sudo's
 * password prompt: it sees each chunk first and passes on only what is the
 * command's own output, and holds the command's stdin back until `ready`.
 */
export interface CommandDialog {
  /** Each chunk as it arrives; returns the part of it that is the command's own output (empty while the dialog goes on). */
  output(stream: OutputStreamName, chunk: Buffer, reply: DialogReply): Buffer;
  /** The command ended: the error to record if the dialog never got to `ready`, else undefined. */
  ended(): SshpoolError | undefined;
}

/** How one command ended, with its capped output. */
export interface RemoteCommandOutcome {
  /** null when it never exited (killed, timed out, connection lost). */
  exitCode: number | null;
  /** The signal name the remote reported (`TERM`), else null. */
  signal: string | null;
  /** stdout, capped at maxOutputBytes. */
  stdout: CappedOutput;
  /** stderr, capped at maxOutputBytes. */
  stderr: CappedOutput;
  /** It outlived timeoutMs and was killed. */
  timedOut: boolean;
  /** Set when the connection died or the run was aborted mid-command; output so far is kept. */
  error: SshpoolError | null;
  /** What the record should say about how the command was run: environment variables the server refused, a terminal not given. */
  warnings: string[];
}

/** How long to wait for a killed command to end (its channel or pipes to close) before giving up on it. */
const KILL_GRACE_MS = 2000;

/**
 * Runs one command on an open connection: stdout and stderr kept apart and
 * capped (merged under a pty), stdin given or closed at once (as pssh does
 * without -I), exit code or signal recorded, and the remote process killed on
 * timeout or abort.
 */
export function runRemoteCommand(
  connection: SshConnection,
  command: string,
  options: RemoteCommandOptions,
): Promise<RemoteCommandOutcome> {
  const env = options.env && Object.keys(options.env).length > 0 ? options.env : undefined;
  const exec = { ...(options.pty ? { pty: true } : {}), ...(env ? { env: { ...env } } : {}) };
  return new Promise<RemoteCommandOutcome>((resolve, reject) => {
    connection.exec(command, (channel) => watchChannel(channel, connection, options, resolve), exec, options.signal).catch(reject);
  });
}

/** Collects a running command's output and exit, and kills it on timeout, abort or lost connection. */
function watchChannel(
  channel: ClientChannel,
  connection: SshConnection,
  options: RemoteCommandOptions,
  done: (outcome: RemoteCommandOutcome) => void,
): void {
  const onLost = (): void => watch.finish();
  const watch = new CommandWatch(connection.label, options, () => killRemoteProcess(channel), (outcome) => {
    connection.off('lost', onLost);
    // When sshd dies, ssh2 closes the channel just after the connection's loss is known:
    // a command with no exit status yet was ended by that loss.
    const exited = outcome.exitCode !== null || outcome.signal !== null;
    if (connection.lostError && !exited) outcome.error ??= connection.lostError;
    done(outcome);
  });
  connection.once('lost', onLost);
  for (const name of refusedEnvironment(channel)) watch.outcome.warnings.push(`the server refused environment variable ${name} (not in its AcceptEnv); it is unset`);
  channel.on('data', watch.collect('stdout'));
  channel.stderr.on('data', watch.collect('stderr'));
  channel.on('exit', (code: number | null, signalName?: string) => watch.exited(code, signalName));
  channel.on('close', () => watch.finish());
  // A closed channel is no error of the command's: its outcome says how it ended.
  channel.on('error', () => undefined);
  watch.begin({ write: (chunk) => channel.write(chunk), end: () => channel.end() });
}

/** The command's stdin, as CommandWatch feeds it. */
export interface CommandStdin {
  write(chunk: Uint8Array | string): void;
  end(): void;
}

/**
 * What every command is watched for, wherever it runs (over SSH, or on this
 * machine): output collected and capped, the timeout and the run's abort
 * signal kill it through `killCommand`, and a command still not ended
 * KILL_GRACE_MS after that is given up on. `done` gets the outcome once.
 */
export class CommandWatch {
  readonly outcome: RemoteCommandOutcome;
  private finished = false;
  private commandTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  /** Set while the dialog goes on: what it may do to the command. */
  private reply: DialogReply | undefined;
  private readonly onAbort = (): void => {
    this.outcome.error ??= new SshpoolError('ABORTED', `${this.label}: command aborted`);
    this.kill();
  };

  constructor(
    private readonly label: string,
    private readonly options: RemoteCommandOptions,
    private readonly killCommand: () => void,
    private readonly done: (outcome: RemoteCommandOutcome) => void,
  ) {
    this.outcome = {
      exitCode: null,
      signal: null,
      stdout: new CappedOutput(options.maxOutputBytes),
      stderr: new CappedOutput(options.maxOutputBytes),
      timedOut: false,
      error: null,
      warnings: [],
    };
  }

  /**
   * Starts the timeout, listens for the abort, and feeds stdin (after the
   * dialog, if any, is ready); call once the command's own events are wired,
   * since a kill may end it at once.
   */
  begin(stdin: CommandStdin): void {
    const { timeoutMs, signal, dialog } = this.options;
    if (dialog) {
      this.reply = {
        send: (text) => stdin.write(text),
        ready: () => {
          this.reply = undefined;
          this.feed(stdin);
        },
        fail: (error) => {
          this.outcome.error ??= error;
          this.kill();
        },
      };
    } else {
      this.feed(stdin);
    }
    if (timeoutMs) {
      this.commandTimer = setTimeout(() => {
        this.outcome.timedOut = true;
        this.kill();
      }, timeoutMs);
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.onAbort();
  }

  collect(stream: OutputStreamName): (chunk: Buffer) => void {
    const capture = this.outcome[stream];
    return (received) => {
      const chunk = this.reply && this.options.dialog ? this.options.dialog.output(stream, received, this.reply) : received;
      if (chunk.length === 0) return;
      capture.push(chunk);
      this.options.onOutput?.(stream, chunk);
    };
  }

  exited(code: number | null | undefined, signalName: string | null | undefined): void {
    if (this.finished) return;
    if (typeof code === 'number') this.outcome.exitCode = code;
    else if (signalName) this.outcome.signal = signalName;
  }

  /** Ends the watch with `error` unless another one came first; output so far is kept. */
  fail(error: SshpoolError): void {
    this.outcome.error ??= error;
    this.finish();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.reply) this.outcome.error ??= this.options.dialog?.ended() ?? null;
    clearTimeout(this.commandTimer);
    clearTimeout(this.killTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.done(this.outcome);
  }

  private feed(stdin: CommandStdin): void {
    const { stdin: input } = this.options;
    if (input && input.length > 0) stdin.write(input);
    stdin.end();
  }

  private kill(): void {
    this.killCommand();
    this.killTimer ??= setTimeout(() => this.finish(), KILL_GRACE_MS);
  }
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
