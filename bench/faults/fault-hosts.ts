import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderKnownHosts } from '../../test/fleet/fleet-files.js';
import { generateKey } from '../../test/fleet/keys.js';
import type { BenchFleet } from '../fanout/bench-fleet.js';

export type FaultKind = 'ok' | 'closed port' | 'silent port' | 'sshd killed mid-command' | 'wrong host key' | 'refused key' | 'command timeout' | 'dead target behind a jump host';

/** Ten hosts in a row: one of each bad kind and three good ones, so every kind is spread over the start order. */
const KIND_CYCLE: readonly FaultKind[] = [
  'closed port',
  'silent port',
  'sshd killed mid-command',
  'wrong host key',
  'refused key',
  'command timeout',
  'dead target behind a jump host',
  'ok',
  'ok',
  'ok',
];

export const KINDS: readonly FaultKind[] = [...new Set(KIND_CYCLE)];

/** What each kind must end as (README "One record per host" and "Exit codes"). */
export const EXPECTED: Readonly<Record<FaultKind, { status: string; code: string | null }>> = {
  ok: { status: 'ok', code: null },
  'closed port': { status: 'unreachable', code: 'CONNECT_REFUSED' },
  'silent port': { status: 'unreachable', code: 'CONNECT_TIMEOUT' },
  'sshd killed mid-command': { status: 'unreachable', code: 'CONNECTION_LOST' },
  'wrong host key': { status: 'unreachable', code: 'HOSTKEY_MISMATCH' },
  'refused key': { status: 'unreachable', code: 'AUTH_FAILED' },
  'command timeout': { status: 'timeout', code: 'COMMAND_TIMEOUT' },
  'dead target behind a jump host': { status: 'unreachable', code: 'CONNECT_TIMEOUT' },
};

/** Nothing listens there: the kernel answers the SYN with a reset. */
const CLOSED_PORT = 2;
/** The namespace's iptables drops every SYN to it. */
export const SILENT_PORT = 2200;
/** The jump host: the bench sshd, which answers on every 127.x address. */
const JUMP_ADDRESS = '127.9.0.1';
/** The dead targets behind the jump host: the namespace's iptables drops every packet to them. */
export const DEAD_NETWORK = '127.3.0.0/16';
/** A command that would outlive any -t of the bench. */
const FOREVER_S = 600;

export interface FaultHost {
  name: string;
  kind: FaultKind;
  port: number;
  /** Seconds the command sleeps without a sound (a timeout must kill it). */
  delay: number;
  /** Seconds the command then writes a line each second (it ends at the first write after its sshd is killed). */
  ticks: number;
}

/**
 * Writes its pid, as this machine's /proc sees it (sshd runs in a pid namespace of
 * its own, test/fleet/sshd.ts, where `$$` is another number; `read` is a builtin,
 * so /proc/self is the shell), which is also the id of the session sshd made for
 * it (see checks.ts); then sleeps and ticks as its host's vars say.
 */
export const FAULT_COMMAND =
  'read -r pid rest < /proc/self/stat; echo $pid > {{ pid_dir }}/{{ inventory_hostname }}; sleep {{ delay }}; for i in $(seq {{ ticks }}); do echo tick || exit 1; sleep 1; done';

export function faultHosts(count: number): FaultHost[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = KIND_CYCLE[i % KIND_CYCLE.length] as FaultKind;
    const network = kind === 'dead target behind a jump host' ? 3 : 1;
    const port = kind === 'closed port' ? CLOSED_PORT : kind === 'silent port' ? SILENT_PORT : 22;
    return {
      name: `127.${network}.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      kind,
      port,
      delay: kind === 'command timeout' ? FOREVER_S : 0,
      ticks: kind === 'sshd killed mid-command' ? FOREVER_S : 0,
    };
  });
}

export interface FaultFiles {
  inventoryPath: string;
  sshConfigPath: string;
}

/**
 * The inventory (per-host port, key and the command's vars), the ssh_config (the
 * jump host for the dead targets, host keys verified) and a known_hosts holding
 * another key for the wrong-host-key hosts; the refused-key hosts get a key sshd
 * was never told of.
 */
export async function writeFaultFiles(fleet: BenchFleet, hosts: readonly FaultHost[], pidDir: string): Promise<FaultFiles> {
  const strangerKeyPath = join(fleet.dir, 'id_stranger');
  const [, otherHostKey] = await Promise.all([generateKey(strangerKeyPath, 'sshpool-bench-stranger'), generateKey(join(fleet.dir, 'other_host_key'), 'sshpool-bench-other-host')]);
  const knownHostsPath = join(fleet.dir, 'known_hosts.faults');
  const known = [{ name: JUMP_ADDRESS, address: JUMP_ADDRESS, port: 22, knownHostKey: fleet.hostKey }];
  for (const host of hosts) known.push({ name: host.name, address: host.name, port: host.port, knownHostKey: host.kind === 'wrong host key' ? otherHostKey : fleet.hostKey });
  await writeFile(knownHostsPath, renderKnownHosts(known));

  const sshConfigPath = join(fleet.dir, 'ssh_config.faults');
  await writeFile(
    sshConfigPath,
    [
      'Host 127.3.*',
      `  ProxyJump ${JUMP_ADDRESS}`,
      `Host ${JUMP_ADDRESS}`,
      `  IdentityFile ${fleet.userKeyPath}`,
      'Host *',
      `  User ${fleet.user}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHostsPath}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );

  const inventoryPath = join(fleet.dir, 'inventory.faults.yml');
  const entry = (host: FaultHost): string =>
    `    ${host.name}:\n      ansible_port: ${host.port}\n      ansible_ssh_private_key_file: ${host.kind === 'refused key' ? strangerKeyPath : fleet.userKeyPath}\n      delay: ${host.delay}\n      ticks: ${host.ticks}\n`;
  await writeFile(inventoryPath, `all:\n  vars:\n    pid_dir: ${pidDir}\n  hosts:\n${hosts.map(entry).join('')}`);
  return { inventoryPath, sshConfigPath };
}
