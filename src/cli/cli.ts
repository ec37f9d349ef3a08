import yargs from 'yargs';
import type { Argv } from 'yargs';
import { InputError, SshpoolError, UsageError } from '../errors.js';
import { escapeControlCharacters } from '../output/untrusted-text.js';
import { EXIT_OK, EXIT_OTHER, EXIT_USAGE } from './exit-codes.js';
import { commands } from './commands/index.js';
import { COMPLETION_FLAG, CompletingOnly, withCompletion } from './completion.js';
import { packageVersion } from './version.js';

/**
 * Builds the yargs parser. Each command module registers itself and sets
 * `process.exitCode`-style results through the `exit` callback it is given.
 */
export function buildParser(argv: string[], io: CliIo): Argv {
  const completing = argv.includes(COMPLETION_FLAG);
  let parser = yargs(argv)
    .scriptName('sshpool')
    .usage('$0 <command> [options]')
    // A command line being completed is unfinished: what strict mode would refuse in it is what is being typed.
    .strict(!completing)
    .demandCommand(1, 'Name a command: see the list above.')
    .example('$0 run -i hosts.yaml -l web -- uptime', 'a command on every web host')
    .example('$0 shell -i hosts.yaml', 'a prompt: each line runs on every host')
    .example('$0 <command> --help', "a command's options, with examples")
    .recommendCommands()
    .version(packageVersion())
    .alias('h', 'help')
    .alias('V', 'version')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    // Words after `--` are a remote command line, never options of ours.
    .parserConfiguration({ 'populate--': true })
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  for (const command of commands) parser = command(parser, io);
  return withoutEagerHelpLayout(withCompletion(parser, completing));
}

/** The part of yargs' internals withoutEagerHelpLayout() reaches. */
interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}

/**
 * yargs lays out the whole help text as a command's handler starts, to print it if
 * the command fails later; our .fail() never prints it, and the layout (string
 * widths of every option's description) took ~80 ms of CPU before a run's first
 * connection. --help still lays it out, when asked.
 */
function withoutEagerHelpLayout(parser: Argv): Argv {
  const usage = (parser as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;
  return parser;
}

/** Where the CLI writes, so tests and library users can capture it. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Set by a command to the process exit code it wants. */
  setExitCode(code: number): void;
}

export async function runCli(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  let exitCode = 0;
  const io: CliIo = {
    stdout: partialIo.stdout ?? process.stdout,
    stderr: partialIo.stderr ?? process.stderr,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  try {
    await buildParser(argv, io).parseAsync();
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

const USAGE_HINT = "Run 'sshpool --help' for usage.\n";

/** Messages quote inventories, config files and servers: their control characters are escaped, as OpenSSH escapes what it logs. */
function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CompletingOnly) return EXIT_OK;
  if (error instanceof InputError) {
    // The hint helps with a mistyped command line, not with a bad inventory or pattern.
    io.stderr.write(`sshpool: ${escapeControlCharacters(error.message)}\n${error instanceof UsageError ? USAGE_HINT : ''}`);
    return EXIT_USAGE;
  }
  if (error instanceof SshpoolError) {
    io.stderr.write(`sshpool: ${escapeControlCharacters(error.message)} [${escapeControlCharacters(error.code)}]\n`);
    return EXIT_OTHER;
  }
  if (error instanceof Error && error.name === 'YError') {
    io.stderr.write(`sshpool: ${escapeControlCharacters(error.message)}\n${USAGE_HINT}`);
    return EXIT_USAGE;
  }
  io.stderr.write(`sshpool: ${escapeControlCharacters(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
  return EXIT_OTHER;
}
