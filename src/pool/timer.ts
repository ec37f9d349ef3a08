import { MAX_TIMER_MS } from '../timer-delay.js';

/**
 * Runs `onTimeout` after `timeoutMs` (negative counts as 0) and returns a function that
 * cancels it. A delay too long for a Node timer (which would fire it after 1 ms, turning
 * "wait very long" into "do not wait") never fires, as the caller meant.
 */
export function startTimer(timeoutMs: number, onTimeout: () => void): () => void {
  if (!(timeoutMs <= MAX_TIMER_MS)) return () => undefined;
  const timer = setTimeout(onTimeout, Math.max(0, timeoutMs));
  return () => clearTimeout(timer);
}
