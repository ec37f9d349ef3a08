/**
 * A host task: plain data naming its kind, so that it can be written as JSON and
 * run elsewhere (a worker process, another machine) the same way. Nothing in a
 * task is a closure; what runs it is the executor registered for its kind (see
 * ExecutorRegistry), and what it prints reaches the run through the execution
 * context the executor is given.
 */
export interface HostTask {
  /** Chooses the executor; `command`, `ping` and `with-cleanup` are built in. */
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

/** A CommandTask; `timeoutMs` is left out when undefined, so the task stays plain JSON. */
export function commandTask(command: string, options: { timeoutMs?: number; maxOutputBytes: number }): CommandTask {
  const { timeoutMs, maxOutputBytes } = options;
  return timeoutMs === undefined ? { kind: 'command', command, maxOutputBytes } : { kind: 'command', command, timeoutMs, maxOutputBytes };
}

/** The one ping task: it has no parameters. */
export const PING_TASK: PingTask = { kind: 'ping' };
