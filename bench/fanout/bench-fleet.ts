import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderKnownHosts, renderSshdConfig } from '../../test/fleet/fleet-files.js';
import { generateKey } from '../../test/fleet/keys.js';
import { ensureLoginUser } from '../../test/fleet/login-user.js';
import type { OwnedProcess } from '../../test/fleet/owned-process.js';
import { closedPort } from '../../test/fleet/ports.js';
import { startSshd } from '../../test/fleet/sshd.js';
import { childCount, reapedCpuMs } from './server-cpu.js';

/** sshd accepts at most this many ListenAddress lines (MAX_LISTEN_SOCKS). */
const LISTENERS_PER_SSHD = 16;

/** Every client negotiates the same algorithms, so the comparison is of the clients alone. */
const SAME_ALGORITHMS = ['KexAlgorithms curve25519-sha256', 'Ciphers aes128-gcm@openssh.com'];

export interface BenchHost {
  /** The name every client is given: an address in namespace mode, an ssh_config alias otherwise. */
  name: string;
  address: string;
  port: number;
}

/**
 * The hosts the bench runs against. In a namespace: one sshd on 0.0.0.0:22 and
 * hosts 127.1.x.y (all distinct to the clients). Otherwise: sshd processes on
 * 16 loopback ports each, hosts being ssh_config aliases for 127.0.0.1:port.
 * All clients read the same ssh_config (user, key, known_hosts, host-key policy).
 */
export class BenchFleet {
  private constructor(
    readonly dir: string,
    readonly hosts: BenchHost[],
    readonly sshConfigPath: string,
    /** The login user of every host. */
    readonly user: string,
    /** The login key every host accepts (ssh_config's IdentityFile). */
    readonly userKeyPath: string,
    /** The host key every host serves, for known_hosts. */
    readonly hostKey: string,
    private readonly inNamespace: boolean,
    private readonly daemons: OwnedProcess[],
    /** Each listener's pid, for the CPU its logins cost. */
    private readonly sshdPids: number[],
  ) {}

  /** CPU spent so far by every sshd and the session processes it has reaped. */
  async serverCpuMs(): Promise<number> {
    const each = await Promise.all(this.sshdPids.map(reapedCpuMs));
    return each.reduce((a, b) => a + b, 0);
  }

