import { execFile } from 'node:child_process';

/**
 * Runs a Python 3 program that reads a JSON array from stdin and prints a
 * JSON array: how tests ask Python itself what it makes of their inputs.
 * Undefined when python3 (or `interpreter`, e.g. the one ansible runs on) is not installed (the caller skips).
 */
export function askPython(program: string, inputs: readonly unknown[], interpreter = 'python3'): Promise<unknown[] | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(interpreter, ['-c', program], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve(undefined);
      else if (error) reject(new Error(`${interpreter} failed: ${stderr}`, { cause: error }));
      else resolve(JSON.parse(stdout) as unknown[]);
    });
    child.stdin!.end(JSON.stringify(inputs));
  });
}
