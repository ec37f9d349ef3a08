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
  /** The inventory name, or the name as given for a host not in an inventory. */
  host: string;
  /** The command line this record is for; null for a connection check (ping). */
  command: string | null;
  /** The kind of task this record is for: `command`, `ping`, `with-cleanup`, `copy`, `fetch`, or a kind a library user registered. */
  kind: string;
  /** The address connected to (ansible_host, then ssh_config HostName, then the name). */
  address: string;
  /** The port connected to. */
  port: number;
  /** The remote user logged in as. */
  user: string;
  /** How the host ended; see HostStatus. */
  status: HostStatus;
  /** The remote exit code; null when it never exited (unreachable, timeout, skipped, a signal). */
  exitCode: number | null;
  /** The signal name (`TERM`) the remote reported killing the command with, else null. */
  signal: string | null;
  /** Captured stdout as UTF-8, up to maxOutputBytes; untrusted text: escape it before showing it on a terminal. */
  stdout: string;
  /** Captured stderr, as stdout. */
  stderr: string;
  /** Which streams maxOutputBytes cut. */
  truncated: {
    /** stdout was cut at the cap. */
    stdout: boolean;
    /** stderr was cut at the cap. */
    stderr: boolean;
  };
  /** Why the host did not end ok, with a stable code; null when the command ran to its exit (a non-zero exit is no error). */
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
  /** From the task's start to its record; the host's first task counts its connecting too. */
  durationMs: number;
  /** 1 for the first try; retries count up. */
  attempt: number;
  /** The errors of this host's earlier attempts in this run (--retries), oldest first; absent when this is its first. */
  previousErrors?: ErrorRecord[];
  /** true when no session could be had (connect, handshake, auth, host key): nothing ran on the host. Absent otherwise. */
  connectFailed?: true;
  /** Its batch (from 1) in a run of several (--batch); absent otherwise. */
  batch?: number;
  /** The pool slot that ran it (0-based), for timelines. */
  slot: number;
}

/** A host failed (for max-fail) when any of its records is not ok. */
export function hostFailed(results: readonly HostResult[]): boolean {
  return results.some((result) => result.status !== 'ok');
}

/**
 * The codes of a failure to connect that may pass if tried again: refused,
 * reset or dropped before the banner (sshd's MaxStartups), timed out, a failed
 * key exchange, a jump host that could not forward. Not AUTH_FAILED nor a host
 * key: those do not change by trying again.
 */
const TRANSIENT_CONNECT_CODES: ReadonlySet<string> = new Set(['CONNECT_REFUSED', 'CONNECT_RESET', 'CONNECT_TIMEOUT', 'HANDSHAKE_FAILED', 'PROXY_JUMP_FAILED']);

/** What --retries retries: the host could not be connected to for a reason that may pass, so no command started there. */
export function failedBeforeCommand(results: readonly HostResult[]): boolean {
  const first = results[0];
  return first?.connectFailed === true && first.error !== null && TRANSIENT_CONNECT_CODES.has(first.error.code);
}
