export { Pool } from './pool.js';
export type { PoolEvents, PoolOptions, TaskFunction, TaskSettledEvent, TaskStartEvent } from './pool.js';
export { AsyncResult } from './async-result.js';
export type { ResultCallbacks } from './async-result.js';
export { currentTask } from './task-context.js';
export type { TaskContext } from './task-context.js';
export { PoolClosedError, PoolSizeError, PoolStateError, PoolTerminatedError, TaskCancelledError, TimeoutError } from './errors.js';
