import { randomBytes } from 'node:crypto';
import type { TaskExecutor } from './executor.js';
import { commandTask } from './task.js';
import type { CommandTaskOptions, HostTask, WithCleanupTask } from './task.js';
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

/** `sshpool script`'s task: plain data; each host's run of it gets a directory name of its own. */
export interface ScriptTask extends HostTask, Omit<ScriptTaskOptions, 'name'> {
  /** The built-in script kind. */
  readonly kind: 'script';
  /** The script's bytes, one buffer for every host. */
  readonly script: Uint8Array;
  /** Its arguments, each shell-quoted on the hosts. */
  readonly args: readonly string[];
  /** Its file name on the hosts ($0). */
  readonly name: string;
}

const CLEANUP_TIMEOUT_MS = 30_000;

/** A ScriptTask; options left undefined are left out. */
export function scriptTask(script: Uint8Array, args: readonly string[], options: ScriptTaskOptions): ScriptTask {
  const { name = 'script', ...rest } = options;
  const task: Record<string, unknown> = { kind: 'script', script, args: [...args], name };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) task[key] = value;
  return task as unknown as ScriptTask;
}

/**
 * The steps of one host's run of a script: upload it into a directory of its
 * own (`${TMPDIR:-/tmp}/sshpool-script-<128 random bits>`, made by `mkdir`
 * under umask 077, so mode 0700 and never an existing path or a symlink
 * another user planted), make it 0700, run it with its arguments (its shebang
 * line picks the interpreter, as exec does), then remove the directory
 * whatever happened (with-cleanup). The script goes over the exec channel's
 * stdin (`cat >`), in the same command that runs it: one channel, one round
 * trip, and under become the file belongs to the user who runs it. A failed
 * upload is a failed command (mkdir's or cat's message on stderr).
 */
export function scriptSteps(task: ScriptTask, id: string): WithCleanupTask {
  const { script, args, name, cleanupTimeoutMs = CLEANUP_TIMEOUT_MS, envVia = 'request', env, timeoutMs, maxOutputBytes, pty } = task;
  const exported = env !== undefined && envVia === 'export';
  const dir = `"\${TMPDIR:-/tmp}"/sshpool-script-${id}`;
  const fileName = name.replace(/[^\w.-]/gu, '_');
  const path = `${dir}/${/^\.*$/u.test(fileName) ? 'script' : fileName}`;
  const run = [path, ...args.map(shellQuote)].join(' ');
  const main = `umask 077 && mkdir ${dir} && cat > ${path} && chmod 700 ${path} && exec ${run}`;
  return {
    kind: 'with-cleanup',
    main: commandTask(exported ? withExportedEnvironment(main, env) : main, { timeoutMs, maxOutputBytes, pty, env: exported ? undefined : env, stdin: script }),
    cleanup: commandTask(`rm -rf ${dir}`, { timeoutMs: cleanupTimeoutMs, maxOutputBytes }),
  };
}

/** Runs a ScriptTask as its with-cleanup steps, with a directory name drawn for this host (hosts may share a /tmp). */
export const scriptExecutor: TaskExecutor<ScriptTask> = {
  commandLine: (task) => ['script', shellQuote(task.name), ...task.args.map(shellQuote)].join(' '),
  steps: (task) => [scriptSteps(task, '0')],
  async execute(task, context) {
    return context.execute(scriptSteps(task, randomBytes(16).toString('hex')));
  },
};
