import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, realpath, rename, rm, stat, statfs, utimes } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileError } from '../ssh/errors.js';
import type { FileErrorCode } from '../ssh/errors.js';
import { toFileStat } from '../ssh/remote-files.js';
import type { FileStat, RemoteFiles, TransferOptions } from '../ssh/remote-files.js';

const ERRNO_CODES: Record<string, FileErrorCode> = {
  ENOENT: 'FILE_NOT_FOUND',
  EACCES: 'FILE_PERMISSION_DENIED',
  EPERM: 'FILE_PERMISSION_DENIED',
  EROFS: 'FILE_PERMISSION_DENIED',
  ENOSPC: 'FILE_NO_SPACE',
  EDQUOT: 'FILE_NO_SPACE',
  EISDIR: 'FILE_IS_DIRECTORY',
  ENOTDIR: 'FILE_NOT_DIRECTORY',
};

/**
 * This machine's files, for a host with `ansible_connection: local`: the same
 * calls as over SFTP, on node:fs (relative paths are the process's working
 * directory's, as its local commands').
 */
export function localFiles(label: string): RemoteFiles {
  const fail = (path: string, verb: string) => (error: NodeJS.ErrnoException) => {
    throw new FileError(ERRNO_CODES[error.code ?? ''] ?? 'FILE_TRANSFER_FAILED', path, `${label}: could not ${verb} ${JSON.stringify(path)}: ${error.message}`, { cause: error });
  };
  const copy = (from: string, to: string, path: string, verb: string, options: TransferOptions): Promise<void> => {
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, next) {
        options.onBytes?.(chunk.length);
        next(null, chunk);
      },
    });
    return pipeline(createReadStream(from), counter, createWriteStream(to, { mode: options.mode })).then(
      () => (options.mode === undefined ? undefined : chmod(to, options.mode)),
      fail(path, verb),
    );
  };
  return {
    realpath: (path) => realpath(path).catch(fail(path, 'resolve')),
    stat: (path) =>
      stat(path).then(toFileStatOf, (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        return fail(path, 'stat')(error);
      }),
    mkdir: (path, mode) => mkdir(path, { mode }).then(() => undefined, fail(path, 'create the directory')),
    list: async (path) => {
      const names = await readdir(path).catch(fail(path, 'list'));
      return Promise.all(names.map(async (name) => ({ name, stat: toFileStatOf(await lstat(`${path}/${name}`).catch(fail(`${path}/${name}`, 'stat'))) })));
    },
    upload: (localPath, path, options) => copy(localPath, path, path, 'write', options),
    download: (path, localPath, options) => copy(path, localPath, path, 'read', options),
    chmod: (path, mode) => chmod(path, mode).catch(fail(path, 'set the mode of')),
    setTimes: (path, atime, mtime) => utimes(path, atime, mtime).catch(fail(path, 'set the times of')),
    rename: (from, to) => rename(from, to).catch(fail(to, 'rename onto')),
    remove: (path) => rm(path, { force: true }).catch(fail(path, 'remove')),
    freeBytes: (path) => statfs(path).then((info) => info.bavail * info.bsize, () => undefined),
    close: () => undefined,
  };
}

function toFileStatOf(stats: { mode: number; size: number; atimeMs: number; mtimeMs: number }): FileStat {
  return toFileStat({ mode: stats.mode, size: stats.size, atime: Math.floor(stats.atimeMs / 1000), mtime: Math.floor(stats.mtimeMs / 1000) });
}
