import { isIPv6 } from 'node:net';
import { stringify } from 'yaml';

/** What the client-side files need to know of one host. */
export interface HostEntry {
  name: string;
  address: string;
  port: number;
  /** The key written to known_hosts (differs from the served one on wrongHostKey hosts). */
  knownHostKey: string;
}

export interface ClientFiles {
  user: string;
  userKeyPath: string;
  knownHostsPath: string;
}

export interface SshdConfigSpec {
  address: string;
  port: number;
  /** One HostKey line each; sshd offers them all. */
  hostKeyPaths: readonly string[];
  /** One HostCertificate line each: sshd offers these certificates of its host keys too. */
  hostCertificatePaths?: readonly string[];
  authorizedKeysPath: string;
  extraLines: readonly string[];
  /** Where SFTP sessions start (sftp-server -d), so that relative paths are this host's own; default the login user's home. */
  sftpStartDir?: string;
}

/** Both sshd_config and ssh_config take a double-quoted argument as one word. */
function configValue(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}

function knownHostsPattern(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function renderSshdConfig(spec: SshdConfigSpec): string {
  const listen = isIPv6(spec.address) ? `[${spec.address}]:${spec.port}` : `${spec.address}:${spec.port}`;
  // sshd keeps the first value it reads for most keywords, so the caller's lines go first and win over
  // the defaults; a Match block must come last, since it runs to the end of the file.
  const matchAt = spec.extraLines.findIndex((line) => /^\s*Match\s/i.test(line));
  const overrides = matchAt === -1 ? spec.extraLines : spec.extraLines.slice(0, matchAt);
  const matchBlocks = matchAt === -1 ? [] : spec.extraLines.slice(matchAt);
  const lines = [
    ...overrides,
    `ListenAddress ${listen}`,
    ...spec.hostKeyPaths.map((path) => `HostKey ${configValue(path)}`),
    ...(spec.hostCertificatePaths ?? []).map((path) => `HostCertificate ${configValue(path)}`),
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    `AuthorizedKeysFile ${configValue(spec.authorizedKeysPath)}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // sshd takes the last MaxStartups it reads (not the first, as for most keywords): only when the caller gives none.
    ...(overrides.some((line) => /^\s*MaxStartups\s/i.test(line)) ? [] : ['MaxStartups 1000:30:2000']),
    'MaxSessions 100',
    'LogLevel ERROR',
    'AllowTcpForwarding yes',
    spec.sftpStartDir === undefined ? 'Subsystem sftp internal-sftp' : `Subsystem sftp internal-sftp -d ${configValue(spec.sftpStartDir)}`,
    ...matchBlocks,
  ];
  return `${lines.join('\n')}\n`;
}

/** Plain (unhashed) lines, one per host, so tests and people can read them. */
export function renderKnownHosts(hosts: readonly HostEntry[]): string {
  return hosts.map((host) => `${knownHostsPattern(host.address, host.port)} ${host.knownHostKey}\n`).join('');
}

export function renderInventory(hosts: readonly HostEntry[], client: ClientFiles): string {
  const entries = hosts.map((host) => [
    host.name,
    {
      ansible_host: host.address,
      ansible_port: host.port,
      ansible_user: client.user,
      ansible_ssh_private_key_file: client.userKeyPath,
    },
  ]);
  return stringify({ all: { children: { fleet: { hosts: Object.fromEntries(entries) } } } });
}

export function renderSshConfig(hosts: readonly HostEntry[], client: ClientFiles): string {
  return hosts
    .map((host) =>
      [
        `Host ${host.name}`,
        `  HostName ${host.address}`,
        `  Port ${host.port}`,
        `  User ${client.user}`,
        `  IdentityFile ${configValue(client.userKeyPath)}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${configValue(client.knownHostsPath)}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    )
    .join('\n');
}
