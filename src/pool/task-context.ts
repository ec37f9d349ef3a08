import { AsyncLocalStorage } from 'node:async_hooks';
import { PoolStateError } from './errors.js';
import type { Pool } from './pool.js';

/** What a running task knows about itself: given to a `submit` task, read with `currentTask()` in the others. */
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

const storage = new AsyncLocalStorage<TaskContext | undefined>();

/**
 * Whether a task has run inside `storage`. The first `run` turns on Node 20's promise hooks for the
 * whole process, for good: from then on every promise and every callback pays for them (~10 % of the
 * client CPU of a 100-host run, side by side). Until then there is no context to leave.
 */
let storageUsed = false;

/**
 * The running task's context, the analogue of Python's `multiprocessing.current_process()`.
 * It follows the task through its awaits; outside a task, and in a `submit` task (which is given
 * its context), it throws `PoolStateError`.
 */
export function currentTask(): TaskContext {
  const context = storage.getStore();
  if (context === undefined) throw new PoolStateError('currentTask() was called outside a pool task');
  return context;
}

/** Runs `fn` so that `currentTask()` returns `context` inside it, across awaits. */
export function runInTask<T>(context: TaskContext, fn: () => T): T {
  storageUsed = true;
  return storage.run(context, fn);
}

/**
 * Runs `fn` outside every task's context: a `submit` task submitted from inside an `applyAsync` task
 * (of any pool) starts there when a slot is free, and must not see that task's context as its own.
 */
export function runOutsideTasks<T>(fn: () => T): T {
  return storageUsed ? storage.run(undefined, fn) : fn();
}
