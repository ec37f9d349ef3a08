import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { InventoryHost } from '../../src/inventory/index.js';
import type { SshOptions } from '../../src/settings/run-options.js';
import { SshConfigResolver } from '../../src/ssh/ssh-config.js';
import { resolveTarget } from '../../src/ssh/target-settings.js';
import type { TargetSettings } from '../../src/ssh/target-settings.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/**
 * resolveTarget's four sources, highest first: options (CLI flags) > inventory
 * vars > ssh_config > defaults. Each field is resolved with every source
 * giving it, then with the highest one taken away in turn.
 */
describe('resolveTarget: the precedence of options, inventory vars, ssh_config and defaults, field by field', () => {
  const tempDir = tempDirPerTest('sshpool-precedence-');
  const home = os.userInfo().homedir;

  async function resolve(configLines: readonly string[], vars: Record<string, unknown>, options: SshOptions): Promise<TargetSettings> {
    const file = path.join(tempDir(), 'ssh_config');
    await writeFile(file, ['Host web1', ...configLines.map((line) => `  ${line}`), ''].join('\n'));
    const host: InventoryHost = { name: 'web1', vars, groups: ['all', 'ungrouped'] };
    const target = resolveTarget(host, options, await SshConfigResolver.load(file));
    if (target.kind !== 'ssh') throw new Error(`expected an SSH target, got ${target.kind}`);
    return target;
  }

  interface Field {
    name: string;
    read: (target: TargetSettings) => unknown;
    option?: { options: SshOptions; value: unknown };
    inventory?: { vars: Record<string, unknown>; value: unknown };
    sshConfig: { line: string; value: unknown };
    fallback: unknown;
  }

  const fields: Field[] = [
    {
      name: 'hostname',
      read: (target) => target.hostname,
      inventory: { vars: { ansible_host: '127.0.0.2' }, value: '127.0.0.2' },
      sshConfig: { line: 'HostName 127.0.0.3', value: '127.0.0.3' },
      fallback: 'web1',
    },
    {
      name: 'port',
      read: (target) => target.port,
      option: { options: { port: 2201 }, value: 2201 },
      inventory: { vars: { ansible_port: 2202 }, value: 2202 },
      sshConfig: { line: 'Port 2203', value: 2203 },
      fallback: 22,
    },
    {
      name: 'user',
      read: (target) => target.user,
      option: { options: { user: 'flag-user' }, value: 'flag-user' },
      inventory: { vars: { ansible_user: 'inventory-user' }, value: 'inventory-user' },
      sshConfig: { line: 'User config-user', value: 'config-user' },
      fallback: os.userInfo().username,
    },
    {
      name: 'identity files',
      read: (target) => [target.identityFiles, target.identityFilesExplicit],
      option: { options: { identityFiles: ['/keys/flag'] }, value: [['/keys/flag'], true] },
      inventory: { vars: { ansible_ssh_private_key_file: '/keys/inventory' }, value: [['/keys/inventory'], false] },
      sshConfig: { line: 'IdentityFile /keys/config', value: [['/keys/config'], false] },
      fallback: [['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((name) => path.join(home, '.ssh', name)), false],
    },
    {
      name: 'known_hosts files',
      read: (target) => target.knownHostsFiles,
      option: { options: { knownHostsFiles: ['/kh/flag'] }, value: ['/kh/flag'] },
      sshConfig: { line: 'UserKnownHostsFile /kh/config /kh/config2', value: ['/kh/config', '/kh/config2'] },
      fallback: [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')],
    },
    {
      name: 'strict host key checking',
      read: (target) => target.strictHostKeyChecking,
      option: { options: { strictHostKeyChecking: 'no' }, value: 'no' },
      sshConfig: { line: 'StrictHostKeyChecking accept-new', value: 'accept-new' },
      fallback: 'yes',
    },
    {
      name: 'connect timeout',
      read: (target) => target.connectTimeoutMs,
      option: { options: { connectTimeoutMs: 1_000 }, value: 1_000 },
      sshConfig: { line: 'ConnectTimeout 7', value: 7_000 },
      fallback: 10_000,
    },
    {
      name: 'keepalive',
      read: (target) => [target.serverAliveIntervalMs, target.serverAliveCountMax],
      option: { options: { serverAliveIntervalMs: 1_000, serverAliveCountMax: 9 }, value: [1_000, 9] },
      sshConfig: { line: 'ServerAliveInterval 30', value: [30_000, 3] },
      fallback: [15_000, 3],
    },
    {
      name: 'proxy jump',
      read: (target) => target.jumps.map((jump) => `${jump.user}@${jump.hostname}:${jump.port}`),
      option: { options: { proxyJump: 'flag@jump1:2222' }, value: ['flag@jump1:2222'] },
      sshConfig: { line: 'ProxyJump config@jump2:2223', value: ['config@jump2:2223'] },
      fallback: [],
    },
  ];

  for (const field of fields) {
    it(`${field.name}: ${[field.option && 'options', field.inventory && 'inventory vars', 'ssh_config', 'defaults'].filter(Boolean).join(' > ')}`, async () => {
      const vars = field.inventory?.vars ?? {};
      const options = field.option?.options ?? {};
      const seen: unknown[] = [];
      const expected: unknown[] = [];
      if (field.option) {
        seen.push(field.read(await resolve([field.sshConfig.line], vars, options)));
        expected.push(field.option.value);
      }
      if (field.inventory) {
        seen.push(field.read(await resolve([field.sshConfig.line], vars, {})));
        expected.push(field.inventory.value);
      }
      seen.push(field.read(await resolve([field.sshConfig.line], {}, {})), field.read(await resolve([], {}, {})));
      expected.push(field.sshConfig.value, field.fallback);
      expect(seen).to.deep.equal(expected);
    });
  }

  it('proxy jump: `-J none` beats the file’s ProxyJump, as ssh -J none does', async () => {
    const target = await resolve(['ProxyJump config@jump2:2223'], {}, { proxyJump: 'none' });
    expect(target.jumps).to.deep.equal([]);
  });

  it('looks the ssh_config block up by the inventory’s host name var when it sets one, as Ansible hands that name to ssh', async () => {
    const file = path.join(tempDir(), 'ssh_config');
    await writeFile(file, 'Host web1\n  Port 2201\nHost web1.example\n  Port 2202\n');
    const host: InventoryHost = { name: 'web1', vars: { ansible_host: 'web1.example' }, groups: ['all'] };
    const target = resolveTarget(host, {}, await SshConfigResolver.load(file));
    expect([target.hostname, target.port]).to.deep.equal(['web1.example', 2202]);
  });
});
