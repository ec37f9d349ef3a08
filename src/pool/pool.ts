/**
 * Pool: Python's `multiprocessing.Pool` for async functions, on p-queue.
 *
 * - `new Pool({ size })`: at most `size` tasks run at once (p-queue, `concurrency: size`);
 *   the rest wait and start in submission order. `size` must be an integer >= 1
 *   (`PoolSizeError`, an `InputError`).
 * - `applyAsync(fn, args, { callback, errorCallback })` returns an `AsyncResult` at once.
 *   If a slot is free the task starts inside that call (p-queue starts on add), so `fn`
 *   should be async. `callback`/`errorCallback` run once when the task settles, before
 *   `get()` resolves. A failure nobody reads is not an unhandled rejection.
 * - `AsyncResult`: `get(timeoutMs?)` gives the task's value or rejects with its own error;
 *   with a timeout it rejects with `TimeoutError` while the task goes on. `wait(timeoutMs?)`
 *   never rejects; `ready()`; `successful()` throws `PoolStateError` until ready.
 * - `apply(fn, args)` is `applyAsync(fn, args).get()`: it queues like any other task.
 * - `submit(task, callbacks)` is `applyAsync` for a task that takes its context as its argument
 *   (`task({ signal, slot, index, pool })`) rather than reading `currentTask()`, which it cannot. It
 *   runs without AsyncLocalStorage: once used, that turns on Node 20's promise hooks for the whole
 *   process, a cost every promise and callback then pays. sshpool's own runs use only `submit`.
 * - `map(fn, items)` calls `fn(item)` per item and resolves with the values in submission
 *   order, or rejects with the first failure; `starmap(fn, argsList)` spreads each args
 *   array. `imap` yields in submission order, each value once it and all before it are
 *   done; `imapUnordered` yields in completion order. All of them submit every task at
 *   the call, not as the iterator is read.
 * - `close()`: no new tasks. Submitting after `close()` or `terminate()` throws
 *   `PoolClosedError` synchronously. `join()` throws `PoolStateError` synchronously unless
 *   the pool was closed or terminated; it resolves once every task's result has settled.
 * - `cancelPending()`: what neither Python call does: `close()` and drop the tasks not yet
 *   started (they never start, have no events, and their results reject with
 *   `TaskCancelledError`), while running tasks go on undisturbed (their signal is not
 *   aborted) and settle with their own outcome. The returned promise resolves once every
 *   result has settled; `join()` works as after `close()`. After `terminate()` it does
 *   nothing but wait.
 * - `terminate()`: tasks not yet started never start and their results reject with
 *   `PoolTerminatedError`; running tasks see `currentTask().signal` aborted (reason: a
 *   `PoolTerminatedError`) and settle however they choose. The returned promise resolves
 *   once every result has settled, i.e. when the running tasks have finished.
 * - `currentTask()` (the analogue of `current_process()`) gives a running task its
 *   `{ signal, slot, index, pool }`: `slot` is the lowest free slot in 0..size-1 when it
 *   starts, `index` its submission number in the pool, from 0.
 * - `on('taskStart', { index, slot, startedAt })` and
 *   `on('taskSettled', { index, slot, durationMs, ok })` report tasks that ran, for progress
 *   and timelines; tasks that never started have no events. Listeners and callbacks run
 *   synchronously; one that throws does not change the task's outcome, its error is
 *   re-thrown as an uncaught exception.
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { AsyncResult, type ResultCallbacks } from './async-result.js';
import { PoolClosedError, PoolSizeError, PoolStateError, PoolTerminatedError, TaskCancelledError } from './errors.js';
import { callHook } from './hooks.js';
import { inCompletionOrder, inSubmissionOrder } from './result-order.js';
import { Slots } from './slots.js';
import { runInTask, runOutsideTasks, type TaskContext } from './task-context.js';

/** For `new Pool(options)`. */
export interface PoolOptions {
  /** How many tasks may run at once: an integer >= 1. */
  size: number;
}

/** A task started (the `taskStart` event). */
export interface TaskStartEvent {
  /** Its submission number in the pool, from 0. */
  index: number;
  /** The slot (0..size-1) it occupies while it runs. */
  slot: number;
  /** Epoch milliseconds. */
  startedAt: number;
}

/** A task that ran has settled (the `taskSettled` event). */
export interface TaskSettledEvent {
  /** Its submission number in the pool, from 0. */
  index: number;
  /** The slot it occupied. */
  slot: number;
  /** From start to settling. */
  durationMs: number;
  /** Whether the task returned a value rather than failing. */
  ok: boolean;
}

