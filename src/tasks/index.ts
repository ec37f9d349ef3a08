export { commandTask, PING_TASK } from './task.js';
export type { CommandTask, HostTask, PingTask, WithCleanupTask } from './task.js';
export type { ExecutionContext, LiveTaskOutput, TaskExecutor, TaskOutcome } from './executor.js';
export { SILENT } from './executor.js';
export { ExecutorRegistry, defaultExecutors } from './registry.js';
export { UnknownTaskKindError } from './errors.js';
export type { CleanupDetail } from './with-cleanup-executor.js';
