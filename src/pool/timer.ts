/** Node clamps longer delays to 1 ms (with a TimeoutOverflowWarning), which would turn "wait very long" into "do not wait". */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Runs `onTimeout` after `timeoutMs` (negative counts as 0) and returns a function that
 * cancels it. A delay too long for a Node timer never fires, as the caller meant.
 */
export function startTimer(timeoutMs: number, onTimeout: () => void): () => void {
  if (!(timeoutMs <= MAX_TIMER_DELAY_MS)) return () => undefined;
  const timer = setTimeout(onTimeout, Math.max(0, timeoutMs));
  return () => clearTimeout(timer);
}
