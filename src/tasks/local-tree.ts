import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors.js';
import { LocalPathError } from './errors.js';
import type { CopySource, CopyTask, LocalEntry } from './file-task.js';

/** What `copyTask` is told besides the paths. */
export interface CopyTaskOptions {
  /** Directories are sent whole (scp -r); without it a directory is refused. */
  recursive?: boolean;
  /** Keep access and modification times. */
  preserve?: boolean;
  /** Skip files whose remote SHA-256 matches; the local files are hashed now, once. */
  checksum?: boolean;
  /** Hash every local file now even without `checksum`: a copy through workers (`RedisHosts`) sends each content once, by its SHA-256. */
  sha256?: boolean;
  /** chown's OWNER[:GROUP], after the renames. */
  owner?: string;
  /** chmod's MODE, after the renames. */
  mode?: string;
}

/** A user or group name (POSIX portable, plus what useradd allows), or a number. */
const OWNER = /^([A-Za-z0-9_][A-Za-z0-9_.-]*\$?)?(:([A-Za-z0-9_][A-Za-z0-9_.-]*\$?)?)?$/;
/** chmod's octal or symbolic modes (`0644`, `u+x,go-w`, `a=rX`). */
const MODE = /^([0-7]{1,4}|[ugoa]*([-+=]([rwxXst]*|[ugo]))+(,[ugoa]*([-+=]([rwxXst]*|[ugo]))+)*)$/;

/**
 * The copy task for `locals` to `remote`: every local path is read now (a
 * directory walked, following symlinks as scp does), so that a missing or
 * unsupported one is refused before any host is contacted, and a tree is read
 * once, not once per host.
 * @throws LocalPathError (LOCAL_PATH_MISSING, LOCAL_PATH_UNSUPPORTED); UsageError for a bad owner or mode.
 */
export async function copyTask(locals: readonly string[], remote: string, options: CopyTaskOptions = {}): Promise<CopyTask> {
  if (locals.length === 0) throw new UsageError('copy needs at least one local path before the remote one');
  if (remote === '') throw new UsageError('copy needs a remote path');
  if (options.owner !== undefined && (options.owner === '' || !OWNER.test(options.owner))) throw new UsageError(`--owner ${JSON.stringify(options.owner)} is not USER, USER:GROUP or :GROUP`);
  if (options.mode !== undefined && !MODE.test(options.mode)) throw new UsageError(`--mode ${JSON.stringify(options.mode)} is not an octal (0644) or symbolic (u+x,go-w) mode`);
  const reader = new TreeReader(options.recursive === true, options.checksum === true || options.sha256 === true);
  const sources: CopySource[] = [];
  for (const local of locals) sources.push({ local, name: path.basename(path.resolve(local)), entries: await reader.read(local) });
  return {
    kind: 'copy',
    sources,
    remote,
    preserve: options.preserve === true,
    checksum: options.checksum === true,
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  };
}

class TreeReader {
  constructor(
    private readonly recursive: boolean,
    private readonly hash: boolean,
  ) {}

  async read(local: string): Promise<LocalEntry[]> {
    const stats = await statOf(local);
    if (stats.isDirectory() && !this.recursive) throw new LocalPathError('LOCAL_PATH_UNSUPPORTED', local, `${local}: is a directory (give -r to copy it whole)`);
    const entries: LocalEntry[] = [];
    await this.walk(local, '', stats, new Set(), entries);
    return entries;
  }

  /** `ancestors` holds the directories above (device:inode), so that a symlink back up the tree is refused, not followed forever. */
  private async walk(file: string, relative: string, stats: Stats, ancestors: ReadonlySet<string>, into: LocalEntry[]): Promise<void> {
    const times = { atime: Math.floor(stats.atimeMs / 1000), mtime: Math.floor(stats.mtimeMs / 1000) };
    if (stats.isFile()) {
      into.push({ path: relative, kind: 'file', mode: stats.mode & 0o7777, size: stats.size, ...times, ...(this.hash ? { sha256: await sha256Of(file) } : {}) });
      return;
    }
    if (!stats.isDirectory()) throw new LocalPathError('LOCAL_PATH_UNSUPPORTED', file, `${file}: not a regular file or directory`);
    const identity = `${stats.dev}:${stats.ino}`;
    if (ancestors.has(identity)) throw new LocalPathError('LOCAL_PATH_UNSUPPORTED', file, `${file}: a symlink loop (a directory inside itself)`);
    into.push({ path: relative, kind: 'directory', mode: stats.mode & 0o7777, size: 0, ...times });
    const below = new Set(ancestors).add(identity);
    const names = (await readdir(file).catch((error: unknown) => unreadable(file, error))).sort();
    for (const name of names) {
      const child = path.join(file, name);
      await this.walk(child, relative === '' ? name : `${relative}/${name}`, await statOf(child), below, into);
    }
  }
}

async function statOf(file: string): Promise<Stats> {
  try {
    return await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LocalPathError('LOCAL_PATH_MISSING', file, `${file}: no such local file or directory`, { cause: error });
    return unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): never {
  throw new LocalPathError('LOCAL_PATH_UNSUPPORTED', file, `${file}: cannot be read (${(error as Error).message})`, { cause: error });
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash).catch((error: unknown) => unreadable(file, error));
  return hash.digest('hex');
}
