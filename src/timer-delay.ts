/**
 * The longest delay Node's timers hold (a signed 32-bit count of ms, about 24.8
 * days): setTimeout and setInterval fire a longer one after 1 ms instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The one conversion of a user's duration into a timer delay (command timeout,
 * connect timeout, keepalive interval; from flags, library options or
 * ssh_config): whole milliseconds from 1 to MAX_TIMER_MS, or 0 for "off" where
 * `allowZero`. A value a timer cannot hold is refused through `fail` (which
 * throws the caller's error, naming its option), never rounded to 0 nor left to
 * overflow.
 */
export function timerDelayMs(ms: number, allowZero: boolean, fail: (reason: string) => never): number {
  if (!Number.isFinite(ms) || ms < 0) return fail('is not a duration (a number, 0 or more)');
  if (ms === 0) return allowZero ? 0 : fail('must be greater than 0');
  if (ms < 1) return fail('is less than 1 ms, the shortest delay a timer can wait');
  const whole = Math.round(ms);
  if (whole > MAX_TIMER_MS) return fail(`is more than ${MAX_TIMER_MS / 1000} s (about 24.8 days), the longest delay a timer can wait`);
  return whole;
}

/**
 * Resolves true after `ms`, or false as soon as `signal` aborts (the timer is
 * then cleared, so a stopped run is not kept alive by a wait nobody needs).
 */
export function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
