export { SshpoolError, InputError, UsageError, toErrorRecord } from './errors.js';
export type { ErrorRecord } from './errors.js';
