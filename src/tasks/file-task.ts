import { posix } from 'node:path';
import { UsageError } from '../errors.js';
import type { HostTask } from './task.js';

/** A file or directory of a copy's local tree, as read once before any host is contacted. */
export interface LocalEntry {
  /** Below its source, `/`-separated; '' for the source itself. */
  readonly path: string;
  /** A file is sent; a directory is created. */
  readonly kind: 'file' | 'directory';
  /** Permission bits (07777), kept on the host. */
  readonly mode: number;
  /** In bytes (0 for a directory). */
  readonly size: number;
  /** Seconds since the epoch, for `preserve`. */
  readonly atime: number;
  /** Seconds since the epoch, for `preserve`. */
  readonly mtime: number;
  /** Hex SHA-256 of a file's content, read when the task has `checksum` (or was made for workers). */
  readonly sha256?: string;
  /** Where a file's bytes are read when not at its place under the source: a worker's private copy of the controller's file. */
  readonly from?: string;
}

/** One LOCAL argument of a copy: the path as given and its tree. */
export interface CopySource {
  /** As given, for messages and reading. */
  readonly local: string;
  /** Its last component: the name it gets inside a remote directory. */
  readonly name: string;
  /** The source itself first (path ''), then, for a directory, everything under it, parents before children. */
  readonly entries: readonly LocalEntry[];
}

/**
 * `sshpool copy`'s task: upload local files (and with -r, trees) to every host
 * over SFTP. As scp: with one source, REMOTE that is an existing directory
 * gets the source inside it, else REMOTE is the copy's own name; with several
 * sources REMOTE must be a directory. Each file is written to a temporary name
 * beside its target and renamed over it.
 */
export interface CopyTask extends HostTask {
  /** The built-in copy kind. */
  readonly kind: 'copy';
  /** What to send, read once. */
  readonly sources: readonly CopySource[];
  /** The remote target; relative to the directory SFTP starts in (the login user's home). */
  readonly remote: string;
  /** Keep access and modification times, as scp -p. */
  readonly preserve: boolean;
  /** Skip files whose remote SHA-256 matches (reported unchanged). */
  readonly checksum: boolean;
  /** chown's OWNER[:GROUP], run on the host after the renames. */
  readonly owner?: string;
  /** chmod's MODE (octal or symbolic), run on the host after the renames. */
  readonly mode?: string;
}

/**
 * `sshpool fetch`'s task: download remote files (with -r, trees) from every
 * host into `localDir/<host>/<remote path>`, the host as `--out-dir` names its
 * files, so that no host's file lands on another's.
 */
export interface FetchTask extends HostTask {
  /** The built-in fetch kind. */
  readonly kind: 'fetch';
  /** Remote paths, absolute or relative to the directory SFTP starts in; never with a `..` component. */
  readonly remotes: readonly string[];
  /** Where each host's directory is made. */
  readonly localDir: string;
  /** Directories are fetched whole; without it a directory is that host's error. */
  readonly recursive: boolean;
  /** Keep access and modification times. */
  readonly preserve: boolean;
}

/** One file's failure in a copy or fetch record's `detail.errors`. */
export interface FileErrorDetail {
  /** The remote path (or local, for FILE_LOCAL_WRITE). */
  path: string;
  /** A stable code: FILE_NOT_FOUND, FILE_PERMISSION_DENIED, FILE_NO_SPACE, ... */
  code: string;
  /** For people. */
  message: string;
}

/** A copy or fetch record's `detail`. */
export interface FileTransferDetail {
  /** Files written (sent, or received). */
  files: number;
  /** Their bytes. */
  bytes: number;
  /** Files left as they were: the remote SHA-256 already matched (copy --checksum). */
  unchanged: number;
  /** What was neither sent nor received: symlinks, devices and sockets inside a fetched tree. */
  skipped: number;
  /** One per file that failed; the record's error is the first. */
  errors: FileErrorDetail[];
}

/**
 * The fetch task for `remotes` into `localDir`.
 * @throws UsageError for no remote path, or one with a `..` component (it would climb out of the host's directory).
 */
export function fetchTask(remotes: readonly string[], localDir: string, options: { recursive?: boolean; preserve?: boolean } = {}): FetchTask {
  if (remotes.length === 0) throw new UsageError('fetch needs at least one remote path before the local directory');
  if (localDir === '') throw new UsageError('fetch needs a local directory');
  for (const remote of remotes) {
    if (remote === '' || posix.normalize(remote).split('/').includes('..')) throw new UsageError(`fetch: remote path ${JSON.stringify(remote)} is empty or has a .. component`);
  }
  return { kind: 'fetch', remotes, localDir, recursive: options.recursive === true, preserve: options.preserve === true };
}
