import { abortableDelay } from '../timer-delay.js';

/** The clock and the wait a pacer uses; tests pass controlled ones. */
export interface PacerTime {
  now(): number;
  /** Resolves after `ms`; rejects with `aborted()` (releasing its timer) when `signal` aborts first. */
  sleep(ms: number, signal: AbortSignal | undefined, aborted: () => unknown): Promise<void>;
}

async function sleepOrAbort(ms: number, signal: AbortSignal | undefined, aborted: () => unknown): Promise<void> {
  if (!(await abortableDelay(ms, signal))) throw aborted();
}

const REAL_TIME: PacerTime = { now: () => Date.now(), sleep: sleepOrAbort };

/**
 * `--connect-rate N/s`: new connections spaced 1/N s apart, run-wide (a token
 * bucket that holds one token, so no burst crosses a bastion or a firewall's
 * SYN limit at once). Each caller gets the next free start time in turn, so
 * the wait is O(1) per connection whatever the number waiting.
 */
export class ConnectPacer {
  private nextStart = Number.NEGATIVE_INFINITY;
  private readonly intervalMs: number;

  constructor(perSecond: number, private readonly time: PacerTime = REAL_TIME) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when this connection may start; rejects with `aborted()` when `signal` aborts first (its turn is then lost, not given back). */
  async turn(signal: AbortSignal | undefined, aborted: () => unknown): Promise<void> {
    const now = this.time.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + this.intervalMs;
    if (start > now) await this.time.sleep(start - now, signal, aborted);
    else if (signal?.aborted) throw aborted();
  }
}
