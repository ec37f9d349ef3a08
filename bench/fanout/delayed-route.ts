import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The port every bench host answers on through the delay proxy (sshd itself is on 22). */
const DELAYED_PORT = 2222;

/**
 * The bench's hosts behind delay-proxy.ts (namespace mode only: every 127.1.x.y is
 * the proxy's on DELAYED_PORT, which clients are given with BenchFleet.sshConfig), and
 * the proxy's accept times, for a client's first TCP connect.
 */
export class DelayedRoute {
  private readonly accepts: number[] = [];

  /** Where clients connect to reach the hosts through the proxy. */
  readonly port = DELAYED_PORT;

  private constructor(private readonly proxy: ChildProcess) {
    createInterface({ input: proxy.stdout! }).on('line', (line) => {
      const [word, at] = line.split(' ');
      if (word === 'accept') this.accepts.push(Number(at));
    });
  }

  static async start(delayMs: number): Promise<DelayedRoute> {
    const proxy = spawn(process.execPath, [join(import.meta.dirname, 'delay-proxy.js'), String(DELAYED_PORT), String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [first] = (await once(createInterface({ input: proxy.stdout! }), 'line')) as [string];
    if (first !== 'listening') throw new Error(`delay proxy did not start: ${first}`);
    return new DelayedRoute(proxy);
  }

  /** Milliseconds from `startedAt` (epoch ms) to the first connection the proxy accepted after it; undefined if none. */
  firstConnectAfter(startedAt: number): number | undefined {
    const first = this.accepts.find((at) => at >= startedAt);
    return first === undefined ? undefined : first - startedAt;
  }

  async stop(): Promise<void> {
    if (this.proxy.exitCode !== null) return;
    const exited = once(this.proxy, 'exit');
    this.proxy.kill('SIGKILL');
    await exited;
  }
}
