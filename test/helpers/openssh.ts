import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runTool, type ToolResult } from '../fleet/run-tool.js';
import type { Fleet, FleetHost } from '../fleet/index.js';

/** Double-quoted when it has a space: ssh_config takes it as one word. */
function word(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}

/**
 * One `Host` block for a fleet host, read alike by sshpool (-F) and by `ssh -F`, so a
 * test can ask both the same question. BatchMode keeps ssh from prompting (sshpool
 * ignores the keyword); `settings` come first, and ssh_config keeps the first value.
 */
export function hostBlock(alias: string, host: FleetHost, user: string, settings: readonly string[]): string {
  const lines = [`Host ${alias}`, ...settings, `HostName ${host.address}`, `Port ${host.port}`, `User ${user}`, 'BatchMode yes', 'LogLevel ERROR'];
  return `${lines.map((line, index) => (index === 0 ? line : `  ${line}`)).join('\n')}\n`;
}

/** Writes `blocks` as an ssh_config in `dir`; returns its path. */
export async function writeSshConfig(dir: string, blocks: readonly string[], name = 'ssh_config'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, blocks.join('\n'));
  return file;
}

/** A fleet host's settings for key login and known_hosts, as quoted ssh_config lines. */
export function loginSettings(fleet: Fleet, files: { identity?: string; knownHosts?: string; globalKnownHosts?: string } = {}): string[] {
  return [
    `IdentityFile ${word(files.identity ?? fleet.userKeyPath)}`,
    'IdentitiesOnly yes',
    `UserKnownHostsFile ${word(files.knownHosts ?? fleet.knownHostsPath)}`,
    `GlobalKnownHostsFile ${word(files.globalKnownHosts ?? '/dev/null')}`,
  ];
}

/** The real OpenSSH client, `ssh -F config alias command`, stdin closed; never rejects on a failing exit. */
export function runSsh(config: string, alias: string, command: string, env: NodeJS.ProcessEnv = process.env): Promise<ToolResult> {
  return runTool('ssh', ['-F', config, alias, command], { env, timeoutMs: 20_000 });
}
