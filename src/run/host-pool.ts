import { EventEmitter } from 'node:events';
import { InputError } from '../errors.js';
import { TemplatedVariables } from '../inventory/index.js';
import type { Inventory, InventoryHost } from '../inventory/index.js';
import { Pool } from '../pool/index.js';
import type { AsyncResult, ResultCallbacks, TaskContext } from '../pool/index.js';
import { callHook } from '../pool/hooks.js';
import { inCompletionOrder, inSubmissionOrder } from '../pool/result-order.js';
import { SessionCache } from '../session/session-cache.js';
import { defaults } from '../settings/schema.js';
import { checkTimerOptions } from '../settings/run-options.js';
import type { RunOptions } from '../settings/run-options.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { resolveTarget } from '../ssh/target-settings.js';
import { commandTask, defaultExecutors } from '../tasks/index.js';
import type { ExecutorRegistry, HostTask } from '../tasks/index.js';
import type { HostResult } from './host-result.js';
import { runHostTask, skippedResults } from './host-task.js';
import type { HostTaskPlan } from './host-task.js';
import { toInventoryHost } from './host-run.js';
import type { HostInput } from './host-run.js';

/** What a HostPool task is: a plain-data task, or a command line (run as `commandTask` with the settings' timeout and output cap). */
export type HostPoolTask = HostTask | string;

/** What `new HostPool(options)` takes. */
export interface HostPoolOptions {
  /** How many tasks run at once, on any hosts: an integer >= 1 (`PoolSizeError` otherwise). */
  size: number;
  /** Where host names are looked up; without it a name is a host of ssh_config, as `runCommand` takes plain names. */
  inventory?: Inventory;
  /** The library's run options (how to reach hosts, timeouts, output caps); `forks` is not read: `size` bounds the pool. */
  settings?: RunOptions;
  /** What runs each kind of task; default `defaultExecutors()`. */
  executors?: ExecutorRegistry;
  /**
   * Connections to use and leave open: the caller's cache, which outlives the pool (`join()` and
   * `terminate()` do not close it) and whose ssh_config warnings are the caller's to show. Default: a
   * cache of the pool's own, made from `settings` and closed with the pool.
   */
  sessions?: SessionCache;
}

/** Live output of a running task, as it arrives. */
export interface HostPoolOutputEvent {
  /** The host's name, as given to the pool. */
  host: string;
  /** The task's submission number in the pool, from 0. */
  index: number;
  /** Which of the remote command's streams it came on. */
  stream: OutputStreamName;
  /** The bytes as they came: untrusted remote output, possibly part of a line. */
  chunk: Buffer;
}

/** The events a HostPool emits (`pool.on('output', ...)`). */
export type HostPoolEvents = {
  /** A running task's output, as it arrives. */
  output: [HostPoolOutputEvent];
  /** An ssh_config line sshpool ignores, said once when the pool reads its ssh_config. */
  warning: [string];
};

/** A host name given to a HostPool that has an inventory, and that inventory has no such host. */
export class UnknownHostError extends InputError<'HOST_UNKNOWN'> {
  /** The name that was given. */
  readonly host: string;

  constructor(host: string) {
    super('HOST_UNKNOWN', `${host}: no such host in the pool's inventory`);
    this.host = host;
  }
}

/**
 * Python's `multiprocessing.Pool` over SSH: at most `size` tasks run at once,
 * each on the host it was given, and each host's connection is kept for the
 * pool's next task there until `join()` or `terminate()` closes them all.
 * Every task's result is that host's `HostResult` record: a failure on the host
 * (unreachable, a non-zero exit, a timeout) is a record, never a rejection.
 *
 * ```ts
 * const pool = new HostPool({ size: 3, inventory, settings: { knownHostsFiles: ['known_hosts'] } });
 * const res = pool.applyAsync('web1', 'uptime');
 * pool.close();
 * await pool.join();
 * console.log((await res.get()).stdout);
 * ```
 */
export class HostPool extends EventEmitter<HostPoolEvents> {
  /** How many tasks run at once. */
  readonly size: number;
  private readonly pool: Pool;
  private readonly inventory: Inventory | undefined;
  private readonly settings: RunOptions;
  private readonly executors: ExecutorRegistry;
  private readonly sessions: Promise<SessionCache>;
  private readonly ownsSessions: boolean;
  /** One for the pool: a host's templated vars can read other hosts' (hostvars), each rendered once. */
  private readonly variables: TemplatedVariables;

  constructor(options: HostPoolOptions) {
    super();
    const settings = options.settings ?? {};
    checkTimerOptions(settings);
    this.pool = new Pool({ size: options.size });
    this.size = this.pool.size;
    this.inventory = options.inventory;
    this.settings = settings;
    this.executors = options.executors ?? defaultExecutors();
    this.variables = new TemplatedVariables({ vault: settings.vaultSecrets });
    this.ownsSessions = options.sessions === undefined;
    this.sessions = options.sessions ? Promise.resolve(options.sessions) : SessionCache.create(settings).then((sessions) => {
      // Listeners attached right after the pool was made are in place by now.
      for (const warning of sessions.sshConfig.warnings) callHook(() => this.emit('warning', warning));
      return sessions;
    });
    // A cache that could not be made (an unreadable ssh_config) rejects every task's result instead.
    this.sessions.catch(() => undefined);
    settings.signal?.addEventListener('abort', () => void this.terminate(), { once: true });
  }

