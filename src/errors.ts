/**
 * Every error sshpool throws carries a stable `code`, so callers (and the results
 * file) can branch on it without parsing messages.
 */
export class SshpoolError<Code extends string = string> extends Error {
  /** Stable across releases and listed in the README's error codes; the message is for people and may change. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The user's input is at fault (an option, an inventory, a host pattern), not the
 * network or a host: the CLI exits 2 for these, as pssh does for usage errors.
 */
export class InputError<Code extends string = string> extends SshpoolError<Code> {}

/** A bad command-line option or argument. */
export class UsageError extends InputError<'USAGE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** The plain-data form of an error, as stored in results. */
export interface ErrorRecord {
  /** The error's `code`, a Node errno name (`ENOENT`) for system errors, else `ERROR`. */
  code: string;
  /** The message, server text already escaped where it is shown. */
  message: string;
}

export function toErrorRecord(error: unknown): ErrorRecord {
  if (error instanceof SshpoolError) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code : 'ERROR', message: error.message };
  }
  return { code: 'ERROR', message: String(error) };
}
