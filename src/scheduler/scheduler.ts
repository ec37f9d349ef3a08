import type { Pool, TaskContext } from '../pool/index.js';
import { PoolTerminatedError, TaskCancelledError } from '../pool/index.js';
import type { SshpoolError } from '../errors.js';
import type { SchedulePolicy, ScheduledHost, Verdict } from './policy.js';
import { CONTINUE } from './policy.js';

/** What the scheduler runs and reports; it knows nothing of SSH. */
export interface ScheduleHooks<R> {
  /** Runs the host in its pool task, `task`. */
  run(host: ScheduledHost, attempt: number, task: TaskContext): Promise<R>;
  /** The host's outcome is final (no retry follows): report it. Returns what the run's results keep of it. */
  finished(host: ScheduledHost, outcome: R): R;
  /**
   * The host never started: report and return its record. `reason` is the
   * policy's stop reason, or undefined when the run was stopped (stop())
   * before the host started.
   */
  skipped(host: ScheduledHost, attempt: number, reason: unknown): R;
  /** The host is about to run again, its backoff over: `outcome` is the attempt before, never reported as final (keep its error, say). */
  retrying?(host: ScheduledHost, outcome: R, attempt: number): void;
  /** A wave (a batch) is submitted (after a stop: about to be recorded skipped): its number from 1 and its hosts' positions, in start order. */
  waveStarted?(wave: number, positions: readonly number[]): void;
}

/**
 * Feeds hosts to a pool as its policy says, and gives every host's outcome in
 * the order of the hosts it was given, whatever order they ran in. `stop()`
 * is Ctrl-C: running hosts are told to stop (the pool is terminated), hosts
 * waiting out a retry's backoff keep the outcome of their last attempt, and no
 * host starts any more. The pool is the scheduler's alone; it is closed once
 * every host has its outcome.
 */
export class Scheduler<R> {
  /** Set by a policy's stop verdict: no host starts from then on. */
  #stopReason: SshpoolError | undefined;
  /** Aborted by stop() or a stop verdict: ends every backoff wait, since no retry would start. */
  readonly #halt = new AbortController();
  /** The waves firstStarts drew from the policy, for `run` to go on from. */
  #drawn: { hosts: readonly ScheduledHost[]; first: IteratorResult<readonly number[]>; rest: Iterator<readonly number[]> } | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly policy: SchedulePolicy<R>,
    private readonly hooks: ScheduleHooks<R>,
  ) {}

  /** Ctrl-C: terminates the pool (running hosts are told to stop) and starts no further host. */
  stop(): void {
    this.#halt.abort();
    void this.pool.terminate();
  }

  /**
   * Submits the first wave's first hosts before its first await, so that those
   * hosts start in this call. A wave's hosts go to the pool as its queue has room
   * for them (at most `pool.size` waiting), not all at once: a queued task holds
   * a handle, a promise and its abort wiring, which for 10,000 hosts would be
   * most of the run's memory.
   */
  async run(hosts: readonly ScheduledHost[]): Promise<R[]> {
    const outcomes = new Array<R>(hosts.length);
    try {
      let number = 0;
      for (const wave of this.#waves(hosts)) {
        number += 1;
        this.hooks.waveStarted?.(number, wave);
        const settling: Promise<void>[] = [];
        for (const position of wave) {
          if (this.pool.pending >= this.pool.size) await this.#roomInQueue();
          const host = hosts[position] as ScheduledHost;
          settling.push(this.#settle(host, host.attempt).then((outcome) => void (outcomes[position] = outcome)));
        }
        await Promise.all(settling);
      }
    } finally {
      this.pool.close();
    }
    return outcomes;
  }

  /**
   * The positions in `hosts` of the hosts `run(hosts)` will start first, before
   * any finishes: the start of the policy's first wave, as many as the pool
   * has slots. The policy's waves are drawn here, once (a policy may count them):
   * `run` with the same hosts goes on from them.
   */
  firstStarts(hosts: readonly ScheduledHost[]): readonly number[] {
    const waves = this.policy.waves(hosts)[Symbol.iterator]();
    const first = waves.next();
    this.#drawn = { hosts, first, rest: waves };
    return first.done ? [] : first.value.slice(0, this.pool.size);
  }

  /** The policy's waves, or the rest of those firstStarts drew for these hosts. */
  *#waves(hosts: readonly ScheduledHost[]): Iterable<readonly number[]> {
    const drawn = this.#drawn;
    this.#drawn = undefined;
    if (drawn?.hosts !== hosts) {
      yield* this.policy.waves(hosts);
      return;
    }
    for (let wave = drawn.first; !wave.done; wave = drawn.rest.next()) yield wave.value;
  }

  /** Until the pool's queue is below its size (a task started) or the run is halted (the rest are skipped, not queued). */
  async #roomInQueue(): Promise<void> {
    while (!this.#halted && this.pool.pending >= this.pool.size) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.pool.off('taskStart', wake);
          this.#halt.signal.removeEventListener('abort', wake);
          resolve();
        };
        this.pool.on('taskStart', wake);
        this.#halt.signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  get #halted(): boolean {
    return this.#halt.signal.aborted;
  }

  async #settle(host: ScheduledHost, attempt: number): Promise<R> {
    if (this.#halted) return this.hooks.skipped(host, attempt, this.#stopReason);
    let ran: { outcome: R; verdict: Verdict };
    try {
      ran = await this.pool.submit((task) => this.#runInTask(host, attempt, task)).get();
    } catch (error) {
      // The pool dropped it before it started: for a policy's stop, the policy's reason is the host's; for
      // stop(), none, as for the hosts not yet handed to the pool (a wave goes to it as its queue has room).
      if (error instanceof TaskCancelledError && this.#stopReason) return this.hooks.skipped(host, attempt, this.#stopReason);
      return this.hooks.skipped(host, attempt, error instanceof PoolTerminatedError ? undefined : error);
    }
    if (ran.verdict.next !== 'retry') return ran.outcome;
    await this.#backoff(ran.verdict.after);
    // Stopped during the backoff: this attempt's outcome is the host's.
    if (this.#halted) return this.hooks.finished(host, ran.outcome);
    this.hooks.retrying?.(host, ran.outcome, attempt);
    return this.#settle(host, attempt + 1);
  }

  /** Waits for the policy's backoff, or less: until the run is stopped. */
  async #backoff(after: ((signal: AbortSignal) => PromiseLike<void>) | undefined): Promise<void> {
    if (!after || this.#halted) return;
    const signal = this.#halt.signal;
    let onHalt = (): void => undefined;
    const halted = new Promise<void>((resolve) => {
      onHalt = resolve;
      signal.addEventListener('abort', onHalt, { once: true });
    });
    try {
      await Promise.race([after(signal), halted]);
    } finally {
      signal.removeEventListener('abort', onHalt);
    }
  }

  /** Inside the pool task, so the host is reported before its slot takes the next one. */
  async #runInTask(host: ScheduledHost, attempt: number, task: TaskContext): Promise<{ outcome: R; verdict: Verdict }> {
    const outcome = await this.hooks.run(host, attempt, task);
    const verdict = this.#halted ? CONTINUE : this.policy.finished(host, outcome, attempt);
    if (verdict.next === 'retry') return { outcome, verdict };
    const kept = this.hooks.finished(host, outcome);
    if (verdict.next === 'stop') {
      this.#stopReason = verdict.reason;
      this.#halt.abort();
      void this.pool.cancelPending();
    }
    return { outcome: kept, verdict };
  }
}
