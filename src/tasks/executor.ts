import type { HostResult } from '../run/host-result.js';
import type { HostSession } from '../session/host-session.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import type { HostTask } from './task.js';

/** What a task did once connected: the fields of HostResult its executor decides. */
export type TaskOutcome = Pick<HostResult, 'status' | 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'truncated' | 'error' | 'detail'> & {
  /** Added to the record's warnings (after the session's). */
  warnings?: readonly string[];
};

/** Where a task's live output goes: the run's `output` and `outputEnd` events for this host and task. */
export interface LiveTaskOutput {
  /** A chunk as it arrives, before any cap. */
  output(stream: OutputStreamName, chunk: Buffer): void;
  /** After the task's last output, however it ended. */
  end(): void;
  /** File bytes sent or received (copy, fetch), as they are acknowledged, for progress. */
  bytes?(count: number): void;
}

/** Output nobody streams (a composite's housekeeping steps); the outcome still carries what was kept. */
export const SILENT: LiveTaskOutput = { output: () => undefined, end: () => undefined };

/** What an executor is given to run a task on one host. */
export interface ExecutionContext {
  /** The host's connected session (SSH, or local for ansible_connection=local). */
  readonly session: HostSession;
  /** Aborted when the run is stopped; the executor must settle soon after. */
  readonly signal: AbortSignal;
  /** Where the task's output streams to. */
  readonly live: LiveTaskOutput;
  /** What a sub-task's records would name as their command. */
  commandLine(task: HostTask): string | null;
  /**
   * Runs a sub-task on the same session (a composite's steps) and gives its
   * outcome; a throw becomes a failure outcome. By default it shares this
   * context's signal and live output.
   */
  execute(task: HostTask, overrides?: { signal?: AbortSignal; live?: LiveTaskOutput }): Promise<TaskOutcome>;
}

/** Runs the tasks of one kind. */
export interface TaskExecutor<T extends HostTask> {
  /** What the task's records name as their `command`: a command line, or null (ping). `of` describes a sub-task. */
  commandLine(task: T, of: (task: HostTask) => string | null): string | null;
  /** The sub-tasks a composite runs, so that their kinds are checked before any host is contacted. */
  steps?(task: T): readonly HostTask[];
  /** Runs the task; a throw becomes the host's failure outcome (unreachable, or skipped after a stop). */
  execute(task: T, context: ExecutionContext): Promise<TaskOutcome>;
}
