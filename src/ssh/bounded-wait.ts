import type { SshpoolError } from '../errors.js';

/** What ends a wait early, and the error each way gives. */
export interface WaitLimits {
  /** 0: no time limit, only the signal. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  timedOut: () => SshpoolError;
  aborted: () => SshpoolError;
}

/**
 * Settles the wait with a step's outcome. Returns false when the wait has
 * already ended (timed out or aborted): the caller then disposes of what came
 * too late (closes the channel it was given, say).
 */
export type Settle<T> = (error: unknown, value?: T) => boolean;

/**
 * Waits for a callback-style step that has no timer of its own (ssh2's channel
 * opens and forwards answer only if the server does), ending it when the time
 * is up or the signal aborts, so that a frozen server cannot hold a host, or a
 * stopped run, forever.
 */
export function waitWithin<T>(limits: WaitLimits, start: (settle: Settle<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (limits.signal?.aborted) {
      reject(limits.aborted());
      return;
    }
    let waiting = true;
    const end = (): boolean => {
      if (!waiting) return false;
      waiting = false;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (end()) reject(limits.aborted());
    };
    const timer = limits.timeoutMs > 0 ? setTimeout(() => end() && reject(limits.timedOut()), limits.timeoutMs) : undefined;
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    const settle: Settle<T> = (error, value) => {
      if (!end()) return false;
      if (error) reject(error);
      else resolve(value as T);
      return true;
    };
    try {
      start(settle);
    } catch (error) {
      settle(error);
    }
  });
}

/**
 * What is left of `timeoutMs` counted from `startedAt`: at least 1 ms, so that a
 * step started late still ends by timing out; 0 stays "no limit".
 */
export function remainingMs(timeoutMs: number, startedAt: number): number {
  return timeoutMs === 0 ? 0 : Math.max(1, timeoutMs - (Date.now() - startedAt));
}
