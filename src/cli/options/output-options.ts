import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { settingValue } from '../../settings/resolve.js';
import type { EffectiveSettings } from '../../settings/resolve.js';
import type { OutputMode, RunOutputOptions } from '../../output/run-output.js';
import type { CliIo } from '../cli.js';

export interface OutputArgs {
  gather: boolean;
  diff: boolean;
  results?: string;
  report?: string;
}

/** Where results are kept, shared by run and ping; how they are shown (-o, -q, --summary, --sanitize) are settings. */
export function withOutputOptions<T>(parser: Argv<T>): Argv<T & OutputArgs> {
  return parser
    .option('gather', { alias: 'b', type: 'boolean', default: false, describe: 'Same as -o gathered (clush -b, dshbak -c)' })
    .option('diff', { type: 'boolean', default: false, describe: "Gathered, each group's output as a unified diff against the largest group's (clush --diff)" })
    .option('results', { type: 'string', requiresArg: true, describe: 'Write every record to this JSON file, atomically, as hosts finish (also when interrupted)' })
    .option('report', { type: 'string', requiresArg: true, describe: 'Write a self-contained HTML report (timeline and summary) to this file' }) as unknown as Argv<T & OutputArgs>;
}

export function toRunOutputOptions(args: OutputArgs, settings: EffectiveSettings, io: Pick<CliIo, 'stderr'>): RunOutputOptions {
  const output = settingValue(settings, 'output') as OutputMode;
  // -b beats an output mode from a settings file or variable; with -o on the same command line it is a contradiction.
  const outputFlag = settings.get('output')?.origin.source === 'flag';
  const gathering = args.gather ? '-b' : args.diff ? '--diff' : undefined;
  if (gathering && outputFlag && output !== 'text' && output !== 'gathered') throw new UsageError(`${gathering} is -o gathered; it cannot go with -o ${output}`);
  const quiet = settingValue(settings, 'quiet');
  return {
    mode: gathering ? 'gathered' : output,
    diff: args.diff,
    resultsFile: args.results,
    reportFile: args.report,
    progress: !quiet,
    summary: !quiet && (settingValue(settings, 'summary') ?? Boolean(io.stderr.isTTY)),
    sanitize: settingValue(settings, 'sanitize'),
  };
}
