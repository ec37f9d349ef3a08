import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, utimes } from 'node:fs/promises';
import path, { posix } from 'node:path';
import { hostFileName } from '../host-file-name.js';
import { FileError } from '../ssh/errors.js';
import type { FileStat, RemoteFiles } from '../ssh/remote-files.js';
import type { ExecutionContext, TaskExecutor } from './executor.js';
import type { FetchTask } from './file-task.js';
import { TransferTally } from './transfer-tally.js';

/** Downloads the task's remote paths over one SFTP channel into `localDir/<host>/<path>`, each file written to a temporary name and renamed. */
export const fetchExecutor: TaskExecutor<FetchTask> = {
  commandLine: (task) => `fetch ${task.remotes.join(' ')} ${task.localDir}`,
  async execute(task, context) {
    const tally = new TransferTally();
    try {
      const files = await context.session.openFiles(context.signal);
      try {
        const hostDir = path.join(task.localDir, hostFileName(context.session.label, ''));
        const fetcher = new Fetcher(task, files, context, tally);
        for (const remote of task.remotes) await fetcher.fetch(remote, path.join(hostDir, localPart(remote)));
      } finally {
        files.close();
      }
    } catch (error) {
      tally.ended(error);
    } finally {
      context.live.end();
    }
    return tally.outcome();
  },
};

/** `/etc/hosts` lands at `etc/hosts` below the host's directory; a relative path as it is. */
function localPart(remote: string): string {
  return posix.normalize(remote).replace(/^\/+/, '') || '.';
}

class Fetcher {
  constructor(
    private readonly task: FetchTask,
    private readonly files: RemoteFiles,
    private readonly context: ExecutionContext,
    private readonly tally: TransferTally,
  ) {}

  async fetch(remote: string, local: string): Promise<void> {
    const found = await this.files.stat(remote).catch((error: unknown) => this.tally.fileFailed(error));
    if (found === undefined) return;
    if (found === null) {
      this.tally.fileFailed(new FileError('FILE_NOT_FOUND', remote, `${this.context.session.label}: no such file or directory ${JSON.stringify(remote)}`));
      return;
    }
    await this.entry(remote, local, found);
  }

  private async entry(remote: string, local: string, found: FileStat): Promise<void> {
    if (found.kind === 'file') {
      await this.tally.attempt(() => this.file(remote, local, found));
      return;
    }
    if (found.kind !== 'directory') {
      this.tally.skipped();
      return;
    }
    if (!this.task.recursive) {
      this.tally.fileFailed(new FileError('FILE_IS_DIRECTORY', remote, `${this.context.session.label}: ${JSON.stringify(remote)} is a directory (give -r to fetch it whole)`));
      return;
    }
    await this.directory(remote, local, found);
  }

  /** Entries come lstat'ed: a symlink inside a tree is skipped, never followed (it could point anywhere on the host). */
  private async directory(remote: string, local: string, found: FileStat): Promise<void> {
    const ready = await this.tally.attempt(() => makeLocalDirectory(local));
    if (!ready) return;
    const entries = await this.files.list(remote).catch((error: unknown) => this.tally.fileFailed(error));
    for (const { name, stat } of entries ?? []) await this.entry(posix.join(remote, name), path.join(local, name), stat);
    await this.tally.attempt(() => finishLocalDirectory(local, found, this.task.preserve));
  }

  private async file(remote: string, local: string, found: FileStat): Promise<void> {
    let bytes = 0;
    const onBytes = (count: number): void => {
      bytes += count;
      this.context.live.bytes?.(count);
    };
    await writeLocalFile(local, (temporary) => this.files.download(remote, temporary, { onBytes }), found, this.task.preserve);
    this.tally.transferred(bytes);
  }
}

/** A fetched file's or directory's permission bits and times, as the host gave them. */
export type FetchedAttributes = Pick<FileStat, 'mode' | 'atime' | 'mtime'>;

/** A fetched directory, private (0700) while its entries are written into it; finishLocalDirectory gives it its own mode. */
export function makeLocalDirectory(local: string): Promise<void> {
  return writeLocally(local, () => mkdir(local, { recursive: true, mode: 0o700 }));
}

/** Once its entries are in: the remote's permission bits, less set-id and sticky bits (what a host says is not made privileged here), and with `preserve` its times. */
export function finishLocalDirectory(local: string, found: FetchedAttributes, preserve: boolean): Promise<void> {
  return writeLocally(local, async () => {
    await chmod(local, found.mode & 0o777);
    if (preserve) await utimes(local, found.atime, found.mtime);
  });
}

/**
 * A fetched file, written as `fill` writes it to a temporary name beside
 * `local`, given the remote's permission bits (less set-id and sticky bits)
 * and, with `preserve`, its times, then renamed over `local`: the file there
 * is the old one or the new one, never half of one.
 * @throws FileError FILE_LOCAL_WRITE for a local step; whatever `fill` throws.
 */
export async function writeLocalFile(local: string, fill: (temporary: string) => Promise<void>, found: FetchedAttributes, preserve: boolean): Promise<void> {
  await writeLocally(local, () => mkdir(path.dirname(local), { recursive: true }));
  const temporary = path.join(path.dirname(local), `.${path.basename(local).slice(0, 200)}.sshpool-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fill(temporary);
    await writeLocally(local, async () => {
      await chmod(temporary, found.mode & 0o777);
      if (preserve) await utimes(temporary, found.atime, found.mtime);
      await rename(temporary, local);
    });
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A local step whose failure is the file's FILE_LOCAL_WRITE. */
async function writeLocally(local: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new FileError('FILE_LOCAL_WRITE', local, `could not write ${local}: ${(error as Error).message}`, { cause: error });
  }
}