  /**
   * Resolves once no login's sshd process is left (a session still closing
   * after its client exited has not yet been counted), or after `timeoutMs`.
   */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const left = await Promise.all(this.sshdPids.map(childCount));
      if (left.every((n) => n === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * An ssh_config, and the known_hosts it names, for the first `count` hosts only (at `port` if given:
   * another route to them, DelayedRoute's). Clients that read known_hosts at every connection (asyncssh,
   * and the `ssh` per host of pdsh, parallel-ssh and clush) then read as many entries as the scenario
   * has hosts, not as many as the largest scenario of the run started the fleet with.
   */
  async sshConfig(count: number, port?: number): Promise<string> {
    const name = port === undefined ? `${count}` : `${count}.port${port}`;
    const hosts = this.hosts.slice(0, count);
    const knownHostsPath = join(this.dir, `known_hosts.${name}`);
    await writeFile(knownHostsPath, renderKnownHosts(hosts.map((h) => ({ ...h, port: port ?? h.port, knownHostKey: this.hostKey }))));
    const path = join(this.dir, `ssh_config.${name}`);
    await writeFile(path, renderClientConfig(hosts, this.inNamespace, { user: this.user, userKeyPath: this.userKeyPath, knownHostsPath, ...(port === undefined ? {} : { port }) }));
    return path;
  }

  static async start(hostCount: number, inNamespace: boolean): Promise<BenchFleet> {
    const dir = await mkdtemp(join(tmpdir(), 'sshpool-bench-'));
    const daemons: OwnedProcess[] = [];
    const sshdPids: number[] = [];
    try {
      // sshd reads authorized_keys here as the login user.
      await chmod(dir, 0o755);
      const userKeyPath = join(dir, 'id_ed25519');
      const hostKeyPath = join(dir, 'ssh_host_ed25519_key');
      const [user, userKey, hostKey] = await Promise.all([
        ensureLoginUser(),
        generateKey(userKeyPath, 'sshpool-bench-user'),
        generateKey(hostKeyPath, 'sshpool-bench-host'),
      ]);
      const authorizedKeysPath = join(dir, 'authorized_keys');
      await writeFile(authorizedKeysPath, `${userKey}\n`, { mode: 0o644 });
      const hosts = inNamespace ? namespaceHosts(hostCount) : await portHosts(hostCount);
      const listeners = inNamespace ? [[{ address: '0.0.0.0', port: 22, probe: '127.1.0.1' }]] : chunk(hosts.map((h) => ({ ...h, probe: h.address })), LISTENERS_PER_SSHD);
      await mkdir(join(dir, 'sshd'), { recursive: true });
      for (const [index, group] of listeners.entries()) {
        const [first, ...rest] = group as [(typeof group)[number], ...typeof group];
        const configPath = join(dir, 'sshd', `sshd_config.${index}`);
        await writeFile(
          configPath,
          renderSshdConfig({
            address: first.address,
            port: first.port,
            hostKeyPaths: [hostKeyPath],
            authorizedKeysPath,
            extraLines: [...SAME_ALGORITHMS, ...rest.map((l) => `ListenAddress ${l.address}:${l.port}`)],
          }),
        );
        const sshd = await startSshd({ name: `bench-sshd-${index}`, configPath, logPath: join(dir, 'sshd', `sshd.${index}.log`), address: first.probe, port: first.port });
        daemons.push(sshd.process);
        sshdPids.push(sshd.pid);
      }
      const knownHostsPath = join(dir, 'known_hosts');
      await writeFile(knownHostsPath, renderKnownHosts(hosts.map((h) => ({ ...h, knownHostKey: hostKey }))));
      const sshConfigPath = join(dir, 'ssh_config');
      await writeFile(sshConfigPath, renderClientConfig(hosts, inNamespace, { user, userKeyPath, knownHostsPath }));
      return new BenchFleet(dir, hosts, sshConfigPath, user, userKeyPath, hostKey, inNamespace, daemons, sshdPids);
    } catch (error) {
      await Promise.allSettled(daemons.map((d) => d.kill()));
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The first `count` hosts, as a file of names one per line (pdsh -w ^FILE, pssh -h, clush --hostfile). */
  async hostsFile(count: number): Promise<string> {
    const path = join(this.dir, `hosts.${count}`);
    await writeFile(path, this.hosts.slice(0, count).map((h) => `${h.name}\n`).join(''));
    return path;
  }

  /** The first `count` hosts as an Ansible YAML inventory (sshpool -i). */
  async inventory(count: number): Promise<string> {
    const path = join(this.dir, `inventory.${count}.yml`);
    await writeFile(path, `all:\n  hosts:\n${this.hosts.slice(0, count).map((h) => `    ${h.name}:\n`).join('')}`);
    return path;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.daemons.map((d) => d.kill()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

function namespaceHosts(count: number): BenchHost[] {
  return Array.from({ length: count }, (_, i) => {
    const address = `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    return { name: address, address, port: 22 };
  });
}

async function portHosts(count: number): Promise<BenchHost[]> {
  const hosts: BenchHost[] = [];
  for (let i = 0; i < count; i++) hosts.push({ name: `b${String(i + 1).padStart(4, '0')}`, address: '127.0.0.1', port: await closedPort() });
  return hosts;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function renderClientConfig(hosts: readonly BenchHost[], inNamespace: boolean, client: { user: string; userKeyPath: string; knownHostsPath: string; port?: number }): string {
  // Aliases only where names are not addresses: one `Host *` block is what each peer's ssh then parses.
  const aliases = inNamespace ? [] : hosts.map((h) => `Host ${h.name}\n  HostName ${h.address}\n  Port ${h.port}\n`);
  const common = [
    'Host *',
    `  User ${client.user}`,
    ...(client.port === undefined ? [] : [`  Port ${client.port}`]),
    `  IdentityFile ${client.userKeyPath}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${client.knownHostsPath}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  ConnectTimeout 30',
    '  LogLevel ERROR',
  ];
  return `${aliases.join('')}${common.join('\n')}\n`;
}
