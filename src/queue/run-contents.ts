import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import type { CopyTask } from '../tasks/index.js';
import type { HostTask } from '../tasks/index.js';
import { fileToList } from './chunk-lists.js';
import { QueueError, UploadTooLargeError } from './errors.js';
import { RUN_TTL_SECONDS } from './keys.js';
import type { RunKeys } from './keys.js';

/** One distinct content of a run's copies: a local file that has it, and its size. */
interface LocalContent {
  local: string;
  size: number;
}

/** The hex SHA-256 of every file a run's copy tasks send (their entries carry it: copyTask's `sha256`). */
export function contentHashes(tasks: readonly HostTask[]): Set<string> {
  return new Set([...localContents(tasks).keys()]);
}

/**
 * Each distinct content of the run's copies: a file of `tasks` whose entry
 * has no SHA-256 refuses the run (the caller made the copy task without it).
 */
function localContents(tasks: readonly HostTask[]): Map<string, LocalContent> {
  const contents = new Map<string, LocalContent>();
  for (const task of tasks) {
    if (task.kind !== 'copy') continue;
    for (const source of (task as CopyTask).sources) {
      for (const entry of source.entries) {
        if (entry.kind !== 'file') continue;
        const local = entry.path === '' ? source.local : posix.join(source.local, entry.path);
        if (entry.sha256 === undefined) throw new UsageError(`copy through Redis: ${local} has no SHA-256: make the task with copyTask(..., { sha256: true })`);
        if (!contents.has(entry.sha256)) contents.set(entry.sha256, { local, size: entry.size });
      }
    }
  }
  return contents;
}

/**
 * Stores each distinct content of the run's copies once, as a list of
 * CONTENT_CHUNK_BYTES chunks under the run's keys (read one chunk at a time:
 * memory stays one chunk whatever the files), expiring with the run's other
 * keys. Refused before anything is stored when the distinct contents
 * together exceed `maxBytes`; a file whose bytes no longer have the hash it
 * was read with (changed since) refuses the run, with nothing queued yet.
 * @throws UploadTooLargeError UPLOAD_TOO_LARGE; QueueError CONTENT_CHANGED.
 */
export async function storeContents(redis: Redis, keys: RunKeys, tasks: readonly HostTask[], maxBytes: number): Promise<void> {
  const contents = localContents(tasks);
  const total = [...contents.values()].reduce((sum, content) => sum + content.size, 0);
  if (total > maxBytes) {
    throw new UploadTooLargeError(
      'UPLOAD_TOO_LARGE',
      `copy through Redis would store ${total} bytes of file contents there (${contents.size} distinct files), more than redis-max-upload (${maxBytes} bytes): raise --redis-max-upload (or the settings key), or copy without --redis`,
    );
  }
  for (const [sha256, content] of contents) await storeContent(redis, keys.content(sha256), sha256, content.local);
}

async function storeContent(redis: Redis, key: string, sha256: string, local: string): Promise<void> {
  const hash = createHash('sha256');
  try {
    await fileToList(redis, key, local, (chunk) => hash.update(chunk));
  } catch (error) {
    await redis.del(key);
    throw new QueueError('CONTENT_CHANGED', `copy through Redis: ${local} could not be read again to be stored (${(error as Error).message})`, { cause: error });
  }
  if (hash.digest('hex') !== sha256) {
    await redis.del(key);
    throw new QueueError('CONTENT_CHANGED', `copy through Redis: ${local} changed after it was read (its SHA-256 differs): nothing was queued`);
  }
  // An empty file has no list: the worker knows it by its size.
  await redis.expire(key, RUN_TTL_SECONDS);
}

/** Once the run has every record: the contents it stored go. */
export async function deleteContents(redis: Redis, keys: RunKeys, tasks: readonly HostTask[]): Promise<void> {
  const hashes = [...contentHashes(tasks)];
  if (hashes.length > 0) await redis.del(...hashes.map((sha256) => keys.content(sha256)));
}
