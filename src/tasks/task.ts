/**
 * A host task: plain data naming its kind, so that it can be written as JSON and
 * run elsewhere (a worker process, another machine) the same way. Nothing in a
 * task is a closure; what runs it is the executor registered for its kind (see
 * ExecutorRegistry), and what it prints reaches the run through the execution
 * context the executor is given.
 */
export interface HostTask {
  /** Chooses the executor; `command`, `ping`, `with-cleanup` and `script` are built in. */
  readonly kind: string;
}

/** `run`'s task: one command line, its output captured (capped) and streamed. */
export interface CommandTask extends HostTask {
  /** The built-in command kind. */
  readonly kind: 'command';
  /** Run by the remote user's shell, as `ssh host command` would. */
  readonly command: string;
  /** Killed after this long; 0 or unset: no limit. */
  readonly timeoutMs?: number;
  /** Per stream; output past it is streamed but not kept. */
  readonly maxOutputBytes: number;
  /** Sent to the command's stdin, then EOF (pssh -I); unset: EOF at once. One buffer shared by every host's task. */
  readonly stdin?: Uint8Array;
  /** Ask for a terminal; stdout and stderr then come merged, as stdout. */
  readonly pty?: boolean;
  /** Set through the exec request (sshd's AcceptEnv decides; refused names are in the record's warnings). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `ping`'s task: being connected and authenticated is the whole test. */
export interface PingTask extends HostTask {
  /** The built-in ping kind. */
  readonly kind: 'ping';
  /** Put how the host was verified and what logged in (a ConnectionTrust) in the record's `detail.trust`, for `ping -v`. */
  readonly trust?: boolean;
}

/**
 * A composite with its own rule, the shape a script needs (upload, run, always
 * clean up): `main` runs, then `cleanup` runs whatever main's outcome (failed,
 * timed out, killed by a stop), and is skipped only when the run was stopped
 * before main started. The record is main's; the cleanup's outcome is in its
 * `detail.cleanup`, and a cleanup that did not succeed adds a warning.
 */
export interface WithCleanupTask extends HostTask {
  /** The built-in composite kind. */
  readonly kind: 'with-cleanup';
  /** The step whose outcome is the record's. */
  readonly main: HostTask;
  /** Runs on the same session; after a stop it is bounded by its own timeout only, so give it one. */
  readonly cleanup: HostTask;
}

/** How a command runs, beside its line: CommandTask's optional fields. */
export type CommandTaskOptions = Pick<CommandTask, 'timeoutMs' | 'maxOutputBytes' | 'stdin' | 'pty' | 'env'>;

/** A CommandTask; options left undefined are left out, so the task stays plain data. */
export function commandTask(command: string, options: CommandTaskOptions): CommandTask {
  const task: Record<string, unknown> = { kind: 'command', command };
  for (const [name, value] of Object.entries(options)) if (value !== undefined) task[name] = value;
  return task as unknown as CommandTask;
}

/** The one ping task: it has no parameters. */
export const PING_TASK: PingTask = { kind: 'ping' };
