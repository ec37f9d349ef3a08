import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { OUTPUT_MODES } from '../../output/run-output.js';
import type { OutputMode, RunOutputOptions } from '../../output/run-output.js';
import type { CliIo } from '../cli.js';

export interface OutputArgs {
  output: string;
  gather: boolean;
  results?: string;
  report?: string;
  quiet: boolean;
  summary?: boolean;
  sanitize?: boolean;
}

/** How results are shown and kept, shared by run and ping. */
export function withOutputOptions<T>(parser: Argv<T>): Argv<T & OutputArgs> {
  return parser
    .option('output', { alias: 'o', type: 'string', choices: OUTPUT_MODES, default: 'text', describe: 'text: host-prefixed lines as they come; gathered: identical output grouped at the end; json: one array at the end; ndjson: one record per line as hosts finish' })
    .option('gather', { alias: 'b', type: 'boolean', default: false, describe: 'Same as -o gathered (clush -b, dshbak -c)' })
    .option('results', { type: 'string', requiresArg: true, describe: 'Write every record to this JSON file, atomically, as hosts finish (also when interrupted)' })
    .option('report', { type: 'string', requiresArg: true, describe: 'Write a self-contained HTML report (timeline and summary) to this file' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress line and no summary' })
    .option('summary', { type: 'boolean', describe: 'Print the end-of-run summary on stderr (default: when stderr is a terminal)' })
    .option('sanitize', {
      type: 'boolean',
      describe: 'Escape control characters in host output (\\x1b, \\r, ...) also when not writing to a terminal (default: on terminals only); --no-sanitize: never, even on a terminal',
    }) as unknown as Argv<T & OutputArgs>;
}

export function toRunOutputOptions(args: OutputArgs, io: Pick<CliIo, 'stderr'>): RunOutputOptions {
  if (args.gather && args.output !== 'text' && args.output !== 'gathered') throw new UsageError(`-b is -o gathered; it cannot go with -o ${args.output}`);
  return {
    mode: args.gather ? 'gathered' : (args.output as OutputMode),
    resultsFile: args.results,
    reportFile: args.report,
    progress: !args.quiet,
    summary: !args.quiet && (args.summary ?? Boolean(io.stderr.isTTY)),
    sanitize: args.sanitize,
  };
}
