import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** A command running on a terminal of its own: script(1) makes a pty, and what it writes there is copied here. */
export interface PtySession {
  /** Everything written to the terminal so far (newlines as the terminal sends them: `\r\n`). */
  screen(): string;
  /** Types on the terminal. */
  type(text: string): void;
  /**
   * Sends `signal` to the command itself (script's child), as the terminal's
   * Ctrl-C would, but exactly once and to that process only.
   */
  signal(signal: NodeJS.Signals): Promise<void>;
  /** Resolves once the screen matches; rejects after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The command's exit code (script -e passes it on). */
  exited: Promise<number | null>;
}

export function startInPty(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): PtySession {
  // script runs the command through $SHELL -c; dash (Debian's /bin/sh) stays in between unless told to exec,
  // and a signal meant for the command would then reach the shell alone. SHELL is pinned so every machine agrees.
  const env = { ...(options.env ?? process.env), SHELL: '/bin/sh' };
  const child = spawn('script', ['-qec', `exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    for (const check of [...waiters]) check();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve(code);
    });
  });
  return {
    screen: () => screen,
    type: (text) => child.stdin.write(text),
    signal: async (signal) => {
      const children = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim().split(/\s+/);
      if (children.length !== 1 || children[0] === '') throw new Error(`script has ${children.length} children (${children.join(' ')}), expected the command alone`);
      const commandLine = (await readFile(`/proc/${children[0]}/cmdline`, 'utf8')).split('\0');
      if (commandLine[0] !== argv[0]) throw new Error(`script's child runs ${JSON.stringify(commandLine)}, not ${JSON.stringify(argv[0])}`);
      process.kill(Number(children[0]), signal);
    },
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the terminal never showed ${pattern}; it shows ${JSON.stringify(screen)}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(screen)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    exited,
  };
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
