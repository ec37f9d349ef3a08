import { spawn } from 'node:child_process';
import { FleetError } from './fleet-error.js';

export interface ToolResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the tool's stdin; without it stdin is closed at once, so a tool that prompts fails instead of waiting. */
  input?: string;
  timeoutMs?: number;
}

/** Runs a system tool to completion. Bounded in time: a hung tool fails the test instead of hanging the run. */
export function runTool(file: string, args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  const { env, input, timeoutMs = 15_000 } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: env ?? process.env,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new FleetError(`cannot run ${file}: ${error.message}`, { cause: error })));
    child.on('close', (exitCode, signal) => {
      if (signal === 'SIGKILL' && exitCode === null) {
        reject(new FleetError(`${file} ${args.join(' ')} did not finish within ${timeoutMs} ms`));
      } else {
        resolve({ exitCode, stdout, stderr });
      }
    });
    child.stdin.on('error', () => {}).end(input ?? '');
  });
}

/** runTool for tools that must succeed: a non-zero exit becomes a FleetError carrying the tool's stderr. */
export async function runToolOk(file: string, args: readonly string[], options: ToolOptions = {}): Promise<string> {
  const result = await runTool(file, args, options);
  if (result.exitCode !== 0) {
    throw new FleetError(`${file} ${args.join(' ')} exited with ${result.exitCode}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
