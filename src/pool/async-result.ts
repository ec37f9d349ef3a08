import { PoolStateError, TimeoutError } from './errors.js';
import { callHook } from './hooks.js';
import { startTimer } from './timer.js';

/** Called once when the task settles, before `get()` resolves (as in Python). */
export interface ResultCallbacks<T> {
  /** Given the task's value when it returns. */
  callback?: (value: T) => void;
  /** Given the task's error when it fails. */
  errorCallback?: (error: unknown) => void;
}

/**
 * The result of one task, as Python's `multiprocessing.pool.AsyncResult`. The pool
 * creates these. A failure nobody reads is not an unhandled rejection: the result
 * always handles its own rejection.
 */
export class AsyncResult<T> {
  readonly #settled: Promise<T>;
  #state: 'pending' | 'fulfilled' | 'rejected' = 'pending';

  constructor(task: Promise<T>, { callback, errorCallback }: ResultCallbacks<T> = {}) {
    this.#settled = task.then(
      (value) => {
        if (callback) callHook(() => callback(value));
        return value;
      },
      (error: unknown) => {
        if (errorCallback) callHook(() => errorCallback(error));
        throw error;
      },
    );
    this.#settled.then(
      () => {
        this.#state = 'fulfilled';
      },
      () => {
        this.#state = 'rejected';
      },
    );
  }

  /**
   * The task's value, or a rejection with the task's own error. With `timeoutMs`, rejects
   * with a `TimeoutError` if the task has not settled by then; the task goes on, and a
   * later `get()` still returns its outcome.
   */
  get(timeoutMs?: number): Promise<T> {
    if (timeoutMs === undefined || this.ready()) return this.#settled;
    return new Promise<T>((resolve, reject) => {
      const cancel = startTimer(timeoutMs, () => reject(new TimeoutError(timeoutMs)));
      this.#settled.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          reject(error);
        },
      );
    });
  }

  /** Resolves when the task has settled, or after `timeoutMs`, whichever is first; never rejects. */
  wait(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = timeoutMs === undefined ? () => undefined : startTimer(timeoutMs, resolve);
      const done = (): void => {
        cancel();
        resolve();
      };
      this.#settled.then(done, done);
    });
  }

  /** Whether the task has settled (either way). */
  ready(): boolean {
    return this.#state !== 'pending';
  }

  /** Whether the task settled with a value; throws `PoolStateError` if it has not settled yet. */
  successful(): boolean {
    if (this.#state === 'pending') throw new PoolStateError('the result is not ready');
    return this.#state === 'fulfilled';
  }
}
