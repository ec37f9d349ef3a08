import type { HostResult } from '../run/host-result.js';

/** Exit codes as pssh documents them; users script against these. */
export const EXIT_OK = 0;
export const EXIT_OTHER = 1;
export const EXIT_USAGE = 2;
export const EXIT_KILLED_OR_TIMEOUT = 3;
export const EXIT_SSH_ERROR = 4;
export const EXIT_REMOTE_NONZERO = 5;

/**
 * The run's exit code from its records, with pssh's precedence: a killed or
 * timed-out host first (a command killed because the user stopped the run
 * counts as killed), then SSH errors, then remote non-zero exits; hosts only
 * skipped make it 1.
 */
export function exitCodeForResults(results: readonly HostResult[]): number {
  if (results.some((r) => r.status === 'timeout' || r.signal !== null || r.error?.code === 'ABORTED')) return EXIT_KILLED_OR_TIMEOUT;
  if (results.some((r) => r.status === 'unreachable')) return EXIT_SSH_ERROR;
  if (results.some((r) => r.status === 'failed')) return EXIT_REMOTE_NONZERO;
  if (results.some((r) => r.status === 'skipped')) return EXIT_OTHER;
  return EXIT_OK;
}
