import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { FileError } from '../ssh/errors.js';
import { TRANSFER_WINDOW_BYTES } from '../ssh/remote-files.js';
import type { RemoteFiles } from '../ssh/remote-files.js';
import type { ExecutionContext, TaskExecutor } from './executor.js';
import type { CopySource, CopyTask, LocalEntry } from './file-task.js';
import { remoteSha256, setOwnerAndMode } from './remote-steps.js';
import { TransferTally } from './transfer-tally.js';

/** Where one local entry goes on the host. */
interface Placement {
  source: CopySource;
  entry: LocalEntry;
  /** Absolute on the host. */
  target: string;
}

/** Room left for the temporary name's prefix and suffix within NAME_MAX. */
const TEMP_NAME_CHARS = 200;

/** Uploads the task's files over one SFTP channel, each to a temporary name beside its target, then renamed. */
export const copyExecutor: TaskExecutor<CopyTask> = {
  commandLine: (task) => `copy ${task.sources.map((source) => source.local).join(' ')} ${task.remote}`,
  async execute(task, context) {
    const tally = new TransferTally();
    const written: string[] = [];
    try {
      const files = await context.session.openFiles(context.signal);
      try {
        const placements = await place(task, files, tally);
        if (placements) await send(task, placements, files, context, tally, written);
      } finally {
        files.close();
      }
      // After the SFTP channel is closed, as command steps of their own (a privilege wrapper can wrap them).
      if (task.owner !== undefined || task.mode !== undefined) {
        for (const failure of await setOwnerAndMode(context, written, task.owner, task.mode)) tally.fileFailed(failure);
      }
    } catch (error) {
      tally.ended(error);
    } finally {
      context.live.end();
    }
    return tally.outcome();
  },
};

/**
 * Every entry's target, as scp places them: one source into an existing remote
 * directory goes inside it, else becomes REMOTE; several need REMOTE to be a
 * directory. Undefined (with the error noted) when REMOTE cannot take them.
 */
async function place(task: CopyTask, files: RemoteFiles, tally: TransferTally): Promise<Placement[] | undefined> {
  const remote = posix.isAbsolute(task.remote) ? posix.normalize(task.remote) : posix.join(await files.realpath('.'), task.remote);
  const existing = await files.stat(remote).catch((error: unknown) => {
    tally.fileFailed(error);
    return undefined;
  });
  if (existing === undefined) return undefined;
  const intoDirectory = existing?.kind === 'directory';
  if (task.sources.length > 1 && !intoDirectory) {
    const code = existing === null ? 'FILE_NOT_FOUND' : 'FILE_NOT_DIRECTORY';
    tally.fileFailed(new FileError(code, remote, `${JSON.stringify(remote)} is not a directory on the host: ${task.sources.length} sources need one`));
    return undefined;
  }
  return task.sources.flatMap((source) => {
    const base = intoDirectory ? posix.join(remote, source.name) : remote;
    return source.entries.map((entry) => ({ source, entry, target: entry.path === '' ? base : posix.join(base, entry.path) }));
  });
}

async function send(task: CopyTask, placements: readonly Placement[], files: RemoteFiles, context: ExecutionContext, tally: TransferTally, written: string[]): Promise<void> {
  const unchanged = task.checksum ? await unchangedTargets(placements, files, context) : new Set<string>();
  // A directory that could not be made takes its whole subtree with it: one error, not one per file below.
  const failedDirectories: string[] = [];
  const under = (target: string): boolean => failedDirectories.some((dir) => target.startsWith(`${dir}/`));
  const directories: Placement[] = [];
  for (const placement of placements) {
    const { entry, target } = placement;
    if (under(target)) continue;
    if (entry.kind === 'directory') {
      if (await tally.attempt(() => makeDirectory(files, target, entry.mode))) {
        directories.push(placement);
        written.push(target);
      } else failedDirectories.push(target);
      continue;
    }
    if (unchanged.has(target)) {
      tally.unchanged();
      written.push(target);
      continue;
    }
    if (await tally.attempt(() => sendFile(task, placement, files, context))) {
      tally.transferred(entry.size);
      written.push(target);
    }
  }
  // Writing into a directory changes its times: set them once its files are in, deepest first.
  if (task.preserve) for (const { entry, target } of directories.reverse()) await tally.attempt(() => files.setTimes(target, entry.atime, entry.mtime));
}

