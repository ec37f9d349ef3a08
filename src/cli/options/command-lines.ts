import { UsageError } from '../../errors.js';

/**
 * The command lines of `sshpool run`: each `-c` value is one command line (they
 * run in turn on every host over one connection); without `-c`, the words after
 * `--` make one. Both at once would leave the order ambiguous, so that is refused.
 */
export function commandLines(each: readonly string[] | undefined, words: readonly string[]): string[] {
  if (each?.length && words.length > 0) throw new UsageError('give the command either with -c (repeatable) or after --, not both');
  if (each?.length) return [...each];
  if (words.length === 0) throw new UsageError('no command given: sshpool run -i INVENTORY -- COMMAND');
  return [words.join(' ')];
}
