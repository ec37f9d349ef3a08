import { InputError, SshpoolError } from '../errors.js';

/** A task was submitted after `close()` or `terminate()` (Python raises ValueError "Pool not running"). */
export class PoolClosedError extends SshpoolError {
  constructor(state: 'closed' | 'terminated') {
    super('POOL_CLOSED', `the pool takes no new tasks: it was ${state}`);
  }
}

/**
 * A call was made in a state that does not allow it: `join()` on a running pool,
 * `successful()` on a result that is not ready, `currentTask()` outside a task.
 */
export class PoolStateError extends SshpoolError {
  constructor(message: string) {
    super('POOL_STATE', message);
  }
}

/**
 * The pool was terminated: the rejection of every task that had not started yet, and the
 * abort reason of the signal that tells running tasks to stop.
 */
export class PoolTerminatedError extends SshpoolError {
  constructor(message = 'the pool was terminated') {
    super('POOL_TERMINATED', message);
  }
}

/**
 * `cancelPending()` dropped this task before it started: the rejection of its result. The
 * tasks that were running when it was called were left to finish.
 */
export class TaskCancelledError extends SshpoolError {
  /** The dropped task's submission number. */
  readonly index: number;

  constructor(index: number) {
    super('POOL_CANCELLED', `task ${index} never started: the pool's pending tasks were cancelled`);
    this.index = index;
  }
}

/** `AsyncResult.get(timeoutMs)` found the result not ready in time; the task itself goes on. */
export class TimeoutError extends SshpoolError {
  /** The timeout given to get(). */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('TIMEOUT', `the result was not ready within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** `new Pool({ size })` with a size that is not an integer ≥ 1. */
export class PoolSizeError extends InputError {
  /** The option at fault. */
  readonly option = 'size';

  constructor(size: unknown) {
    super('POOL_SIZE', `pool option "size" must be an integer >= 1, got ${String(size)}`);
  }
}
