import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { signKey, type CertificateAuthority } from './certificates.js';
import { FleetError } from './fleet-error.js';
import { runTool } from './run-tool.js';
import { renderInventory, renderKnownHosts, renderSshConfig, renderSshdConfig } from './fleet-files.js';
import { generateKey, type KeyType } from './keys.js';
import { ensureLoginUser } from './login-user.js';
import { assertLoopback } from './loopback.js';
import type { OwnedProcess } from './owned-process.js';
import { closedPort, waitForRefusal } from './ports.js';
import { commandLine, descendantPids } from './proc.js';
import { SshdStartError, startSshd, type RunningSshd } from './sshd.js';

export interface FleetHost {
  name: string;
  address: string;
  port: number;
  /** sshd's pid. */
  pid: number;
  /** The key this host's sshd serves of the first of hostKeyTypes, "ssh-ed25519 AAAA...". */
  hostKeyPublic: string;
  /** Every key it serves, one per hostKeyTypes entry in that order: "ecdsa-sha2-nistp256 AAAA...". */
  servedHostKeys: string[];
  /** The key known_hosts holds for this host: hostKeyPublic, except on wrongHostKey hosts. */
  knownHostKey: string;
  /** sshd's stderr (LogLevel ERROR), for debugging a failed test. */
  logPath: string;
  /** With FleetOptions.fileDirs: the directory this host's SFTP sessions start in (owned by the login user). */
  filesDir?: string;
}

export interface FleetOptions {
  /** Default 3 (or ports.length); names h01, h02, ... zero-padded to 2 digits, 3 if more than 99. */
  hosts?: number;
  /** Fixed ports, one per host; default: free ports picked automatically. */
  ports?: number[];
  /** A loopback address; default '127.0.0.1'. */
  address?: string;
  /** These hosts serve a host key that differs from the one written to known_hosts. */
  wrongHostKey?: string[];
  /** These hosts do not accept the user's key (empty authorized_keys). */
  refuseUserKey?: string[];
  /** Default: a fresh temporary dir, removed by stop(); a given dir is created if missing and kept. */
  dir?: string;
  /** Extra sshd_config lines for every host; they take precedence over the fleet's defaults. */
  sshdOptions?: string[];
  /** The host keys every sshd serves; default ['ed25519']. known_hosts gets the first one's. */
  hostKeyTypes?: KeyType[];
  /** Every host key is signed by this CA (ssh-keygen -s -h) and served with HostCertificate too. */
  hostCertificates?: HostCertificates;
  /**
   * Give each host a directory of its own (FleetHost.filesDir) where its SFTP
   * sessions start, so that relative remote paths are per host although every
   * host shares this machine's file system.
   */
  fileDirs?: boolean;
}

export interface HostCertificates {
  ca: CertificateAuthority;
  /** A host's certificate principals; default its address, the name a client dials. */
  principals?: (name: string, address: string) => string[];
  /** ssh-keygen -V by host name ("-2d:-1d" is expired); default valid forever. */
  validity?: Readonly<Record<string, string>>;
}

/** Tries on freshly picked ports when another process grabbed the previous one before sshd bound it. */
const PORT_ATTEMPTS = 5;
const REFUSAL_TIMEOUT_MS = 5_000;

export function hostNames(count: number): string[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, index) => `h${String(index + 1).padStart(width, '0')}`);
}

function hostCount(options: FleetOptions): number {
  const count = options.hosts ?? options.ports?.length ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new FleetError(`hosts must be a positive integer, not ${count}`);
  if (options.ports !== undefined && options.ports.length !== count) {
    throw new FleetError(`${options.ports.length} ports given for ${count} hosts`);
  }
  return count;
}

function assertKnownNames(option: string, listed: readonly string[] | undefined, names: readonly string[]): void {
  const unknown = (listed ?? []).filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new FleetError(`${option} names unknown hosts: ${unknown.join(', ')}`);
}

/**
 * sshd reads AuthorizedKeysFile with the login user's privileges, so every directory above the
 * fleet dir must let others through.
 */
async function assertTraversable(dir: string): Promise<void> {
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (((await stat(current)).mode & 0o001) === 0) {
      throw new FleetError(`${current} is not searchable by other users, so sshd cannot read authorized_keys under ${dir}`);
    }
    if (dirname(current) === current) return;
  }
}

interface HostKeys {
  name: string;
  hostDir: string;
  hostKeyPaths: string[];
  hostCertificatePaths: string[];
  servedKeys: string[];
  knownHostKey: string;
}

