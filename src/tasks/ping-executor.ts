import type { TaskExecutor } from './executor.js';
import { emptyOutput } from './outcome.js';
import type { PingTask } from './task.js';

/** Being connected and authenticated is the whole test (a local host passes at once: there is nothing to connect to). */
export const pingExecutor: TaskExecutor<PingTask> = {
  commandLine: () => null,
  execute: async (task, { session }) => ({
    ...emptyOutput(),
    status: 'ok',
    exitCode: null,
    signal: null,
    error: null,
    ...(task.trust && session.trust ? { detail: { trust: { ...session.trust } } } : {}),
  }),
};
