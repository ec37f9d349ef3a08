import { accessSync, closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { OutputWriteError } from './errors.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { hostFileName } from '../host-file-name.js';

/** The --out-dir directory cannot be made or written before the run. */
export class HostFilesError extends InputError<'OUT_DIR'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OUT_DIR', message, options);
  }
}

const EXTENSIONS: Record<OutputStreamName, string> = { stdout: '.out', stderr: '.err' };

/**
 * pssh's -o/-e: each host's output in `DIR/<host>.out` and `DIR/<host>.err`
 * (names encoded by hostFileName), written as it arrives. At most `maxOpen`
 * files are open at once (ParallelSSH died of EMFILE at ~1000 hosts): past
 * that the least recently written one is closed and reopened for appending
 * when its host prints again. Writes are synchronous: they go to the page
 * cache, and keeping no queue keeps memory flat.
 */
export class HostFiles {
  /** Open descriptors by `stream\0host`, least recently used first. */
  private readonly open = new Map<string, number>();
  /** Files of running hosts already created (truncated) in this run, so reopening appends. */
  private readonly created = new Set<string>();
  /** Files that failed (disk full, a name the file system refuses): written no more; the other hosts' files go on. */
  private readonly failures = new Map<string, string>();

  private constructor(
    /** The output directory, as given. */
    readonly dir: string,
    private readonly maxOpen: number,
  ) {}

  /**
   * Makes the directory (and its parents) at once, so an unwritable place fails before any host starts.
   * `maxOpen` bounds the files held open; the rest are reopened for appending when written.
   * @throws HostFilesError when the directory cannot be made or written.
   */
  static create(dir: string, options: { maxOpen: number }): HostFiles {
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (error) {
      throw new HostFilesError(`cannot create the output directory ${dir}: ${(error as Error).message}`, { cause: error });
    }
    return new HostFiles(dir, Math.max(1, options.maxOpen));
  }

  /** The file a host's stream goes to. */
  fileFor(host: string, stream: OutputStreamName): string {
    return path.join(this.dir, hostFileName(host, EXTENSIONS[stream]));
  }

  /** Creates (empties) both files, so every host that started has them, even when silent. */
  hostStart(host: string): void {
    for (const stream of ['stdout', 'stderr'] as const) this.descriptor(host, stream);
  }

  /** Appends a chunk as it arrives; a write that fails is not thrown here but reported by close(). */
  output(host: string, stream: OutputStreamName, chunk: Buffer): void {
    const fd = this.descriptor(host, stream);
    if (fd === undefined) return;
    this.attempt(() => writeSync(fd, chunk), host, stream);
  }

  /** Closes the host's two files. */
  hostDone(host: string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = keyOf(host, stream);
      this.closeKey(key);
      this.created.delete(key);
    }
  }

  /** Closes whatever is still open; throws an OutputWriteError naming every file that could not be written. */
  close(): void {
    for (const key of [...this.open.keys()]) this.closeKey(key);
    this.created.clear();
    if (this.failures.size === 0) return;
    const [first] = this.failures.values();
    const more = this.failures.size > 1 ? ` (and ${this.failures.size - 1} more files in ${this.dir})` : '';
    throw new OutputWriteError(`${first}${more}; the other hosts' files were written`);
  }

  private descriptor(host: string, stream: OutputStreamName): number | undefined {
    const key = keyOf(host, stream);
    if (this.failures.has(key)) return undefined;
    const fd = this.open.get(key);
    if (fd !== undefined) {
      this.open.delete(key);
      this.open.set(key, fd);
      return fd;
    }
    while (this.open.size >= this.maxOpen) this.closeKey(this.open.keys().next().value as string);
    const flags = this.created.has(key) ? 'a' : 'w';
    const opened = this.attempt(() => openSync(this.fileFor(host, stream), flags), host, stream);
    if (opened === undefined) return undefined;
    this.created.add(key);
    this.open.set(key, opened);
    return opened;
  }

  private closeKey(key: string): void {
    const fd = this.open.get(key);
    if (fd === undefined) return;
    this.open.delete(key);
    closeSync(fd);
  }

  /** File errors must not escape into the SSH event handlers: they are kept for close(). */
  private attempt<T>(action: () => T, host: string, stream: OutputStreamName): T | undefined {
    try {
      return action();
    } catch (error) {
      const key = keyOf(host, stream);
      this.failures.set(key, `cannot write ${this.fileFor(host, stream)}: ${(error as Error).message}`);
      this.closeKey(key);
      return undefined;
    }
  }
}

function keyOf(host: string, stream: OutputStreamName): string {
  return `${stream}\0${host}`;
}
