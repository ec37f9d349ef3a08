import { lstat, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { FileError } from '../ssh/errors.js';
import type { HostResult } from '../run/host-result.js';
import { finishLocalDirectory, makeLocalDirectory, writeLocalFile } from '../tasks/fetch-executor.js';
import { firstFileError, TransferTally } from '../tasks/transfer-tally.js';
import type { FileErrorDetail, FileTransferDetail } from '../tasks/index.js';
import { fileToList, listToFile } from './chunk-lists.js';
import { RUN_TTL_SECONDS } from './keys.js';
import { settingByKey } from '../settings/schema.js';
import { parseBytes } from '../settings/values.js';

/** redis-max-fetch's default, for plans that do not say (a library's run without the option). */
export const DEFAULT_MAX_FETCH_BYTES = parseBytes(String(settingByKey('redis-max-fetch')!.default), 'redis-max-fetch');

/** One entry of what a worker fetched for a host, below the host's directory, parents before children. */
interface FetchedEntry {
  /** `/`-separated, below the host's directory. */
  path: string;
  kind: 'file' | 'directory';
  /** Permission bits as the worker's fetch left them (the remote's, less set-id and sticky bits). */
  mode: number;
  atime: number;
  mtime: number;
  /** A file's bytes; its chunks are in the list `<prefix>:<its position among the files>`. */
  size: number;
}

/**
 * Worker side: what the fetch put in `hostDir` goes to Redis under `prefix`
 * (a chunk at a time), as long as the host's bytes stay within `room`; a
 * file that would take them past it stays here, and is in `refused`.
 */
export async function sendFetched(redis: Redis, prefix: string, hostDir: string, room: number): Promise<{ bytes: number; refused: { path: string; size: number }[] }> {
  const entries: FetchedEntry[] = [];
  const refused: { path: string; size: number }[] = [];
  let bytes = 0;
  let files = 0;
  const walk = async (dir: string, relative: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const file = path.join(dir, name);
      const below = relative === '' ? name : `${relative}/${name}`;
      const stats = await lstat(file);
      const attributes = { mode: stats.mode & 0o777, atime: Math.floor(stats.atimeMs / 1000), mtime: Math.floor(stats.mtimeMs / 1000) };
      if (stats.isDirectory()) {
        entries.push({ path: below, kind: 'directory', size: 0, ...attributes });
        await walk(file, below);
      } else if (stats.isFile()) {
        if (bytes + stats.size > room) {
          refused.push({ path: below, size: stats.size });
          continue;
        }
        const key = `${prefix}:${files++}`;
        await fileToList(redis, key, file);
        await redis.expire(key, RUN_TTL_SECONDS);
        bytes += stats.size;
        entries.push({ path: below, kind: 'file', size: stats.size, ...attributes });
      }
    }
  };
  await walk(hostDir, '').catch((error: unknown) => {
    // The fetch made no directory (no file came): nothing to send.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
  await redis.set(`${prefix}:manifest`, JSON.stringify(entries), 'EX', RUN_TTL_SECONDS);
  return { bytes, refused };
}

/** What did not reach the controller's LOCALDIR of a host's fetch: each file's error, and the files and bytes the worker counted for them. */
export interface Undelivered {
  errors: FileErrorDetail[];
  files: number;
  bytes: number;
}

/**
 * Controller side: the entries a worker sent under `prefix`, written below
 * `hostDir` as a local fetch writes them (each file to a temporary name, then
 * renamed), then deleted from Redis. Undefined when the worker sent nothing
 * (the host's fetch never ran there); else what could not be written here.
 */
export async function receiveFetched(redis: Redis, prefix: string, hostDir: string, preserve: boolean): Promise<Undelivered | undefined> {
  const manifest = await redis.get(`${prefix}:manifest`);
  if (manifest === null) return undefined;
  const entries = JSON.parse(manifest) as FetchedEntry[];
  const tally = new TransferTally();
  const undelivered = { files: 0, bytes: 0 };
  const keys = [`${prefix}:manifest`];
  const directories: FetchedEntry[] = [];
  let fileIndex = 0;
  for (const entry of entries) {
    const local = path.join(hostDir, ...entry.path.split('/'));
    if (entry.kind === 'directory') {
      if (await tally.attempt(() => makeLocalDirectory(local))) directories.push(entry);
      continue;
    }
    const key = `${prefix}:${fileIndex++}`;
    keys.push(key);
    if (!(await tally.attempt(() => writeLocalFile(local, (temporary) => writeChunks(redis, key, temporary, local), entry, preserve)))) {
      undelivered.files += 1;
      undelivered.bytes += entry.size;
    }
  }
  // Deepest first: writing into a directory changes its times.
  for (const entry of directories.reverse()) await tally.attempt(() => finishLocalDirectory(path.join(hostDir, ...entry.path.split('/')), entry, preserve));
  await redis.del(...keys);
  return { errors: [...tally.errors], ...undelivered };
}

/** A list's chunks into a new file, one at a time. */
async function writeChunks(redis: Redis, key: string, file: string, local: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'w', 0o600);
    await listToFile(redis, key, handle);
  } catch (error) {
    throw new FileError('FILE_LOCAL_WRITE', local, `could not write ${local}: ${(error as Error).message}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

/**
 * A fetch record with the files that did not reach the controller: each one's
 * error in `detail.errors`, not counted among the files and bytes received;
 * an ok record becomes failed with the first error, as a local fetch's would.
 */
export function withUndelivered(record: HostResult, undelivered: Undelivered): HostResult {
  if (undelivered.errors.length === 0) return record;
  const detail = record.detail as unknown as FileTransferDetail;
  const updated = { ...detail, files: detail.files - undelivered.files, bytes: detail.bytes - undelivered.bytes, errors: [...detail.errors, ...undelivered.errors] };
  if (record.status !== 'ok') return { ...record, detail: updated };
  return { ...record, detail: updated, status: 'failed', error: firstFileError(updated.errors) };
}