  /** Tasks submitted and not started yet. */
  get pending(): number {
    return this.pool.pending;
  }

  /** Tasks running now. */
  get running(): number {
    return this.pool.running;
  }

  /**
   * Runs `task` on `host` when a slot is free, and returns at once. Throws at
   * the call (nothing is submitted): `PoolClosedError` after close/terminate,
   * `UnknownHostError` for a name the inventory lacks, `UnknownTaskKindError`
   * for a task no executor runs. `callback`/`errorCallback` run once as it settles.
   */
  applyAsync(host: HostInput, task: HostPoolTask, callbacks: ResultCallbacks<HostResult> = {}): AsyncResult<HostResult> {
    const inventoryHost = this.hostOf(host);
    const hostTask = this.taskOf(task);
    return this.pool.submit((context) => this.runOn(inventoryHost, hostTask, context), callbacks);
  }

  /** `applyAsync(host, task).get()`: waits for that host's record. */
  apply(host: HostInput, task: HostPoolTask): Promise<HostResult> {
    return this.applyAsync(host, task).get();
  }

  /** Runs `task` on every host (all submitted at the call); the records in submission order. */
  map(hosts: Iterable<HostInput>, task: HostPoolTask): Promise<HostResult[]> {
    return Promise.all(this.submitAll(hosts, task).map((result) => result.get()));
  }

  /** As `map` (every task submitted at the call), yielding each record once it and every one before it are done. */
  imap(hosts: Iterable<HostInput>, task: HostPoolTask): AsyncGenerator<HostResult, void, undefined> {
    return inSubmissionOrder(this.submitAll(hosts, task));
  }

  /** As `map` (every task submitted at the call), yielding records in completion order. */
  imapUnordered(hosts: Iterable<HostInput>, task: HostPoolTask): AsyncGenerator<HostResult, void, undefined> {
    return inCompletionOrder(this.submitAll(hosts, task));
  }

  /** No new tasks; the submitted ones still run. Submitting afterwards throws `PoolClosedError`. */
  close(): void {
    this.pool.close();
  }

  /**
   * Waits for every task, then closes the pool's connections. Throws
   * `PoolStateError` at the call unless `close()` or `terminate()` came first.
   */
  join(): Promise<void> {
    return this.pool.join().then(() => this.closeSessions());
  }

  /**
   * Drops pending tasks (their results reject with `PoolTerminatedError`),
   * kills the remote commands that are running (their records say so), and
   * once those have settled closes the pool's connections.
   */
  terminate(): Promise<void> {
    return this.pool.terminate().then(() => this.closeSessions());
  }

  private submitAll(hosts: Iterable<HostInput>, task: HostPoolTask): AsyncResult<HostResult>[] {
    const hostTask = this.taskOf(task);
    // Every host is checked before any task is submitted, as Pool.map reads all its arguments first.
    const inventoryHosts = Array.from(hosts, (host) => this.hostOf(host));
    return inventoryHosts.map((host) => this.pool.submit((context) => this.runOn(host, hostTask, context)));
  }

  private hostOf(host: HostInput): InventoryHost {
    if (typeof host !== 'string' || !this.inventory) return toInventoryHost(host);
    const known = this.inventory.host(host);
    if (!known) throw new UnknownHostError(host);
    return known;
  }

  private taskOf(task: HostPoolTask): HostTask {
    const { commandTimeoutMs, maxOutputBytes = defaults.maxOutputBytes } = this.settings;
    const hostTask = typeof task === 'string' ? commandTask(task, { timeoutMs: commandTimeoutMs, maxOutputBytes }) : task;
    this.executors.check(hostTask);
    return hostTask;
  }

  /** One pool task, `context`: the host's record for `task`, over the host's kept session. */
  private async runOn(host: InventoryHost, task: HostTask, context: TaskContext): Promise<HostResult> {
    const sessions = await this.sessions;
    const { index } = context;
    const plan: HostTaskPlan = {
      tasks: [task],
      executors: this.executors,
      listener: { output: (_task, stream, chunk) => this.emit('output', { host: host.name, index, stream, chunk }), outputEnd: () => undefined },
    };
    const target = resolveTarget(host, this.settings, sessions.sshConfig, this.variables.of(host).get);
    if (target.kind === 'refused') return skippedResults(target, plan, 1, target.error)[0]!;
    if (target.kind === 'ssh') await sessions.prepare([target]);
    const [result] = await runHostTask({ cache: sessions, keep: true }, target, 1, plan, context);
    return result!;
  }

  private async closeSessions(): Promise<void> {
    if (!this.ownsSessions) return;
    const sessions = await this.sessions.catch(() => undefined);
    sessions?.close();
  }
}
