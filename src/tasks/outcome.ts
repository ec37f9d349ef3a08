import { toErrorRecord } from '../errors.js';
import type { HostResult } from '../run/host-result.js';
import type { TaskOutcome } from './executor.js';

export function emptyOutput(): Pick<HostResult, 'stdout' | 'stderr' | 'truncated'> {
  return { stdout: '', stderr: '', truncated: { stdout: false, stderr: false } };
}

/** A task that could not run or did not finish: skipped when the run was stopped, else unreachable (no session, a lost connection). */
export function failureOutcome(error: unknown, signal: AbortSignal): TaskOutcome {
  return { ...emptyOutput(), status: signal.aborted ? 'skipped' : 'unreachable', exitCode: null, signal: null, error: toErrorRecord(error) };
}
