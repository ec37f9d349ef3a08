import { SshpoolError, toErrorRecord } from '../errors.js';
import { currentTask } from '../pool/index.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import type { HostResult } from './host-result.js';
import type { HostSession } from '../session/host-session.js';
import type { SessionCache } from '../session/session-cache.js';
import type { ReachableTarget, Target } from '../ssh/target-settings.js';

/** What a host task did once connected: the fields of HostResult it decides. */
type WorkOutcome = Pick<HostResult, 'status' | 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'truncated' | 'error'>;

/** Work to do on a connected host (or a local one); `run` must settle soon after `signal` aborts. */
export interface HostWork {
  /** What the record names as its command: the command line, or null for a connection check. */
  command: string | null;
  run: (session: HostSession, signal: AbortSignal) => Promise<WorkOutcome>;
}

/** Where a host task gets its session, and whether it leaves the connection open for a later run. */
export interface TaskSessions {
  cache: SessionCache;
  keep: boolean;
}

/**
 * One host, one pool task: acquire its session (connected through jumps; a
 * local host needs no connection), do each piece of work in turn over that one
 * session, release it, and describe each piece as a HostResult (in `works` order). Never throws:
 * failures are data; a host that cannot be reached gets the same unreachable
 * record for every piece. Must run inside a pool task (it reads its slot and
 * abort signal there).
 */
export async function runHostTask(sessions: TaskSessions, target: ReachableTarget, attempt: number, works: readonly HostWork[]): Promise<HostResult[]> {
  const { signal, slot } = currentTask();
  const results: HostResult[] = [];
  let started = Date.now();
  let session: HostSession | undefined;
  let connectFailure: WorkOutcome | undefined;
  try {
    session = await sessions.cache.acquire(target, signal);
  } catch (error) {
    connectFailure = failureOutcome(error, signal);
  }
  try {
    for (const work of works) {
      const outcome = connectFailure ?? (await attemptWork(work, session as HostSession, signal));
      const warnings = session?.warnings.length ? { warnings: [...session.warnings] } : {};
      results.push({ ...recordBase(target, work.command, attempt, slot, started), ...outcome, ...warnings, durationMs: Date.now() - started });
      started = Date.now();
    }
  } finally {
    if (session) sessions.cache.release(session, { keep: sessions.keep });
  }
  return results;
}

async function attemptWork(work: HostWork, session: HostSession, signal: AbortSignal): Promise<WorkOutcome> {
  if (signal.aborted) return failureOutcome(new SshpoolError('SKIPPED', `${session.label}: run stopped before this command started`), signal);
  try {
    return await work.run(session, signal);
  } catch (error) {
    return failureOutcome(error, signal);
  }
}

function failureOutcome(error: unknown, signal: AbortSignal): WorkOutcome {
  return { ...emptyOutput(), status: signal.aborted ? 'skipped' : 'unreachable', exitCode: null, signal: null, error: toErrorRecord(error) };
}

function recordBase(target: Target, command: string | null, attempt: number, slot: number, started: number) {
  return {
    host: target.label,
    command,
    address: target.hostname,
    port: target.port,
    user: target.user,
    startedAt: new Date(started).toISOString(),
    attempt,
    slot,
  };
}

export interface CommandWorkOptions {
  commandTimeoutMs?: number;
  maxOutputBytes: number;
  onOutput?: (stream: OutputStreamName, chunk: Buffer) => void;
  /** After the command's last output, however it ended. */
  onOutputEnd?: () => void;
}

/** The work of `run`: one command, its output captured and streamed. */
export function commandWork(command: string, options: CommandWorkOptions): HostWork {
  return { command, run: runCommandLine(command, options) };
}

function runCommandLine(command: string, options: CommandWorkOptions): HostWork['run'] {
  return async (session, signal) => {
    const outcome = await session.runCommand(command, {
      timeoutMs: options.commandTimeoutMs,
      maxOutputBytes: options.maxOutputBytes,
      onOutput: options.onOutput,
      signal,
    }).finally(options.onOutputEnd);
    const output = {
      stdout: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      truncated: { stdout: outcome.stdout.truncated, stderr: outcome.stderr.truncated },
      exitCode: outcome.exitCode,
      signal: outcome.signal,
    };
    if (outcome.timedOut) {
      const seconds = (options.commandTimeoutMs ?? 0) / 1000;
      return { ...output, status: 'timeout', error: { code: 'COMMAND_TIMEOUT', message: `${session.label}: command still running after ${seconds} s; killed` } };
    }
    if (outcome.error) {
      const lost = outcome.error.code !== 'ABORTED';
      return { ...output, status: lost ? 'unreachable' : 'failed', error: toErrorRecord(outcome.error) };
    }
    const ok = outcome.exitCode === 0 && outcome.signal === null;
    return { ...output, status: ok ? 'ok' : 'failed', error: null };
  };
}

/** The work of `ping`: being connected and authenticated is the whole test (a local host passes at once: there is nothing to connect to). */
export const pingWork: HostWork = {
  command: null,
  run: async () => ({ ...emptyOutput(), status: 'ok', exitCode: null, signal: null, error: null }),
};

function emptyOutput(): Pick<HostResult, 'stdout' | 'stderr' | 'truncated'> {
  return { stdout: '', stderr: '', truncated: { stdout: false, stderr: false } };
}

/** The record of a host whose task never started: the run was stopped first, or its inventory vars refused it. */
export function skippedResult(target: Target, work: HostWork, attempt: number, error: unknown): HostResult {
  return {
    ...recordBase(target, work.command, attempt, -1, Date.now()),
    status: 'skipped',
    exitCode: null,
    signal: null,
    ...emptyOutput(),
    error: toErrorRecord(error instanceof SshpoolError ? error : new SshpoolError('SKIPPED', String(error))),
    durationMs: 0,
  };
}
