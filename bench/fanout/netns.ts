import { spawn, spawnSync } from 'node:child_process';

/**
 * The bench's own network namespace: inside it the whole 127.0.0.0/8 is routed to
 * its own `lo`, so 127.1.x.y are distinct host names to every client, and nothing
 * outside the namespace is reachable or disturbed.
 */
export const NAMESPACE = `sshpool-bench-${process.pid}`;
// Not SSHPOOL_*: sshpool warns of an unknown setting variable in its environment.
const INSIDE_ENV = 'BENCH_SSHPOOL_NETNS';

/** The namespace this process runs in, when the outer process started it there. */
export function insideNamespace(): string | undefined {
  return process.env[INSIDE_ENV];
}

export function canCreateNamespace(): boolean {
  return process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
}

function ip(args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

/**
 * Runs this same script again inside a fresh namespace and removes the namespace
 * when it ends, also on Ctrl-C or SIGTERM (the signal is passed on first, so the
 * inner process stops its sshd before the namespace goes).
 */
export async function rerunInsideNamespace(): Promise<number> {
  ip(['netns', 'add', NAMESPACE]);
  try {
    ip(['-n', NAMESPACE, 'link', 'set', 'lo', 'up']);
    const child = spawn('ip', ['netns', 'exec', NAMESPACE, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, [INSIDE_ENV]: NAMESPACE },
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1))));
    for (const [signal, handler] of handlers) process.off(signal, handler);
    return code;
  } finally {
    spawnSync('ip', ['netns', 'del', NAMESPACE]);
  }
}
