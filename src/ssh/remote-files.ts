import type { SFTPWrapper, Stats } from 'ssh2';
import { SshpoolError } from '../errors.js';
import type { SshConnection } from './connection.js';
import { FileError } from './errors.js';
import type { FileErrorCode } from './errors.js';

/** What a file is, as far as copying goes; `other` is a symlink (never followed inside a tree), a device, a socket. */
export type FileKind = 'file' | 'directory' | 'other';

/** A remote file's attributes, as SFTP reports them. */
export interface FileStat {
  /** What it is. */
  kind: FileKind;
  /** In bytes. */
  size: number;
  /** The permission bits (07777). */
  mode: number;
  /** Seconds since the epoch. */
  atime: number;
  /** Seconds since the epoch. */
  mtime: number;
}

/** A directory entry: its name (never containing `/`, never `.` or `..`) and what lstat says of it. */
export interface DirectoryEntry {
  /** The entry's name in its directory. */
  name: string;
  /** Its attributes, not following a symlink. */
  stat: FileStat;
}

/** How a whole file is sent or received. */
export interface TransferOptions {
  /** Bytes as they are acknowledged, for progress. */
  onBytes?: (count: number) => void;
  /** Permission bits the new file gets before anything else is written to it. */
  mode?: number;
}

/**
 * A host's files, over one SFTP channel (or this machine's for a local host).
 * Every method rejects with a FileError naming the path and a stable code, or
 * with the connection's error when the connection is gone.
 */
export interface RemoteFiles {
  /** The absolute form of `path` (a relative path is under the directory SFTP starts in, usually the home). */
  realpath(path: string): Promise<string>;
  /** Follows symlinks; null when nothing is there. */
  stat(path: string): Promise<FileStat | null>;
  /** Creates one directory with `mode` (less the server's umask). */
  mkdir(path: string, mode: number): Promise<void>;
  /** A directory's entries, lstat'ed, without `.` and `..`. */
  list(path: string): Promise<DirectoryEntry[]>;
  /** Writes the local file to `path` (created or truncated) with pipelined requests, reading it in chunks. */
  upload(localPath: string, path: string, options: TransferOptions): Promise<void>;
  /** Reads `path` into the local file with pipelined requests. */
  download(path: string, localPath: string, options: TransferOptions): Promise<void>;
  /** Sets the permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /** Sets access and modification times (seconds). */
  setTimes(path: string, atime: number, mtime: number): Promise<void>;
  /** Replaces `to` with `from` in one step (POSIX rename: an existing file is replaced, never half-written). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; a missing one is no error. */
  remove(path: string): Promise<void>;
  /** Bytes free to an unprivileged user on the file system holding `path`; undefined when the server cannot say. */
  freeBytes(path: string): Promise<number | undefined>;
  /** Ends the channel; pending requests fail. */
  close(): void;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks). */
const SFTP_STATUS: Record<number, FileErrorCode> = { 2: 'FILE_NOT_FOUND', 3: 'FILE_PERMISSION_DENIED' };
const SFTP_NO_SUCH_FILE = 2;

/**
 * Pipelining: requests in flight per transfer, and their size: 2 MiB per
 * transfer at most, as ssh2's defaults (64 × 32 KiB), but in requests near
 * OpenSSH's largest (limits@openssh.com; ssh2 splits a larger one): on
 * loopback 100 MiB took ~2.3 s this way against ~4.5 s with the defaults.
 */
const CONCURRENCY = 8;
const CHUNK_BYTES = 255 * 1024;
/** The most one transfer has in flight at once. */
export const TRANSFER_WINDOW_BYTES = CONCURRENCY * CHUNK_BYTES;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Opens the host's SFTP subsystem; `signal` aborting ends the channel, so pending requests fail with ABORTED. */
export async function openSftpFiles(connection: SshConnection, signal?: AbortSignal): Promise<RemoteFiles> {
  const sftp = await connection.sftp(signal);
  return new SftpFiles(connection, sftp, signal);
}

