import { InputError, SshpoolError } from '../errors.js';

/** A task whose kind no executor is registered for; refused before any host is contacted. */
export class UnknownTaskKindError extends InputError {
  /** The kind as the task gave it. */
  readonly kind: string;

  constructor(kind: unknown, known: readonly string[]) {
    super('TASK_KIND_UNKNOWN', `unknown task kind ${JSON.stringify(kind)}: the registered kinds are ${known.join(', ')}`);
    this.kind = String(kind);
  }
}

/** Become (sudo, su, doas) did not get to run the command: a password refused or missing, no rule for the user, no terminal for su. */
export class BecomeError extends SshpoolError<'BECOME_FAILED'> {
  constructor(message: string) {
    super('BECOME_FAILED', message);
  }
}

/** A copy's local path that cannot be sent; refused before any host is contacted. */
export class LocalPathError extends InputError<'LOCAL_PATH_MISSING' | 'LOCAL_PATH_UNSUPPORTED'> {
  /** The path as given (or found inside a given directory). */
  readonly path: string;

  constructor(code: 'LOCAL_PATH_MISSING' | 'LOCAL_PATH_UNSUPPORTED', path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}
