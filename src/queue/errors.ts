import { InputError, SshpoolError } from '../errors.js';

/**
 * Stable codes of runs through Redis (`--redis`, `sshpool worker`):
 * `REDIS_UNAVAILABLE` Redis could not be reached or refused us (password, TLS)
 * before anything was queued; `RUN_NOT_FOUND` `--attach` named a run Redis
 * does not hold; `WORKER_LOST` (in a host's record, status `unreachable`) the
 * worker running the host stopped after it may have started its commands;
 * `CONTENT_CHANGED` a local file of a copy changed between its reading and its
 * storing (nothing was queued); `CONTENT_UNAVAILABLE` (in a host's record,
 * status `failed`) the worker could not get a copy's file from Redis (gone,
 * or not the bytes its SHA-256 names) or write it to its private directory.
 */
export type QueueErrorCode = 'REDIS_UNAVAILABLE' | 'RUN_NOT_FOUND' | 'WORKER_LOST' | 'CONTENT_CHANGED' | 'CONTENT_UNAVAILABLE';

export class QueueError extends SshpoolError<QueueErrorCode> {}

/** `UPLOAD_TOO_LARGE`: a copy through Redis whose distinct file contents exceed `redis-max-upload`; refused before anything is stored or queued. */
export class UploadTooLargeError extends InputError<'UPLOAD_TOO_LARGE'> {}
