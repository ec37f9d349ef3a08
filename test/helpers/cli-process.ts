import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI as shipped: the bundle `npm run bundle` writes (the package's `bin`). */
export const CLI_MAIN = fileURLToPath(new URL('../../../dist/sshpool.cjs', import.meta.url));

export interface CliProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `sshpool` binary as a child process. `onSpawn` gets the child
 * (to signal it mid-run, say).
 */
export function runCliProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliProcessResult> {
  return new Promise((resolve) => {
    const settings = { timeout: 60_000, env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 };
    const child = execFile(process.execPath, [CLI_MAIN, ...args], settings, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
    options.onSpawn?.(child);
  });
}
