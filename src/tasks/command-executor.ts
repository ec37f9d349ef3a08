import { toErrorRecord } from '../errors.js';
import { becomeCommand } from './become.js';
import type { TaskExecutor } from './executor.js';
import type { CommandTask } from './task.js';

/**
 * Runs one command line; its output is captured (capped) and streamed to the
 * context's live output. On a session whose host becomes another user, the
 * line runs in its become'd form (becomeCommand); the record still names the
 * line as given.
 */
export const commandExecutor: TaskExecutor<CommandTask> = {
  commandLine: (task) => task.command,
  async execute(task, { session, signal, live }) {
    const become = session.become?.enabled ? becomeCommand(task.command, session.become, session.label) : undefined;
    const outcome = await session
      .runCommand(become?.command ?? task.command, {
        timeoutMs: task.timeoutMs,
        maxOutputBytes: task.maxOutputBytes,
        onOutput: live.output,
        signal,
        stdin: task.stdin,
        pty: task.pty === true || become?.pty === true,
        env: task.env,
        dialog: become?.dialog,
      })
      .finally(live.end);
    const output = {
      stdout: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      truncated: { stdout: outcome.stdout.truncated, stderr: outcome.stderr.truncated },
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
    };
    if (outcome.timedOut) {
      const seconds = (task.timeoutMs ?? 0) / 1000;
      return { ...output, status: 'timeout', error: { code: 'COMMAND_TIMEOUT', message: `${session.label}: command still running after ${seconds} s; killed` } };
    }
    if (outcome.error?.code === 'BECOME_FAILED') {
      // The host answered, and the command never started: sudo's exit (or the kill that ended its prompt) is no outcome of the command's.
      return { ...output, exitCode: null, signal: null, status: 'failed', error: toErrorRecord(outcome.error) };
    }
    if (outcome.error) {
      const lost = outcome.error.code !== 'ABORTED';
      return { ...output, status: lost ? 'unreachable' : 'failed', error: toErrorRecord(outcome.error) };
    }
    const ok = outcome.exitCode === 0 && outcome.signal === null;
    return { ...output, status: ok ? 'ok' : 'failed', error: null };
  },
};
