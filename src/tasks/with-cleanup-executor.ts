import type { TaskExecutor, TaskOutcome } from './executor.js';
import { SILENT } from './executor.js';
import type { WithCleanupTask } from './task.js';

/** What a with-cleanup record's `detail.cleanup` says about the cleanup step. */
export interface CleanupDetail extends Omit<TaskOutcome, 'warnings'> {
  /** The cleanup task's kind. */
  kind: string;
  /** The cleanup's command line, null for a kind without one. */
  command: string | null;
}

/** Main, then the cleanup whatever main's outcome; the record is main's, the cleanup's in `detail.cleanup`. */
export const withCleanupExecutor: TaskExecutor<WithCleanupTask> = {
  commandLine: (task, of) => of(task.main),
  steps: (task) => [task.main, task.cleanup],
  async execute(task, context) {
    const main = await context.execute(task.main);
    // A stop kills main, but what main left behind must still go: the cleanup runs on a
    // signal of its own (bounded by its own timeout), and streams nothing.
    const signal = context.signal.aborted ? new AbortController().signal : context.signal;
    const { warnings: cleanupWarnings = [], ...cleanup } = await context.execute(task.cleanup, { signal, live: SILENT });
    const warnings = [...(main.warnings ?? []), ...cleanupWarnings, ...(cleanup.status === 'ok' ? [] : [cleanupFailure(cleanup)])];
    const detail: { cleanup: CleanupDetail } = { cleanup: { kind: task.cleanup.kind, command: context.commandLine(task.cleanup), ...cleanup } };
    return { ...main, detail: { ...main.detail, ...detail }, ...(warnings.length > 0 ? { warnings } : {}) };
  },
};

function cleanupFailure(cleanup: TaskOutcome): string {
  const why = cleanup.error ? `${cleanup.error.code}: ${cleanup.error.message}` : `exit code ${String(cleanup.exitCode ?? cleanup.signal)}`;
  return `cleanup ${cleanup.status}: ${why}`;
}
