import { SshpoolError, toErrorRecord } from '../errors.js';
import { currentTask } from '../pool/index.js';
import type { SshConnection } from '../ssh/connection.js';
import { runRemoteCommand } from '../ssh/remote-command.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import type { HostResult } from './host-result.js';
import type { SshContext } from './ssh-context.js';
import type { TargetSettings } from './target-settings.js';

/** What a host task did once connected: the fields of HostResult it decides. */
type WorkOutcome = Pick<HostResult, 'status' | 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'truncated' | 'error'>;

/** Work to do on a connected host; it must settle soon after `signal` aborts. */
export type HostWork = (connection: SshConnection, signal: AbortSignal) => Promise<WorkOutcome>;

/**
 * One host, one pool task: connect (through jumps), do the work, close, and
 * describe what happened as a HostResult. Never throws: failures are data.
 * Must run inside a pool task (it reads its slot and abort signal there).
 */
export async function runHostTask(context: SshContext, target: TargetSettings, attempt: number, work: HostWork): Promise<HostResult> {
  const { signal, slot } = currentTask();
  const started = Date.now();
  const base = {
    host: target.label,
    address: target.hostname,
    port: target.port,
    user: target.user,
    startedAt: new Date(started).toISOString(),
    attempt,
    slot,
  };
  let outcome: WorkOutcome;
  let connection: SshConnection | undefined;
  try {
    connection = await context.connect(target, signal);
    outcome = await work(connection, signal);
  } catch (error) {
    outcome = { ...emptyOutput(), status: signal.aborted ? 'skipped' : 'unreachable', exitCode: null, signal: null, error: toErrorRecord(error) };
  } finally {
    connection?.close();
  }
  return { ...base, ...outcome, durationMs: Date.now() - started };
}

export interface CommandWorkOptions {
  commandTimeoutMs?: number;
  maxOutputBytes: number;
  onOutput?: (stream: OutputStreamName, chunk: Buffer) => void;
}

/** The work of `run`: one command, its output captured and streamed. */
export function commandWork(command: string, options: CommandWorkOptions): HostWork {
  return async (connection, signal) => {
    const outcome = await runRemoteCommand(connection, command, {
      timeoutMs: options.commandTimeoutMs,
      maxOutputBytes: options.maxOutputBytes,
      onOutput: options.onOutput,
      signal,
    });
    const output = {
      stdout: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      truncated: { stdout: outcome.stdout.truncated, stderr: outcome.stderr.truncated },
      exitCode: outcome.exitCode,
      signal: outcome.signal,
    };
    if (outcome.timedOut) {
      const seconds = (options.commandTimeoutMs ?? 0) / 1000;
      return { ...output, status: 'timeout', error: { code: 'COMMAND_TIMEOUT', message: `${connection.label}: command still running after ${seconds} s; killed` } };
    }
    if (outcome.error) {
      const lost = outcome.error.code !== 'ABORTED';
      return { ...output, status: lost ? 'unreachable' : 'failed', error: toErrorRecord(outcome.error) };
    }
    const ok = outcome.exitCode === 0 && outcome.signal === null;
    return { ...output, status: ok ? 'ok' : 'failed', error: null };
  };
}

/** The work of `ping`: being connected and authenticated is the whole test. */
export const pingWork: HostWork = async () => ({ ...emptyOutput(), status: 'ok', exitCode: null, signal: null, error: null });

function emptyOutput(): Pick<HostResult, 'stdout' | 'stderr' | 'truncated'> {
  return { stdout: '', stderr: '', truncated: { stdout: false, stderr: false } };
}

/** The record of a host whose task never started (the run was stopped first). */
export function skippedResult(target: TargetSettings, attempt: number, error: unknown): HostResult {
  return {
    host: target.label,
    address: target.hostname,
    port: target.port,
    user: target.user,
    status: 'skipped',
    exitCode: null,
    signal: null,
    ...emptyOutput(),
    error: toErrorRecord(error instanceof SshpoolError ? error : new SshpoolError('SKIPPED', String(error))),
    startedAt: new Date().toISOString(),
    durationMs: 0,
    attempt,
    slot: -1,
  };
}
