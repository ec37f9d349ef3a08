import { UsageError } from '../errors.js';
import { shellQuote } from './shell-quote.js';

/** How `--env` variables reach a command: through the exec request (the server may refuse them), or exported at the start of its line. */
export type EnvironmentVia = 'request' | 'export';

/** The values `--env-fallback` takes, as EnvironmentVia. */
export const ENVIRONMENT_VIAS: readonly EnvironmentVia[] = ['request', 'export'];

/** A POSIX shell variable name, as `export` takes it. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/u;

/**
 * `K=V` words (repeatable `--env`) as a map, later ones winning; a word
 * without `=`, or a name a shell cannot export, is refused naming the option.
 */
export function parseEnvironment(words: readonly string[], option: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const word of words) {
    const equals = word.indexOf('=');
    const name = equals === -1 ? word : word.slice(0, equals);
    if (equals === -1 || !NAME.test(name)) throw new UsageError(`${option} ${JSON.stringify(word)}: expected NAME=VALUE, NAME of letters, digits and _ (not starting with a digit)`);
    env[name] = word.slice(equals + 1);
  }
  return env;
}

/**
 * The line with the variables exported before it, each value shell-quoted
 * (`K='v w'; export K; CMD`), for a server whose AcceptEnv would refuse
 * them. The values then show in the remote process list, as any command line does.
 */
export function withExportedEnvironment(command: string, env: Readonly<Record<string, string>>): string {
  const names = Object.keys(env);
  if (names.length === 0) return command;
  const assignments = names.map((name) => `${name}=${shellQuote(env[name] as string)}`).join(' ');
  return `${assignments}; export ${names.join(' ')}; ${command}`;
}
