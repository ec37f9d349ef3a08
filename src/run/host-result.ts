import type { ErrorRecord } from '../errors.js';

/**
 * - ok: the command ran and exited 0
 * - failed: it ran and exited non-zero (or was killed by a signal the remote reported)
 * - unreachable: no session could be had (connect, auth, host key)
 * - timeout: the command outlived --timeout and was killed
 * - skipped: never started (pool terminated, run interrupted), or refused before
 *   connecting: a connection type sshpool cannot use, an inventory value it cannot use
 */
export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'timeout' | 'skipped';

/**
 * One host's outcome: plain, JSON-serialisable data. Every output mode and the
 * results file read this one record; errors are data here, never thrown.
 */
export interface HostResult {
  host: string;
  /** The command line this record is for; null for a connection check (ping). */
  command: string | null;
  /** The kind of task this record is for: `command`, `ping`, `with-cleanup`, or a kind a library user registered. */
  kind: string;
  address: string;
  port: number;
  user: string;
  status: HostStatus;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  error: ErrorRecord | null;
  /** What a kind of task needs to say beyond the common fields (plain JSON data), e.g. `with-cleanup`'s `{ cleanup }`; absent for command and ping. */
  detail?: Readonly<Record<string, unknown>>;
  /**
   * Present when something about the host needs the operator's eye although it ran,
   * e.g. a host key that contradicts known_hosts let through by StrictHostKeyChecking no.
   */
  warnings?: string[];
  /** ISO 8601, when the pool started this host's task. */
  startedAt: string;
  durationMs: number;
  /** 1 for the first try; retries count up. */
  attempt: number;
  /** The pool slot that ran it (0-based), for timelines. */
  slot: number;
}
