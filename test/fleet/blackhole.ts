import { execFileSync } from 'node:child_process';
import { FleetError } from './fleet-error.js';
import { runTool, runToolOk } from './run-tool.js';

/** An address and port where TCP SYNs are silently dropped: a dead host, as the network sees one. */
export interface Blackhole {
  address: string;
  port: number;
  remove(): Promise<void>;
}

/** Why a black hole cannot be made on this machine, or undefined when it can. */
export async function blackholeUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const tool of ['ip', 'iptables']) {
    if ((await runTool('sh', ['-c', `command -v ${tool}`])).exitCode !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

/**
 * A network namespace of its own joined to this one by a veth pair with a /30
 * on it (traffic on that pair never leaves it: no route goes further), and in
 * the namespace an iptables rule that DROPs incoming SYNs to `port` (and the
 * `count - 1` ports after it: as many dead targets). Connecting to
 * `address:port` then hangs until the kernel gives up (~130 s), as a dead host
 * behind a router does. `remove()` deletes the namespace and the pair.
 */
export async function startBlackhole(port = 22, count = 1): Promise<Blackhole> {
  const id = process.pid;
  const namespace = `sshpool-blackhole-${id}`;
  const [outside, inside] = [`sbh${id}a`, `sbh${id}b`];
  // A /30 of 10.213.0.0/16 per test process, so parallel runs do not collide.
  const base = `10.213.${(id >> 6) % 256}.${(id % 64) * 4}`.split('.').map(Number);
  const host = (last: number) => [...base.slice(0, 3), (base[3] as number) + last].join('.');
  const [outsideAddress, address] = [host(1), host(2)];
  const inUse = await runToolOk('ip', ['-o', '-4', 'addr', 'show']);
  if (inUse.includes(` ${outsideAddress}/`) || inUse.includes(` ${address}/`)) throw new FleetError(`${outsideAddress}/30 is already in use on this machine`);

  /** Synchronous, for the process 'exit' hook too; each part may already be gone. */
  const remove = (): void => {
    for (const args of [['netns', 'del', namespace], ['link', 'del', outside]]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore' });
      } catch {
        // Not there (deleting the namespace deletes its end of the pair, and with it ours).
      }
    }
  };
  process.once('exit', remove);
  const inNamespace = (...args: string[]) => runToolOk('ip', ['netns', 'exec', namespace, ...args]);
  try {
    await runToolOk('ip', ['netns', 'add', namespace]);
    await runToolOk('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    await runToolOk('ip', ['link', 'set', inside, 'netns', namespace]);
    await runToolOk('ip', ['addr', 'add', `${outsideAddress}/30`, 'dev', outside]);
    await runToolOk('ip', ['link', 'set', outside, 'up']);
    await inNamespace('ip', 'addr', 'add', `${address}/30`, 'dev', inside);
    await inNamespace('ip', 'link', 'set', inside, 'up');
    await inNamespace('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', `${port}:${port + count - 1}`, '--syn', '-j', 'DROP');
  } catch (error) {
    remove();
    throw error;
  }
  return {
    address,
    port,
    remove: async () => {
      process.off('exit', remove);
      remove();
    },
  };
}
