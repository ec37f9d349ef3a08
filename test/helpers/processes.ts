import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether a process whose command line contains `marker` is alive on this machine (the fleet is local). */
export async function processAlive(marker: string): Promise<boolean> {
  try {
    await run('pgrep', ['-f', marker]);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it holds or `timeoutMs` has passed; for outcomes only the OS can tell (a process gone). */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
