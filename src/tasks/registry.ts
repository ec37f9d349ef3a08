import { SshpoolError } from '../errors.js';
import type { HostSession } from '../session/host-session.js';
import { commandExecutor } from './command-executor.js';
import { copyExecutor } from './copy-executor.js';
import { fetchExecutor } from './fetch-executor.js';
import { UnknownTaskKindError } from './errors.js';
import type { ExecutionContext, LiveTaskOutput, TaskExecutor, TaskOutcome } from './executor.js';
import { failureOutcome } from './outcome.js';
import { pingExecutor } from './ping-executor.js';
import type { HostTask } from './task.js';
import { withCleanupExecutor } from './with-cleanup-executor.js';
import { scriptExecutor } from './script-task.js';

/** The executor for each task kind; a run looks every task up here. */
export class ExecutorRegistry {
  readonly #executors = new Map<string, TaskExecutor<HostTask>>();

  /** Registers (or replaces) the executor of `kind`. */
  register<T extends HostTask>(kind: T['kind'], executor: TaskExecutor<T>): this {
    this.#executors.set(kind, executor as unknown as TaskExecutor<HostTask>);
    return this;
  }

  /** The registered kinds, in registration order (named in UnknownTaskKindError). */
  get kinds(): string[] {
    return [...this.#executors.keys()];
  }

  /** The executor for the task's kind; throws UnknownTaskKindError when none is registered. */
  executorFor(task: HostTask): TaskExecutor<HostTask> {
    const executor = this.#executors.get(task?.kind);
    if (!executor) throw new UnknownTaskKindError(task?.kind, this.kinds);
    return executor;
  }

  /** Refuses, before anything starts, a task (or a step of a composite) of an unknown kind. */
  check(task: HostTask): void {
    const steps = this.executorFor(task).steps?.(task) ?? [];
    for (const step of steps) this.check(step);
  }

  /** What the task's records name as their `command`. */
  commandLine(task: HostTask): string | null {
    return this.executorFor(task).commandLine(task, (sub) => this.commandLine(sub));
  }

  /**
   * Runs the task on the session and gives its outcome; never throws. A run
   * stopped before the task started gives a skipped outcome without calling
   * the executor.
   */
  async execute(task: HostTask, session: HostSession, signal: AbortSignal, live: LiveTaskOutput): Promise<TaskOutcome> {
    if (signal.aborted) return failureOutcome(new SshpoolError('SKIPPED', `${session.label}: run stopped before this command started`), signal);
    const context: ExecutionContext = {
      session,
      signal,
      live,
      commandLine: (sub) => this.commandLine(sub),
      execute: (sub, overrides = {}) => this.execute(sub, session, overrides.signal ?? signal, overrides.live ?? live),
    };
    try {
      return await this.executorFor(task).execute(task, context);
    } catch (error) {
      return failureOutcome(error, signal);
    }
  }
}

/** The kinds sshpool runs: command, ping, with-cleanup, script, copy, fetch. Each call gives a registry of its own, to extend freely. */
export function defaultExecutors(): ExecutorRegistry {
  return new ExecutorRegistry()
    .register('command', commandExecutor)
    .register('ping', pingExecutor)
    .register('with-cleanup', withCleanupExecutor)
    .register('script', scriptExecutor)
    .register('copy', copyExecutor)
    .register('fetch', fetchExecutor);
}