async function generateHostKeys(dir: string, name: string, types: readonly KeyType[], wrongHostKey: boolean): Promise<HostKeys> {
  const hostDir = join(dir, 'hosts', name);
  await mkdir(hostDir, { recursive: true });
  const hostKeyPaths = types.map((type) => join(hostDir, `ssh_host_${type}_key`));
  const first = types[0] as KeyType;
  const [otherKey, ...servedKeys] = await Promise.all([
    wrongHostKey ? generateKey(join(hostDir, `known_hosts_${first}_key`), `${name}-known-hosts`, first) : undefined,
    ...types.map((type, index) => generateKey(hostKeyPaths[index] as string, name, type)),
  ]);
  return { name, hostDir, hostKeyPaths, hostCertificatePaths: [], servedKeys, knownHostKey: otherKey ?? (servedKeys[0] as string) };
}

async function signHostKeys(keys: HostKeys, address: string, certificates: HostCertificates): Promise<void> {
  const validity = certificates.validity?.[keys.name];
  keys.hostCertificatePaths = await Promise.all(
    keys.hostKeyPaths.map((keyPath) =>
      signKey(certificates.ca, `${keyPath}.pub`, {
        identity: keys.name,
        host: true,
        principals: certificates.principals?.(keys.name, address) ?? [address],
        ...(validity === undefined ? {} : { validity }),
      }),
    ),
  );
}

interface HostLaunch {
  keys: HostKeys;
  address: string;
  fixedPort: number | undefined;
  authorizedKeys: string;
  sshdOptions: readonly string[];
  filesDir: string | undefined;
}

async function launchHost(launch: HostLaunch): Promise<{ host: FleetHost; sshd: RunningSshd }> {
  const { keys, address } = launch;
  const configPath = join(keys.hostDir, 'sshd_config');
  const logPath = join(keys.hostDir, 'sshd.log');
  const authorizedKeysPath = join(keys.hostDir, 'authorized_keys');
  await writeFile(authorizedKeysPath, launch.authorizedKeys, { mode: 0o644 });
  for (let attempt = 1; ; attempt++) {
    const port = launch.fixedPort ?? (await closedPort(address));
    const config = renderSshdConfig({
      address,
      port,
      hostKeyPaths: keys.hostKeyPaths,
      hostCertificatePaths: keys.hostCertificatePaths,
      authorizedKeysPath,
      extraLines: launch.sshdOptions,
      sftpStartDir: launch.filesDir,
    });
    await writeFile(configPath, config);
    try {
      const sshd = await startSshd({ name: keys.name, configPath, logPath, address, port });
      const host: FleetHost = {
        name: keys.name,
        address,
        port,
        pid: sshd.pid,
        hostKeyPublic: keys.servedKeys[0] as string,
        servedHostKeys: keys.servedKeys,
        knownHostKey: keys.knownHostKey,
        logPath,
        ...(launch.filesDir === undefined ? {} : { filesDir: launch.filesDir }),
      };
      return { host, sshd };
    } catch (error) {
      const retry = launch.fixedPort === undefined && attempt < PORT_ATTEMPTS;
      if (!(retry && error instanceof SshdStartError && error.portInUse)) throw error;
    }
  }
}

/** A host's files directory, writable by the login user (who, as root, is not this process's user). */
async function ownedFilesDir(hostDir: string, user: string): Promise<string> {
  const filesDir = join(hostDir, 'files');
  await mkdir(filesDir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) {
    const chown = await runTool('chown', [user, filesDir]);
    if (chown.exitCode !== 0) throw new FleetError(`could not chown ${filesDir} to ${user}: ${chown.stderr}`);
  }
  return filesDir;
}

