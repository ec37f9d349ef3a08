import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's launcher, which `npm run bundle` writes, run with `node` (as tests do, to use this Node). */
export const CLI_MAIN = fileURLToPath(new URL('../../../dist/sshpool.cjs', import.meta.url));
/** The `sshpool` command as installed (the package's `bin`): a shell script that starts CLI_MAIN with the `node` on PATH. */
export const SSHPOOL_BIN = fileURLToPath(new URL('../../../bin/sshpool', import.meta.url));

export interface CliProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The program and arguments that run the CLI with `args`: CLI_MAIN under this Node, or with `bin` SSHPOOL_BIN. */
export function cliCommand(args: string[], bin = false): [file: string, args: string[]] {
  return bin ? [SSHPOOL_BIN, args] : [process.execPath, [CLI_MAIN, ...args]];
}

/**
 * Runs the real CLI as a child process: CLI_MAIN, or with `bin` SSHPOOL_BIN. `onSpawn`
 * gets the child (to signal it mid-run, say).
 */
export function runCliProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; bin?: boolean; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliProcessResult> {
  return new Promise((resolve) => {
    const settings = { timeout: 60_000, env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 };
    const [file, fileArgs] = cliCommand(args, options.bin);
    const child = execFile(file, fileArgs, settings, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
    options.onSpawn?.(child);
  });
}
