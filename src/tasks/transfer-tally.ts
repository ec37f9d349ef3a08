import { SshpoolError, toErrorRecord } from '../errors.js';
import { FileError } from '../ssh/errors.js';
import type { TaskOutcome } from './executor.js';
import type { FileErrorDetail, FileTransferDetail } from './file-task.js';
import { emptyOutput } from './outcome.js';

/**
 * What a copy or fetch did on one host, file by file: a file's FileError is
 * noted and the next file goes on; anything else (the connection lost, the run
 * stopped) ends the host's transfer, and is thrown on.
 */
export class TransferTally {
  private readonly detail: FileTransferDetail = { files: 0, bytes: 0, unchanged: 0, skipped: 0, errors: [] };
  private fatal: unknown;

  /** A file written whole. */
  transferred(bytes: number): void {
    this.detail.files += 1;
    this.detail.bytes += bytes;
  }

  unchanged(): void {
    this.detail.unchanged += 1;
  }

  skipped(): void {
    this.detail.skipped += 1;
  }

  /** A FileError is the file's own; any other error is the host's, rethrown. */
  fileFailed(error: unknown): void {
    if (!(error instanceof FileError)) throw error;
    this.detail.errors.push({ path: error.path, code: error.code, message: error.message });
  }

  /** Runs one file's step; a FileError is noted, and false returned. */
  async attempt(step: () => Promise<void>): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (error) {
      this.fileFailed(error);
      return false;
    }
  }

  /** The host's transfer ended early on this error (kept with what was done before it). */
  ended(error: unknown): void {
    this.fatal = error;
  }

  /** Each file's failure so far. */
  get errors(): readonly FileErrorDetail[] {
    return this.detail.errors;
  }

  get failed(): boolean {
    return this.detail.errors.length > 0;
  }

  /** ok when every file went; failed with the first file's error; unreachable when the connection was lost; failed ABORTED when stopped. */
  outcome(): TaskOutcome {
    const detail = { ...this.detail };
    const base = { ...emptyOutput(), exitCode: null, signal: null, detail };
    if (this.fatal !== undefined) {
      const error = toErrorRecord(this.fatal);
      const stopped = this.fatal instanceof SshpoolError && this.fatal.code === 'ABORTED';
      return { ...base, status: stopped ? 'failed' : 'unreachable', error };
    }
    const error = firstFileError(detail.errors);
    return error ? { ...base, status: 'failed', error } : { ...base, status: 'ok', error: null };
  }
}

/** A transfer record's error: its first file's, saying how many more there are; null for none. */
export function firstFileError(errors: readonly FileErrorDetail[]): { code: string; message: string } | null {
  const [first, ...others] = errors;
  if (!first) return null;
  const more = others.length > 0 ? ` (and ${others.length} more file errors: see detail.errors)` : '';
  return { code: first.code, message: first.message + more };
}
