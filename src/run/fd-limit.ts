import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Descriptors Node, stdio, log and result files use besides the hosts' sockets. */
const BASELINE_DESCRIPTORS = 64;

/**
 * Fails a run up front when the fanout cannot get the file descriptors it
 * needs (ParallelSSH stops at about 1,010 hosts with EMFILE mid-run). Each
 * running host holds a socket, and with --out-dir two files; `perHost` says how
 * many. On systems without /proc/self/limits the check is skipped.
 */
export function checkDescriptorLimit(forks: number, perHost: number, limitsText = readLimits()): void {
  const soft = limitsText === undefined ? undefined : openFilesSoftLimit(limitsText);
  if (soft === undefined) return;
  const needed = forks * perHost + BASELINE_DESCRIPTORS;
  if (needed > soft) {
    throw new InputError(
      'FD_LIMIT',
      `--forks ${forks} needs about ${needed} open files, but this process may open ${soft} (ulimit -n): raise it (ulimit -n ${needed}) or lower --forks to ${Math.max(1, Math.floor((soft - BASELINE_DESCRIPTORS) / perHost))}`,
    );
  }
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

function openFilesSoftLimit(limitsText: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limitsText);
  if (!match || match[1] === 'unlimited') return undefined;
  return Number(match[1]);
}