/** Files whose target already has the local SHA-256 (same size first, so that only candidates are hashed). */
async function unchangedTargets(placements: readonly Placement[], files: RemoteFiles, context: ExecutionContext): Promise<Set<string>> {
  const candidates: Placement[] = [];
  for (const placement of placements) {
    if (placement.entry.kind !== 'file') continue;
    const existing = await files.stat(placement.target).catch(() => null);
    if (existing?.kind === 'file' && existing.size === placement.entry.size) candidates.push(placement);
  }
  if (candidates.length === 0) return new Set();
  const hashes = await remoteSha256(context, candidates.map((placement) => placement.target));
  return new Set(candidates.filter(({ entry, target }) => hashes.get(target) === entry.sha256).map(({ target }) => target));
}

async function makeDirectory(files: RemoteFiles, target: string, mode: number): Promise<void> {
  const existing = await files.stat(target);
  if (existing?.kind === 'directory') return;
  if (existing) throw new FileError('FILE_NOT_DIRECTORY', target, `${JSON.stringify(target)} exists on the host and is not a directory`);
  await files.mkdir(target, mode);
  // mkdir's mode is cut by the server's umask; the local mode is what is kept.
  await files.chmod(target, mode);
}

/** Temporary name, attributes, rename: the target is the old file or the new one, never half of one. */
async function sendFile(task: CopyTask, { source, entry, target }: Placement, files: RemoteFiles, context: ExecutionContext): Promise<void> {
  const existing = await files.stat(target);
  if (existing?.kind === 'directory') throw new FileError('FILE_IS_DIRECTORY', target, `${JSON.stringify(target)} is a directory on the host, where a file is to go`);
  const temporary = temporaryName(target);
  const local = entry.from ?? (entry.path === '' ? source.local : posix.join(source.local, entry.path));
  try {
    await files.upload(local, temporary, { mode: entry.mode, onBytes: (count) => context.live.bytes?.(count) });
    if (task.preserve) await files.setTimes(temporary, entry.atime, entry.mtime);
    await files.rename(temporary, target);
  } catch (error) {
    // Asked before the temporary file goes, while what filled the disk is still there.
    const cause = await withoutSpace(error, files, posix.dirname(target));
    if (context.signal.aborted) await removeAfterStop(context, temporary);
    else await files.remove(temporary).catch(() => undefined);
    throw cause;
  }
}

/** A stop closed the transfer's channel: the temporary file goes over a channel of its own (bounded by the connect timeout). */
async function removeAfterStop(context: ExecutionContext, temporary: string): Promise<void> {
  try {
    const files = await context.session.openFiles(new AbortController().signal);
    await files.remove(temporary).finally(() => files.close());
  } catch {
    // The connection went with the stop: nothing more can be done from here.
  }
}

/**
 * OpenSSH's sftp-server answers ENOSPC with the generic SSH_FX_FAILURE: a
 * failed transfer is told apart by asking the file system's free space
 * (statvfs@openssh.com) at once: less than one transfer's requests in flight is FILE_NO_SPACE.
 */
async function withoutSpace(error: unknown, files: RemoteFiles, directory: string): Promise<unknown> {
  if (!(error instanceof FileError) || error.code !== 'FILE_TRANSFER_FAILED') return error;
  const free = await files.freeBytes(directory);
  if (free === undefined || free >= TRANSFER_WINDOW_BYTES) return error;
  return new FileError('FILE_NO_SPACE', error.path, `${error.message} (no space left: ${free} bytes free in ${JSON.stringify(directory)})`, { cause: error });
}

function temporaryName(target: string): string {
  const name = posix.basename(target).slice(0, TEMP_NAME_CHARS);
  return posix.join(posix.dirname(target), `.${name}.sshpool-${randomBytes(6).toString('hex')}.tmp`);
}
