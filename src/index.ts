export { SshpoolError, InputError, UsageError, toErrorRecord } from './errors.js';
export type { ErrorRecord } from './errors.js';
export { Pool, AsyncResult, currentTask } from './pool/index.js';
export { PoolClosedError, PoolSizeError, PoolStateError, PoolTerminatedError, TimeoutError } from './pool/index.js';
export type { PoolEvents, PoolOptions, ResultCallbacks, TaskContext, TaskFunction, TaskSettledEvent, TaskStartEvent } from './pool/index.js';
export { Inventory, loadInventory, connectionSettings, InventoryError, NoHostsMatchedError, PatternError } from './inventory/index.js';
export type { InventoryHost, InventoryGroup, ConnectionSettings, InventoryLocation, AnsibleList } from './inventory/index.js';
