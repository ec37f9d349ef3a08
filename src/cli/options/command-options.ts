import type { Argv } from 'yargs';
import { InputError } from '../../errors.js';
import type { CommandRunOptions } from '../../run/host-run.js';
import { Secret } from '../../secret.js';
import { settingValue } from '../../settings/resolve.js';
import type { EffectiveSettings } from '../../settings/resolve.js';
import { parseEnvironment } from '../../tasks/index.js';
import { promptHidden } from '../prompt.js';
import { repeatable } from './values.js';

/** The most of the local stdin `-I` reads: it is held once, for every host. */
export const STDIN_CAP_BYTES = 16 * 1024 * 1024;

/** The values of --env-fallback: what to do about variables the server may refuse. */
const ENV_FALLBACKS = ['report', 'export'] as const;

export interface TerminalArgs {
  pty: boolean;
  env?: string[];
  envFallback: (typeof ENV_FALLBACKS)[number];
}

export interface StdinArgs {
  stdin: boolean;
}

/** --pty, --env and --env-fallback: how each command is run, for run and script. */
export function withTerminalOptions<T>(parser: Argv<T>): Argv<T & TerminalArgs> {
  return parser
    .option('pty', { type: 'boolean', default: false, describe: 'Ask for a terminal on each host (stdout and stderr then come merged, as stdout)' })
    .option('env', { type: 'string', requiresArg: true, coerce: repeatable, describe: 'NAME=VALUE set for every command through the SSH env request (repeatable; sshd takes only the names its AcceptEnv lists)' })
    .option('env-fallback', {
      type: 'string',
      choices: ENV_FALLBACKS,
      default: 'report',
      describe: 'report: a name the server refuses is unset, and the record says so; export: export the variables at the start of the command line instead (shell-quoted)',
    }) as unknown as Argv<T & TerminalArgs>;
}

export interface VarsArgs {
  vars: boolean;
}

/** --vars: each host's inventory vars rendered into `what` (run's command, script's arguments, copy's and fetch's remote paths). */
export function withVarsOption<T>(parser: Argv<T>, what: string, quoted: boolean): Argv<T & VarsArgs> {
  const how = quoted ? 'each value shell-quoted; {{ var | raw }} as is' : 'as written, no quoting';
  return parser.option('vars', {
    type: 'boolean',
    default: false,
    describe: `Render {{ var }} in ${what} with each host's inventory vars (Ansible's templating), ${how}; without it braces pass through`,
  }) as unknown as Argv<T & VarsArgs>;
}

/** -I/--stdin, as pssh's: for run (a script's stdin carries the script). */
export function withStdinOption<T>(parser: Argv<T>): Argv<T & StdinArgs> {
  return parser.option('stdin', {
    alias: 'I',
    type: 'boolean',
    default: false,
    describe: `Read the local stdin (up to ${STDIN_CAP_BYTES / 1024 / 1024} MiB) before the run and send it to every host's command (pssh -I)`,
  }) as unknown as Argv<T & StdinArgs>;
}

/** What --pty, --env and --env-fallback make of the run's options. */
export function toTerminalOptions(args: TerminalArgs): Pick<CommandRunOptions, 'pty' | 'env' | 'envVia'> {
  const env = args.env === undefined ? undefined : parseEnvironment(args.env, '--env');
  return { pty: args.pty, env, envVia: args.envFallback === 'export' ? 'export' : 'request' };
}

/** The local stdin, read whole before any host is contacted; more than STDIN_CAP_BYTES is refused. */
export async function readLocalStdin(input: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > STDIN_CAP_BYTES) throw new InputError('STDIN_TOO_LARGE', `-I/--stdin: the local stdin is over ${STDIN_CAP_BYTES / 1024 / 1024} MiB, the most sshpool holds to send to every host`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** The --ask-become-pass answer, asked once on the terminal before the run starts. */
export async function becomePassword(settings: EffectiveSettings): Promise<Secret | undefined> {
  if (!settingValue(settings, 'ask-become-pass')) return undefined;
  return new Secret(await promptHidden('BECOME password: '));
}
