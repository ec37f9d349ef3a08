import { InputError } from '../errors.js';

/** Where in an inventory file something went wrong; every field is optional because not every failure has a place. */
export interface InventoryLocation {
  /** The file as the user named it (relative paths stay relative). */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** The YAML path of the offending node, e.g. `all.children.web.hosts`. */
  path?: string;
  /** The text of the offending line, quoted under the message with a caret. */
  lineText?: string;
}

/**
 * An inventory source cannot be used. The message leads with `file:line:column`
 * so editors can jump to it, and quotes the line, because users fix inventories
 * by looking at them.
 */
export class InventoryError extends InputError {
  /** The file as the user named it. */
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
  /** The YAML path of the offending node, e.g. `all.children.web.hosts`. */
  readonly path?: string;
  /** The offending line's text, as quoted in the message. */
  readonly lineText?: string;
  /** The message without the location prefix and the quoted line. */
  readonly reason: string;

  constructor(code: string, reason: string, location: InventoryLocation = {}, options?: { cause?: unknown }) {
    super(code, formatMessage(reason, location), options);
    this.reason = reason;
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.path = location.path;
    this.lineText = location.lineText;
  }
}

/** A file or directory of an inventory could not be read at all. */
export function cannotRead(shown: string, error: unknown): never {
  throw new InventoryError('INVENTORY_READ', `cannot read '${shown}': ${(error as Error).message}`, { file: shown }, { cause: error });
}

/** A host pattern (or --limit) selected no host at all. */
export class NoHostsMatchedError extends InputError {
  /** The pattern (or --limit) as given. */
  readonly pattern: string;

  constructor(pattern: string, message = `no hosts matched the pattern '${pattern}'`) {
    super('NO_HOSTS_MATCHED', message);
    this.pattern = pattern;
  }
}

/** A host pattern that cannot be evaluated: a bad regex or subscript. */
export class PatternError extends InputError {
  /** The pattern as given. */
  readonly pattern: string;

  constructor(pattern: string, reason: string, options?: { cause?: unknown }) {
    super('BAD_PATTERN', `invalid host pattern '${pattern}': ${reason}`, options);
    this.pattern = pattern;
  }
}

function formatMessage(reason: string, location: InventoryLocation): string {
  const { file, line, column, path, lineText } = location;
  let place = file ?? '';
  if (line !== undefined) place += `:${line}${column !== undefined ? `:${column}` : ''}`;
  let message = place ? `${place}: ` : '';
  if (path) message += `${path}: `;
  message += reason;
  if (lineText !== undefined && line !== undefined) {
    const gutter = `${line} | `;
    message += `\n  ${gutter}${lineText}`;
    if (column !== undefined) {
      // Keep the line's tabs in the padding so the caret lands under the right character.
      const padding = lineText.slice(0, column - 1).replace(/[^\t]/g, ' ');
      message += `\n  ${' '.repeat(gutter.length - 2)}| ${padding}^`;
    }
  }
  return message;
}

/** One way of reading an inventory source that was tried, and why it failed. */
export interface FormatAttempt {
  /** 'script', 'YAML', 'INI' or 'TOML'. */
  readonly format: string;
  /** Why that format's parser refused the source. */
  readonly error: InventoryError;
}

/**
 * No format could read a source. The error is that of the format the file
 * is written in (by its #! line, extension or content), with its code and
 * place, and says why each other format tried failed too: the format tried
 * last is rarely the one the file was meant to be in.
 */
export class InventoryUnparsedError extends InventoryError {
  /** Every format tried, in the order tried. */
  readonly attempts: readonly FormatAttempt[];

  constructor(primary: FormatAttempt, attempts: readonly FormatAttempt[]) {
    const { error } = primary;
    const others = attempts
      .filter((attempt) => attempt !== primary)
      .map(({ format, error: other }) => `not ${format} either: ${other.line === undefined ? '' : `line ${other.line}, column ${other.column}: `}${other.reason}`);
    // After a one-line reason, so that the quoted line stays under it; after a longer one (a script's stderr), on a line of its own.
    const note = `(${others.join('; ')})`;
    super(error.code, error.reason.includes('\n') ? `${error.reason}\n${note}` : `${error.reason} ${note}`, error);
    this.attempts = attempts;
  }
}
