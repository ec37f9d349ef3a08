import { toErrorRecord } from '../errors.js';
import type { TaskExecutor } from './executor.js';
import type { CommandTask } from './task.js';

/** Runs one command line; its output is captured (capped) and streamed to the context's live output. */
export const commandExecutor: TaskExecutor<CommandTask> = {
  commandLine: (task) => task.command,
  async execute(task, { session, signal, live }) {
    const outcome = await session
      .runCommand(task.command, { timeoutMs: task.timeoutMs, maxOutputBytes: task.maxOutputBytes, onOutput: live.output, signal })
      .finally(live.end);
    const output = {
      stdout: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      truncated: { stdout: outcome.stdout.truncated, stderr: outcome.stderr.truncated },
      exitCode: outcome.exitCode,
      signal: outcome.signal,
    };
    if (outcome.timedOut) {
      const seconds = (task.timeoutMs ?? 0) / 1000;
      return { ...output, status: 'timeout', error: { code: 'COMMAND_TIMEOUT', message: `${session.label}: command still running after ${seconds} s; killed` } };
    }
    if (outcome.error) {
      const lost = outcome.error.code !== 'ABORTED';
      return { ...output, status: lost ? 'unreachable' : 'failed', error: toErrorRecord(outcome.error) };
    }
    const ok = outcome.exitCode === 0 && outcome.signal === null;
    return { ...output, status: ok ? 'ok' : 'failed', error: null };
  },
};