/** Real OpenSSH sshd processes on loopback, one per host, with the client files that reach them. */
export class Fleet {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly hosts: FleetHost[],
    readonly user: string,
    readonly userKeyPath: string,
    readonly userPublicKey: string,
    private readonly daemons: Map<string, OwnedProcess>,
    private readonly ownsDir: boolean,
  ) {}

  get knownHostsPath(): string {
    return join(this.dir, 'known_hosts');
  }

  get inventoryPath(): string {
    return join(this.dir, 'inventory.yml');
  }

  get sshConfigPath(): string {
    return join(this.dir, 'ssh_config');
  }

  /**
   * Starts every host in parallel. On failure the processes are stopped but the dir is kept, so the
   * sshd logs named in the error can be read.
   */
  static async start(options: FleetOptions = {}): Promise<Fleet> {
    const address = options.address ?? '127.0.0.1';
    assertLoopback(address);
    const names = hostNames(hostCount(options));
    assertKnownNames('wrongHostKey', options.wrongHostKey, names);
    assertKnownNames('refuseUserKey', options.refuseUserKey, names);
    const hostKeyTypes = options.hostKeyTypes ?? ['ed25519'];
    if (hostKeyTypes.length === 0) throw new FleetError('hostKeyTypes must name at least one key type');

    const ownsDir = options.dir === undefined;
    const dir = options.dir === undefined ? await mkdtemp(join(tmpdir(), 'sshpool-fleet-')) : resolve(options.dir);
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    await assertTraversable(dir);

    const userKeyPath = join(dir, 'id_ed25519');
    const [user, userPublicKey, ...hostKeys] = await Promise.all([
      ensureLoginUser(),
      generateKey(userKeyPath, 'sshpool-fleet-user'),
      ...names.map((name) => generateHostKeys(dir, name, hostKeyTypes, options.wrongHostKey?.includes(name) ?? false)),
    ]);

    const { hostCertificates } = options;
    if (hostCertificates) await Promise.all(hostKeys.map((keys) => signHostKeys(keys, address, hostCertificates)));

    const filesDirs = options.fileDirs ? await Promise.all(hostKeys.map((keys) => ownedFilesDir(keys.hostDir, user))) : [];
    const launches = await Promise.allSettled(
      hostKeys.map((keys, index) =>
        launchHost({
          filesDir: filesDirs[index],
          keys,
          address,
          fixedPort: options.ports?.[index],
          authorizedKeys: options.refuseUserKey?.includes(keys.name) ? '' : `${userPublicKey}\n`,
          sshdOptions: options.sshdOptions ?? [],
        }),
      ),
    );
    const started = launches.flatMap((launch) => (launch.status === 'fulfilled' ? [launch.value] : []));
    const failure = launches.find((launch): launch is PromiseRejectedResult => launch.status === 'rejected');
    if (failure !== undefined) {
      await Promise.allSettled(started.map(({ sshd }) => sshd.process.kill()));
      throw failure.reason;
    }

    const hosts = started.map(({ host }) => host);
    const daemons = new Map(started.map(({ host, sshd }) => [host.name, sshd.process]));
    const fleet = new Fleet(dir, hosts, user, userKeyPath, userPublicKey, daemons, ownsDir);
    const client = { user, userKeyPath, knownHostsPath: fleet.knownHostsPath };
    await Promise.all([
      writeFile(fleet.knownHostsPath, renderKnownHosts(hosts)),
      writeFile(fleet.inventoryPath, renderInventory(hosts, client)),
      writeFile(fleet.sshConfigPath, renderSshConfig(hosts, client)),
    ]);
    return fleet;
  }

  host(name: string): FleetHost {
    const host = this.hosts.find((candidate) => candidate.name === name);
    if (host === undefined) throw new FleetError(`no host ${name} in this fleet`);
    return host;
  }

  /**
   * The processes serving the host's authenticated connections, one per connection (sshd's
   * unprivileged child: "sshd: user", "sshd: user@notty" once a session is open; not the
   * "[priv]" monitor): SIGSTOP one to freeze a host after authentication.
   */
  connectionPids(name: string): number[] {
    return descendantPids(this.host(name).pid).filter((pid) => /^sshd: [^\s@]+(@\S+)?$/.test(commandLine(pid)));
  }

  /** SIGKILLs the host's sshd and every session it runs; resolves once its port refuses connections. */
  async kill(name: string): Promise<void> {
    const host = this.host(name);
    await this.daemons.get(name)?.kill();
    await waitForRefusal(host.address, host.port, REFUSAL_TIMEOUT_MS);
  }

  /** Starts a killed host's sshd again on its port, with its keys and config, as a host back from a reboot. */
  async restart(name: string): Promise<void> {
    const host = this.host(name);
    const hostDir = dirname(host.logPath);
    const sshd = await startSshd({ name, configPath: join(hostDir, 'sshd_config'), logPath: host.logPath, address: host.address, port: host.port });
    this.daemons.set(name, sshd.process);
    host.pid = sshd.pid;
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const kills = await Promise.allSettled([...this.daemons.values()].map((daemon) => daemon.kill()));
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
    const failed = kills.find((kill): kill is PromiseRejectedResult => kill.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