class SftpFiles implements RemoteFiles {
  private closed = false;
  /** Requests not answered yet: ssh2 never answers a transfer (fastPut, fastGet) whose channel was ended. */
  private readonly pending = new Set<(error: Error) => void>();
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly connection: SshConnection,
    private readonly sftp: SFTPWrapper,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  realpath(path: string): Promise<string> {
    return this.call(path, 'resolve', (done) => this.sftp.realpath(path, done));
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      return toFileStat(await this.call<Stats>(path, 'stat', (done) => this.sftp.stat(path, done), true));
    } catch (error) {
      if (error === MISSING) return null;
      throw error;
    }
  }

  mkdir(path: string, mode: number): Promise<void> {
    return this.call(path, 'create the directory', (done) => this.sftp.mkdir(path, { mode }, done));
  }

  async list(path: string): Promise<DirectoryEntry[]> {
    const entries = await this.call<{ filename: string; attrs: Stats }[]>(path, 'list', (done) => this.sftp.readdir(path, done));
    // Names come from the server: one that could climb out of the directory is never used.
    return entries.filter(({ filename }) => filename !== '.' && filename !== '..' && !filename.includes('/') && filename !== '').map(({ filename, attrs }) => ({ name: filename, stat: toFileStat(attrs) }));
  }

  upload(localPath: string, path: string, options: TransferOptions): Promise<void> {
    return this.call(path, 'write', (done) => this.sftp.fastPut(localPath, path, this.transferOptions(options), done));
  }

  download(path: string, localPath: string, options: TransferOptions): Promise<void> {
    return this.call(path, 'read', (done) => this.sftp.fastGet(path, localPath, this.transferOptions(options), done), false, 'FILE_LOCAL_WRITE');
  }

  chmod(path: string, mode: number): Promise<void> {
    return this.call(path, 'set the mode of', (done) => this.sftp.chmod(path, mode, done));
  }

  setTimes(path: string, atime: number, mtime: number): Promise<void> {
    return this.call(path, 'set the times of', (done) => this.sftp.utimes(path, atime, mtime, done));
  }

  rename(from: string, to: string): Promise<void> {
    // Plain SFTP rename refuses an existing target; OpenSSH's posix-rename replaces it atomically.
    return this.call(to, 'rename onto', (done) => this.sftp.ext_openssh_rename(from, to, done));
  }

  async remove(path: string): Promise<void> {
    try {
      await this.call(path, 'remove', (done) => this.sftp.unlink(path, done), true);
    } catch (error) {
      if (error !== MISSING) throw error;
    }
  }

  async freeBytes(path: string): Promise<number | undefined> {
    try {
      const info = await this.call<{ f_frsize: number | bigint; f_bavail: number | bigint }>(path, 'statvfs', (done) => this.sftp.ext_openssh_statvfs(path, done));
      return Number(info.f_bavail) * Number(info.f_frsize);
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.sftp.end();
    for (const done of [...this.pending]) done(new Error('SFTP channel closed'));
  }

  private transferOptions(options: TransferOptions) {
    const { onBytes, mode } = options;
    return {
      concurrency: CONCURRENCY,
      chunkSize: CHUNK_BYTES,
      ...(mode === undefined ? {} : { mode }),
      ...(onBytes ? { step: (_total: number, chunk: number) => onBytes(chunk) } : {}),
    };
  }

  /**
   * One request; its failure as a FileError (or MISSING when `missingOk` and the
   * server says no such file). A Node errno error is this machine's side of a
   * transfer: `localCode` (a download's FILE_LOCAL_WRITE).
   */
  private call<T = void>(
    path: string,
    verb: string,
    start: (done: (error: Error | null | undefined, value?: T) => void) => void,
    missingOk = false,
    localCode: FileErrorCode = 'FILE_TRANSFER_FAILED',
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (error: Error | null | undefined, value?: T): void => {
        if (!this.pending.delete(done)) return;
        if (!error) resolve(value as T);
        else if (missingOk && (error as { code?: unknown }).code === SFTP_NO_SUCH_FILE) reject(MISSING);
        else reject(this.failure(path, verb, error, localCode));
      };
      this.pending.add(done);
      if (this.closed) {
        done(new Error('SFTP channel closed'));
        return;
      }
      try {
        start(done);
      } catch (error) {
        done(error as Error);
      }
    });
  }

  private failure(path: string, verb: string, error: Error, localCode: FileErrorCode): SshpoolError {
    if (this.connection.lostError) return this.connection.lostError;
    if (this.signal?.aborted) return new SshpoolError('ABORTED', `${this.connection.label}: run stopped during a file transfer`);
    const status = (error as { code?: unknown }).code;
    const code = typeof status === 'number' ? (SFTP_STATUS[status] ?? 'FILE_TRANSFER_FAILED') : typeof status === 'string' ? localCode : 'FILE_TRANSFER_FAILED';
    return new FileError(code, path, `${this.connection.label}: could not ${verb} ${JSON.stringify(path)}: ${error.message}`, { cause: error });
  }
}

/** The rejection of a request whose file is missing, where that is an answer rather than an error. */
const MISSING = Symbol('missing');

export function toFileStat(attrs: { mode: number; size: number; atime: number; mtime: number }): FileStat {
  const type = attrs.mode & S_IFMT;
  const kind: FileKind = type === S_IFREG ? 'file' : type === S_IFDIR ? 'directory' : 'other';
  return { kind, size: attrs.size, mode: attrs.mode & 0o7777, atime: attrs.atime, mtime: attrs.mtime };
}
