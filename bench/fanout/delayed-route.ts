import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { renderKnownHosts } from '../../test/fleet/fleet-files.js';
import type { BenchFleet } from './bench-fleet.js';

/** The port every bench host answers on through the delay proxy (sshd itself is on 22). */
const DELAYED_PORT = 2222;

/**
 * The bench's hosts behind delay-proxy.ts (namespace mode only: every 127.1.x.y is
 * the proxy's on DELAYED_PORT), with an ssh_config and known_hosts of their own, and
 * the proxy's accept times, for a client's first TCP connect.
 */
export class DelayedRoute {
  private readonly accepts: number[] = [];

  private constructor(
    private readonly proxy: ChildProcess,
    /** The ssh_config every client reads for the delayed hosts. */
    readonly sshConfigPath: string,
  ) {
    createInterface({ input: proxy.stdout! }).on('line', (line) => {
      const [word, at] = line.split(' ');
      if (word === 'accept') this.accepts.push(Number(at));
    });
  }

  static async start(fleet: BenchFleet, delayMs: number): Promise<DelayedRoute> {
    const proxy = spawn(process.execPath, [join(import.meta.dirname, 'delay-proxy.js'), String(DELAYED_PORT), String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [first] = (await once(createInterface({ input: proxy.stdout! }), 'line')) as [string];
    if (first !== 'listening') throw new Error(`delay proxy did not start: ${first}`);
    const knownHostsPath = join(fleet.dir, 'known_hosts.delayed');
    await writeFile(knownHostsPath, renderKnownHosts(fleet.hosts.map((h) => ({ ...h, port: DELAYED_PORT, knownHostKey: fleet.hostKey }))));
    const sshConfigPath = join(fleet.dir, 'ssh_config.delayed');
    await writeFile(sshConfigPath, fleet.clientConfig({ port: DELAYED_PORT, knownHostsPath }));
    return new DelayedRoute(proxy, sshConfigPath);
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
