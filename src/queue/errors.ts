import { SshpoolError } from '../errors.js';

/**
 * Stable codes of runs through Redis (`--redis`, `sshpool worker`):
 * `REDIS_UNAVAILABLE` Redis could not be reached or refused us (password, TLS)
 * before anything was queued; `RUN_NOT_FOUND` `--attach` named a run Redis
 * does not hold; `WORKER_LOST` (in a host's record, status `unreachable`) the
 * worker running the host stopped after it may have started its commands.
 */
export type QueueErrorCode = 'REDIS_UNAVAILABLE' | 'RUN_NOT_FOUND' | 'WORKER_LOST';

export class QueueError extends SshpoolError<QueueErrorCode> {}
