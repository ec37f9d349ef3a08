import { SshpoolError } from '../../src/errors.js';

/** The test fleet could not be set up, or a process it owns could not be stopped. */
export class FleetError extends SshpoolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEET', message, options);
  }
}
