import { randomBytes } from 'node:crypto';
import { commandTask } from './task.js';
import type { CommandTaskOptions, WithCleanupTask } from './task.js';
import { shellQuote } from './shell-quote.js';
import { withExportedEnvironment } from './environment.js';
import type { EnvironmentVia } from './environment.js';

/** How a script runs: as a command does, but its stdin carries the script itself. */
export type ScriptTaskOptions = Omit<CommandTaskOptions, 'stdin'> & {
  /** The script's name in its temporary directory (its `$0`); characters other than `\w . -` become `_`. Default `script`. */
  name?: string;
  /** How long the removal may take, also after a stop; default 30 s. */
  cleanupTimeoutMs?: number;
  /** How `env` reaches the script: the exec request (default), or exported at the start of its line. */
  envVia?: EnvironmentVia;
};

const CLEANUP_TIMEOUT_MS = 30_000;

/**
 * `sshpool script`'s task: upload the script into a directory of its own
 * (`${TMPDIR:-/tmp}/sshpool-script-<128 random bits>`, made by `mkdir` with
 * umask 077, so mode 0700 and never an existing path or a symlink an other user
 * planted), make it 0700, run it with `args` (its shebang line picks the
 * interpreter, as exec does), then remove the directory whatever happened
 * (with-cleanup). The script goes over the exec channel's stdin (`cat >`), in
 * the same command that runs it: one channel, one round trip, and under become
 * the file belongs to the user who runs it. A failed upload is a failed
 * command (cat's or mkdir's message on stderr).
 */
export function scriptTask(script: Uint8Array, args: readonly string[], options: ScriptTaskOptions): WithCleanupTask {
  const { name = 'script', cleanupTimeoutMs = CLEANUP_TIMEOUT_MS, envVia = 'request', env, ...commandOptions } = options;
  const exported = env !== undefined && envVia === 'export';
  const dir = `"\${TMPDIR:-/tmp}"/sshpool-script-${randomBytes(16).toString('hex')}`;
  const fileName = name.replace(/[^\w.-]/gu, '_');
  const path = `${dir}/${shellQuote(/^\.*$/u.test(fileName) ? 'script' : fileName)}`;
  const run = [path, ...args.map(shellQuote)].join(' ');
  const main = `umask 077 && mkdir ${dir} && cat > ${path} && chmod 700 ${path} && exec ${run}`;
  return {
    kind: 'with-cleanup',
    main: commandTask(exported ? withExportedEnvironment(main, env) : main, { ...commandOptions, env: exported ? undefined : env, stdin: script }),
    cleanup: commandTask(`rm -rf ${dir}`, { timeoutMs: cleanupTimeoutMs, maxOutputBytes: commandOptions.maxOutputBytes }),
  };
}
