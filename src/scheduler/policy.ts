import type { SshpoolError } from '../errors.js';

/** A host as the scheduler and its policy see it. */
export interface ScheduledHost {
  /** Its position in the run's list of hosts (the order records come back in). */
  readonly index: number;
  /** How messages name it (`web1`, or `web1 (10.0.0.5)`). */
  readonly label: string;
  /** The attempt number of its first start (above 1 when re-running an earlier run's failures). */
  readonly attempt: number;
}

/**
 * What to do after a host finished:
 * - continue: its outcome is final; go on starting hosts;
 * - retry: run it again (attempt + 1) once `after` resolves (a backoff); the outcome of this attempt is not reported;
 * - stop: its outcome is final, and no host starts from now on: the running ones finish, the rest are
 *   recorded skipped with `reason` (its code says why).
 */
export type Verdict =
  | {
      /** The outcome is final; go on. */
      readonly next: 'continue';
    }
  | {
      /** Run the host again. */
      readonly next: 'retry';
      /**
       * The backoff: resolves when the retry may start; none: at once. `signal`
       * aborts when the run is stopped (Ctrl-C), which ends the wait at once
       * whatever the promise does: release its timer then.
       */
      readonly after?: (signal: AbortSignal) => PromiseLike<void>;
    }
  | {
      /** The outcome is final and no host starts from now on. */
      readonly next: 'stop';
      /** Recorded as the error of every host left unstarted. */
      readonly reason: SshpoolError;
    };

/** The verdict of a policy that lets every outcome stand. */
export const CONTINUE: Verdict = { next: 'continue' };

/**
 * Which host starts next and whether to start more at all. One instance per
 * run (a policy may count what it has seen). The scheduler calls `waves` once,
 * then `finished` inside each host's pool task, as soon as its outcome is
 * known and before its slot takes the next host.
 */
export interface SchedulePolicy<R> {
  /**
   * The hosts as positions in `hosts`, in groups started one after the other:
   * every host of a group is submitted to the pool (which starts them in that
   * order as slots free up) once every host of the group before has finished.
   * A position left out of every group is never started nor recorded: list each once.
   */
  waves(hosts: readonly ScheduledHost[]): Iterable<readonly number[]>;
  /** A host's attempt ended with `outcome`: what next (called synchronously, before its slot is reused). */
  finished(host: ScheduledHost, outcome: R, attempt: number): Verdict;
  /** How many groups `waves` gives for this many hosts, where known beforehand (for a progress display's `batch 2/5`). */
  waveCount?(hostCount: number): number;
}

/** Today's behaviour: every host, in input order, one wave; never stops early, never retries. */
export const INPUT_ORDER: SchedulePolicy<unknown> = {
  waves: (hosts) => [hosts.map((host) => host.index)],
  finished: () => CONTINUE,
};
