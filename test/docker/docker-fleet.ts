import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetError } from '../fleet/fleet-error.js';
import { renderInventory, renderKnownHosts } from '../fleet/fleet-files.js';
import { generateKey, withoutComment } from '../fleet/keys.js';
import { assertLoopback } from '../fleet/loopback.js';
import { waitForBanner } from '../fleet/ports.js';
import { runToolOk } from '../fleet/run-tool.js';

/** Built by docker/up.sh from docker/Dockerfile. */
export const TARGET_IMAGE = 'sshpool-sshd-target';
/** The image's login user (docker/Dockerfile): /bin/sh, passwordless sudo. */
const LOGIN_USER = 'sshpool';
const PUBLISH_ADDRESS = '127.0.0.1';
const DOCKER_TIMEOUT_MS = 60_000;
const SSHD_START_TIMEOUT_MS = 30_000;

export interface DockerHost {
  /** Inventory name, also the container's hostname. */
  name: string;
  container: string;
  /** Always the published loopback address: the tests never use a container's own address. */
  address: string;
  port: number;
  /** The host key the container made at start, "ssh-ed25519 AAAA...". */
  knownHostKey: string;
}

function docker(args: readonly string[]): Promise<string> {
  return runToolOk('docker', args, { timeoutMs: DOCKER_TIMEOUT_MS });
}

/**
 * Containers of docker/Dockerfile's sshd target, each publishing sshd on a free port of
 * 127.0.0.1, with an inventory and a known_hosts file (the keys each container made) for
 * them. Faults are real Docker operations: stop, pause, remove.
 *
 *   before(async () => { fleet = await DockerFleet.start({ hosts: 3 }); });
 *   after(() => fleet?.stop());
 */
export class DockerFleet {
  readonly user = LOGIN_USER;
  readonly hosts: DockerHost[] = [];

  private constructor(
    /** Names and labels this fleet's containers, so that stop() finds even those a failed start left. */
    private readonly runId: string,
    private readonly dir: string,
  ) {}

  private get runLabel(): string {
    return `sshpool.docker-fleet=${this.runId}`;
  }

  get userKeyPath(): string {
    return join(this.dir, 'user_key');
  }
  get knownHostsPath(): string {
    return join(this.dir, 'known_hosts');
  }
  get inventoryPath(): string {
    return join(this.dir, 'inventory.yaml');
  }

  /**
   * Hosts docker1..dockerN. docker1 gets the login key as a mounted authorized_keys file,
   * the others through SSHPOOL_AUTHORIZED_KEY, so both ways the image takes it are used.
   */
  static async start(options: { hosts: number }): Promise<DockerFleet> {
    const fleet = new DockerFleet(`sshpool-${randomBytes(6).toString('hex')}`, await mkdtemp(join(tmpdir(), 'sshpool-docker-')));
    try {
      const userKey = await generateKey(fleet.userKeyPath, 'sshpool-docker-test');
      const names = Array.from({ length: options.hosts }, (_, index) => `docker${index + 1}`);
      const hosts = await Promise.all(names.map((name, index) => fleet.startHost(name, index === 0 ? { file: `${fleet.userKeyPath}.pub` } : { key: userKey })));
      fleet.hosts.push(...hosts);
      await writeFile(fleet.knownHostsPath, renderKnownHosts(hosts));
      await writeFile(fleet.inventoryPath, renderInventory(hosts, fleet));
      return fleet;
    } catch (error) {
      await fleet.stop();
      throw error;
    }
  }

  private async startHost(name: string, login: { file: string } | { key: string }): Promise<DockerHost> {
    const container = `${this.runId}-${name}`;
    const loginArgs = 'file' in login ? ['--volume', `${login.file}:/etc/sshpool/authorized_keys:ro`] : ['--env', `SSHPOOL_AUTHORIZED_KEY=${login.key}`];
    await docker(['run', '--detach', '--name', container, '--hostname', name, '--label', this.runLabel, '--publish', `${PUBLISH_ADDRESS}::22`, ...loginArgs, TARGET_IMAGE]);
    const port = await publishedPort(container);
    // Docker's proxy accepts TCP before sshd listens: only the banner says sshd is up.
    const up = await waitForBanner(PUBLISH_ADDRESS, port, { timeoutMs: SSHD_START_TIMEOUT_MS, giveUp: () => false });
    if (!up) throw new FleetError(`${container}: no SSH banner on ${PUBLISH_ADDRESS}:${port} within ${SSHD_START_TIMEOUT_MS} ms; its log: ${await docker(['logs', container])}`);
    const knownHostKey = withoutComment(await docker(['exec', container, 'cat', '/etc/ssh/ssh_host_ed25519_key.pub']));
    return { name, container, address: PUBLISH_ADDRESS, port, knownHostKey };
  }

  host(name: string): DockerHost {
    const host = this.hosts.find((candidate) => candidate.name === name);
    if (!host) throw new FleetError(`no host ${name} in this fleet`);
    return host;
  }

  /** `docker stop`: sshd (PID 1) and every session in the container end. */
  async stopHost(name: string): Promise<void> {
    await docker(['stop', '--time', '1', this.host(name).container]);
  }

  /** `docker pause`: the container is frozen; Docker's proxy still holds the TCP connections open. */
  async pause(name: string): Promise<void> {
    await docker(['pause', this.host(name).container]);
  }

  async unpause(name: string): Promise<void> {
    await docker(['unpause', this.host(name).container]);
  }

  /** `docker rm --force`: the container and its published port are gone. */
  async remove(name: string): Promise<void> {
    await docker(['rm', '--force', this.host(name).container]);
  }

  /** Removes every container of the fleet, whatever state it is in, and the fleet's files. */
  async stop(): Promise<void> {
    const ids = (await docker(['ps', '--all', '--quiet', '--filter', `label=${this.runLabel}`])).split('\n').filter(Boolean);
    if (ids.length > 0) await docker(['rm', '--force', '--volumes', ...ids]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The loopback port Docker published the container's sshd on (checked to be loopback). */
async function publishedPort(container: string): Promise<number> {
  const mapping = (await docker(['port', container, '22/tcp'])).split('\n')[0] ?? '';
  const match = /^(.+):(\d+)$/.exec(mapping.trim());
  if (!match) throw new FleetError(`${container}: docker port printed '${mapping}', not address:port`);
  assertLoopback(match[1] as string);
  return Number(match[2]);
}