/** The events of a Pool and their arguments; tasks that never started have none. */
export type PoolEvents = {
  /** A task took a slot. */
  taskStart: [TaskStartEvent];
  /** A task that ran returned or failed. */
  taskSettled: [TaskSettledEvent];
};

/** A function a task runs; it may return a value or a promise of one. */
export type TaskFunction<A extends unknown[], T> = (...args: A) => T | PromiseLike<T>;

/**
 * Python's `multiprocessing.Pool` for async functions: at most `size` tasks run at
 * once, the rest wait and start in submission order. It knows nothing of SSH; HostRun
 * runs hosts on it. The module comment of src/pool/pool.ts gives the full semantics.
 */
export class Pool {
  /** Tasks that may run at once, as given. */
  readonly size: number;
  readonly #queue: PQueue;
  readonly #slots: Slots;
  /** Untyped inside; `on`, `off` and `#emit` give it its types. */
  readonly #events = new EventEmitter();
  /** Aborted by terminate(): the signal every running task reads. */
  readonly #termination = new AbortController();
  /** Per queued task, the handle that removes it from the p-queue before it starts. */
  readonly #queued = new Map<number, AbortController>();
  readonly #unsettled = new Set<Promise<void>>();
  #state: 'running' | 'closed' | 'terminated' = 'running';
  #nextIndex = 0;

