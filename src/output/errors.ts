import { SshpoolError } from '../errors.js';

/**
 * A local file (--results, --out-dir, --report) could not be written after
 * hosts had run: the run happened, so this is not a usage error (exit 2); the
 * CLI reports it and exits 1 unless the records call for another code.
 */
export class OutputWriteError extends SshpoolError<'OUTPUT_WRITE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OUTPUT_WRITE', message, options);
  }
}
