import { abortableDelay } from '../timer-delay.js';
import type { SchedulePolicy, ScheduledHost, Verdict } from './policy.js';
import { INPUT_ORDER } from './policy.js';

/** How `retries` runs a host again. */
export interface RetryOptions<R> {
  /** Attempts after the first (0: none). */
  retries: number;
  /** The backoff's base, in ms: the wait before retry k is at most `delayMs` × 2^(k-1), and never more than 32 × `delayMs`. */
  delayMs: number;
  /** Whether an outcome may be retried: only one where nothing ran on the host (a command that started never runs twice). */
  retryable: (outcome: R) => boolean;
  /** A number in [0, 1); default Math.random (tests pass a fixed one). */
  random?: () => number;
  /** Resolves after `ms`, or at once when `signal` aborts (releasing its timer); default a timer (tests pass controlled promises). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The cap of the exponential backoff, in multiples of its base (the 6th retry and later wait at most this). */
const MAX_BACKOFF_FACTOR = 32;

/**
 * AWS's "full jitter": a random wait between 0 and min(cap, base × 2^(retry-1)),
 * so that hosts refused at the same moment (sshd's MaxStartups) come back spread out.
 */
export function backoffMs(retry: number, delayMs: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_FACTOR * delayMs, delayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  await abortableDelay(ms, signal);
}

/**
 * Runs a host again, up to `retries` times, when `retryable` says its outcome
 * is one where nothing ran (a refused or reset connection, a connect timeout,
 * a failed handshake), after a jittered exponential backoff (see backoffMs).
 * Retries count from the host's first attempt of this run. `base` orders the
 * hosts and judges every outcome not retried (its stop stands); policies
 * built on this one see a retried attempt as a retry, not a failure.
 */
export function retries<R>(options: RetryOptions<R>, base: SchedulePolicy<R> = INPUT_ORDER): SchedulePolicy<R> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? sleepUnlessAborted;
  const waveCount = base.waveCount?.bind(base);
  return {
    waves: (hosts) => base.waves(hosts),
    ...(waveCount ? { waveCount } : {}),
    finished(host: ScheduledHost, outcome: R, attempt: number): Verdict {
      const retry = attempt - host.attempt + 1;
      if (retry > options.retries || !options.retryable(outcome)) return base.finished(host, outcome, attempt);
      const ms = backoffMs(retry, options.delayMs, random);
      return { next: 'retry', after: (signal) => sleep(ms, signal) };
    },
  };
}