  /** @throws PoolSizeError when `size` is not an integer >= 1. */
  constructor({ size }: PoolOptions) {
    if (!Number.isSafeInteger(size) || size < 1) throw new PoolSizeError(size);
    this.size = size;
    this.#queue = new PQueue({ concurrency: size });
    this.#slots = new Slots(size);
    // Every running task may listen on this one signal, so listeners grow with `size`
    // (and each task removes its own): Node's leak warning at 11 would be a false alarm.
    setMaxListeners(0, this.#termination.signal);
  }

  /** Tasks submitted and not started yet. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#slots.inUse;
  }

  /** Listens to task events; a listener that throws does not change the task's outcome (its error is re-thrown as uncaught). */
  on<E extends keyof PoolEvents>(event: E, listener: (...args: PoolEvents[E]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Removes a listener added with on. */
  off<E extends keyof PoolEvents>(event: E, listener: (...args: PoolEvents[E]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Submits `fn()` and returns its result handle at once; when a slot is free the task starts inside this call.
   * @throws PoolClosedError after close() or terminate().
   */
  applyAsync<T>(fn: TaskFunction<[], T>): AsyncResult<T>;
  /**
   * Submits `fn(...args)`; `callbacks` run once when it settles, before `get()` resolves.
   * @throws PoolClosedError after close() or terminate().
   */
  applyAsync<A extends unknown[], T>(fn: TaskFunction<A, T>, args: A, callbacks?: ResultCallbacks<T>): AsyncResult<T>;
  applyAsync<T>(fn: TaskFunction<unknown[], T>, args: unknown[] = [], callbacks: ResultCallbacks<T> = {}): AsyncResult<T> {
    this.#assertRunning();
    return this.#submit(inTask(fn, args), callbacks);
  }

  /**
   * As `applyAsync`, for a task given its context as its argument; inside it `currentTask()` throws.
   * @throws PoolClosedError after close() or terminate().
   */
  submit<T>(task: (context: TaskContext) => T | PromiseLike<T>, callbacks: ResultCallbacks<T> = {}): AsyncResult<T> {
    this.#assertRunning();
    return this.#submit((context) => runOutsideTasks(() => task(context)), callbacks);
  }

  /** `applyAsync(fn).get()`: queues like any other task and resolves with its value or rejects with its error. */
  apply<T>(fn: TaskFunction<[], T>): Promise<T>;
  /** `applyAsync(fn, args).get()`. */
  apply<A extends unknown[], T>(fn: TaskFunction<A, T>, args: A): Promise<T>;
  apply<T>(fn: TaskFunction<unknown[], T>, args: unknown[] = []): Promise<T> {
    return this.applyAsync(fn, args).get();
  }

  /** `fn(item)` per item, all submitted now; the values in submission order, or the first failure. */
  map<I, T>(fn: TaskFunction<[I], T>, items: Iterable<I>): Promise<T[]> {
    return Promise.all(this.#submitAll(fn, asArgs(items)).map((result) => result.get()));
  }

  /** As map, each args array spread into `fn`. */
  starmap<A extends unknown[], T>(fn: TaskFunction<A, T>, argsList: Iterable<A>): Promise<T[]> {
    return Promise.all(this.#submitAll(fn, argsList).map((result) => result.get()));
  }

  /** As map, yielding each value once it and all before it are done. */
  imap<I, T>(fn: TaskFunction<[I], T>, items: Iterable<I>): AsyncGenerator<T, void, undefined> {
    return inSubmissionOrder(this.#submitAll(fn, asArgs(items)));
  }

  /** As map, yielding values in completion order. */
  imapUnordered<I, T>(fn: TaskFunction<[I], T>, items: Iterable<I>): AsyncGenerator<T, void, undefined> {
    return inCompletionOrder(this.#submitAll(fn, asArgs(items)));
  }

  /** Takes no new tasks; the submitted ones still run. */
  close(): void {
    if (this.#state === 'running') this.#state = 'closed';
  }

  /**
   * Resolves once every task's result has settled.
   * @throws PoolStateError (synchronously) unless close() or terminate() came first.
   */
  join(): Promise<void> {
    if (this.#state === 'running') throw new PoolStateError('join() needs close() or terminate() first');
    return this.#allSettled();
  }

  /**
   * close(), and drop the tasks not yet started (their results reject with TaskCancelledError) while
   * running ones finish undisturbed: what neither of Python's close and terminate does. Resolves once
   * every result has settled.
   */
  cancelPending(): Promise<void> {
    if (this.#state === 'running') this.#state = 'closed';
    if (this.#state === 'closed') this.#dropPending((index) => new TaskCancelledError(index));
    return this.#allSettled();
  }

  /**
   * Pending tasks never start (PoolTerminatedError); running ones see `currentTask().signal` aborted and
   * settle as they choose. Resolves once every result has settled.
   */
  terminate(): Promise<void> {
    if (this.#state !== 'terminated') {
      this.#state = 'terminated';
      this.#dropPending((index) => new PoolTerminatedError(`task ${index} never started: the pool was terminated`));
      this.#termination.abort(new PoolTerminatedError());
    }
    return this.#allSettled();
  }

  /** Removes every queued task, its result rejecting with `reason(index)`; the pool takes no new tasks by then. */
  #dropPending(reason: (index: number) => Error): void {
    // Nothing may start from here on, even while the queued tasks are being removed (each
    // removal lets p-queue look for another task to start).
    this.#queue.pause();
    for (const [index, dequeue] of this.#queued) dequeue.abort(reason(index));
    this.#queued.clear();
  }

  #assertRunning(): void {
    if (this.#state !== 'running') throw new PoolClosedError(this.#state);
  }

  #submitAll<A extends unknown[], T>(fn: TaskFunction<A, T>, argsList: Iterable<A>): AsyncResult<T>[] {
    this.#assertRunning();
    // Read all arguments first, as Python does, so an iterable that throws submits nothing.
    return Array.from(argsList).map((args) => this.#submit(inTask(fn, args), {}));
  }

  #submit<T>(start: (context: TaskContext) => T | PromiseLike<T>, callbacks: ResultCallbacks<T>): AsyncResult<T> {
    const index = this.#nextIndex++;
    const dequeue = new AbortController();
    this.#queued.set(index, dequeue);
    const task = this.#queue.add(
      () => {
        this.#queued.delete(index);
        return this.#run(index, start);
      },
      { signal: dequeue.signal },
    );
    const result = new AsyncResult(task, callbacks);
    const settled = result.wait();
    this.#unsettled.add(settled);
    void settled.then(() => this.#unsettled.delete(settled));
    return result;
  }

  async #run<T>(index: number, start: (context: TaskContext) => T | PromiseLike<T>): Promise<T> {
    const slot = this.#slots.acquire();
    // The same monotonic clock as performance.now(), whose global loads 9 of Node's modules (~1 ms of a CLI's start).
    const started = process.hrtime.bigint();
    this.#emit('taskStart', { index, slot, startedAt: Date.now() });
    let ok = false;
    try {
      const value = await start({ signal: this.#termination.signal, slot, index, pool: this });
      ok = true;
      return value;
    } finally {
      this.#slots.release(slot);
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      this.#emit('taskSettled', { index, slot, durationMs, ok });
    }
  }

  #emit<E extends keyof PoolEvents>(event: E, ...args: PoolEvents[E]): void {
    callHook(() => this.#events.emit(event, ...args));
  }

  #allSettled(): Promise<void> {
    return Promise.all(this.#unsettled).then(() => undefined);
  }
}

/** `fn(...args)` as a task start: inside it, across awaits, `currentTask()` returns the task's context. */
function inTask<A extends unknown[], T>(fn: TaskFunction<A, T>, args: A): (context: TaskContext) => T | PromiseLike<T> {
  return (context) => runInTask(context, () => fn(...args));
}

function* asArgs<I>(items: Iterable<I>): Generator<[I]> {
  for (const item of items) yield [item];
}
