import { SshpoolError, toErrorRecord } from '../errors.js';
import type { TaskContext } from '../pool/index.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import type { ExecutorRegistry, HostTask, LiveTaskOutput, TaskOutcome } from '../tasks/index.js';
import { emptyOutput, failureOutcome } from '../tasks/outcome.js';
import type { HostResult } from './host-result.js';
import type { HostSession } from '../session/host-session.js';
import type { SessionCache } from '../session/session-cache.js';
import type { ReachableTarget, Target } from '../ssh/target-settings.js';

/** Where the live output of a host's tasks goes, by the task's index in the host's list. */
export interface HostTaskListener {
  /** A chunk of a task's output, as received (untrusted bytes). */
  output(task: number, stream: OutputStreamName, chunk: Buffer): void;
  /** The task's output is complete. */
  outputEnd(task: number): void;
  /** File bytes sent or received by a copy or fetch task. */
  bytes?(task: number, count: number): void;
}

/** The tasks every host runs, and what runs and hears them. */
export interface HostTaskPlan {
  tasks: readonly HostTask[];
  /** What the records name as run, task for task, when not `tasks` themselves (the command templates of `--vars`). */
  recordedTasks?: readonly HostTask[];
  executors: ExecutorRegistry;
  listener?: HostTaskListener;
  /**
   * Awaited once the host's session is ready, before its first task starts:
   * a queue worker records there that the host's commands may have run.
   * A rejection fails the host's tasks as a lost session would.
   */
  beforeTasks?: () => Promise<void>;
}

/** Where a host task gets its session, and whether it leaves the connection open for a later run. */
export interface TaskSessions {
  cache: SessionCache;
  keep: boolean;
}

/**
 * One host, one pool task: acquire its session (connected through jumps; a
 * local host needs no connection), run each task in turn over that one
 * session, release it, and describe each task as a HostResult (in `tasks` order). Never throws:
 * failures are data; a host that cannot be reached gets the same unreachable
 * record for every task. `task` is the pool task it runs in: its slot, and
 * the signal that stops it.
 */
export async function runHostTask(
  sessions: TaskSessions,
  target: ReachableTarget,
  attempt: number,
  plan: HostTaskPlan,
  { signal, slot }: Pick<TaskContext, 'signal' | 'slot'>,
): Promise<HostResult[]> {
  const results: HostResult[] = [];
  let started = Date.now();
  let session: HostSession | undefined;
  let connectFailure: TaskOutcome | undefined;
  try {
    session = await sessions.cache.acquire(target, signal);
    await plan.beforeTasks?.();
  } catch (error) {
    connectFailure = failureOutcome(error, signal);
  }
  try {
    for (const [index, task] of plan.tasks.entries()) {
      const { warnings: taskWarnings = [], ...outcome } = connectFailure ?? (await plan.executors.execute(task, session as HostSession, signal, liveOutput(plan.listener, index)));
      const warnings = [...(session?.warnings ?? []), ...taskWarnings];
      const recorded = plan.recordedTasks?.[index] ?? task;
      const base = recordBase(target, { kind: task.kind, command: plan.executors.commandLine(recorded) }, attempt, slot, started);
      const unconnected = connectFailure && outcome.status === 'unreachable' ? { connectFailed: true as const } : {};
      results.push({ ...base, ...outcome, ...(warnings.length > 0 ? { warnings } : {}), ...unconnected, durationMs: Date.now() - started });
      started = Date.now();
    }
  } finally {
    if (session) sessions.cache.release(session, { keep: sessions.keep });
  }
  return results;
}

function liveOutput(listener: HostTaskListener | undefined, task: number): LiveTaskOutput {
  return {
    output: (stream, chunk) => listener?.output(task, stream, chunk),
    end: () => listener?.outputEnd(task),
    bytes: (count) => listener?.bytes?.(task, count),
  };
}

/** What a record says about its task before any outcome. */
interface TaskLabel {
  kind: string;
  command: string | null;
}

function recordBase(target: Target, task: TaskLabel, attempt: number, slot: number, started: number) {
  return {
    host: target.label,
    command: task.command,
    kind: task.kind,
    address: target.hostname,
    port: target.port,
    user: target.user,
    startedAt: new Date(started).toISOString(),
    attempt,
    slot,
  };
}

/** The records of a host whose tasks never started: the run was stopped first, or its inventory vars refused it. */
export function skippedResults(target: Target, plan: HostTaskPlan, attempt: number, error: unknown): HostResult[] {
  const errorRecord = toErrorRecord(error instanceof SshpoolError ? error : new SshpoolError('SKIPPED', String(error)));
  return plan.tasks.map((task) => ({
    ...recordBase(target, { kind: task.kind, command: plan.executors.commandLine(task) }, attempt, -1, Date.now()),
    status: 'skipped',
    exitCode: null,
    signal: null,
    ...emptyOutput(),
    error: errorRecord,
    durationMs: 0,
  }));
}
