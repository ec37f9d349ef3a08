import type { HostResult } from '../run/host-result.js';

/** Why a host did not end `ok`, in one line (null when it did). */
export function statusNote(result: HostResult): string | null {
  if (result.status === 'ok') return null;
  if (result.error) return `${result.error.code}: ${result.error.message}`;
  if (result.signal) return `killed by signal ${result.signal}`;
  return `exit code ${result.exitCode ?? 'unknown'}`;
}

/**
 * How a host ended, without its name or any per-host detail, so hosts that
 * ended alike share it: `[failed] exit code 1`, `[unreachable] AUTH_FAILED`;
 * null for `ok`.
 */
export function outcomeLabel(result: HostResult): string | null {
  if (result.status === 'ok') return null;
  if (result.error) return `[${result.status}] ${result.error.code}`;
  if (result.signal) return `[${result.status}] killed by signal ${result.signal}`;
  return `[${result.status}] exit code ${result.exitCode ?? 'unknown'}`;
}
