import { AsyncLocalStorage } from 'node:async_hooks';
import { PoolStateError } from './errors.js';
import type { Pool } from './pool.js';

/** What a running task knows about itself; see `currentTask()`. */
export interface TaskContext {
  /** Aborted by `pool.terminate()`; the reason is a `PoolTerminatedError`. */
  readonly signal: AbortSignal;
  /** The worker slot (0..size-1) this task occupies while it runs. */
  readonly slot: number;
  /** The task's submission number in its pool, from 0. */
  readonly index: number;
  /** The pool running it. */
  readonly pool: Pool;
}

const storage = new AsyncLocalStorage<TaskContext>();

/**
 * The running task's context, the analogue of Python's `multiprocessing.current_process()`.
 * It follows the task through its awaits; outside a task it throws `PoolStateError`.
 */
export function currentTask(): TaskContext {
  const context = storage.getStore();
  if (context === undefined) throw new PoolStateError('currentTask() was called outside a pool task');
  return context;
}

/** Runs `fn` so that `currentTask()` returns `context` inside it, across awaits. */
export function runInTask<T>(context: TaskContext, fn: () => T): T {
  return storage.run(context, fn);
}
