import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { toRunOptions } from '../../src/cli/options/settings-options.js';
import { loadInventory } from '../../src/inventory/index.js';
import { resolveTarget } from '../../src/ssh/target-settings.js';
import type { TargetSettings } from '../../src/ssh/target-settings.js';
import { loadSettings, mergeSettings, settingValue } from '../../src/settings/resolve.js';
import { readFlags, settingsFiles } from '../../src/settings/sources.js';
import { SshConfigResolver } from '../../src/ssh/ssh-config.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('precedence of settings sources', () => {
  const tempDir = tempDirPerTest('sshpool-precedence-');

  it('looks for /etc/sshpool, then XDG_CONFIG_HOME (else ~/.config), then the working directory', () => {
    expect(settingsFiles({ XDG_CONFIG_HOME: '/xdg' }, '/work', '/home/u')).to.deep.equal(['/etc/sshpool/config.yaml', '/xdg/sshpool/config.yaml', '/work/sshpool.yaml']);
    expect(settingsFiles({}, '/work', '/home/u')[1]).to.equal('/home/u/.config/sshpool/config.yaml');
    // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    expect(settingsFiles({ XDG_CONFIG_HOME: 'xdg' }, '/work', '/home/u')[1]).to.equal('/home/u/.config/sshpool/config.yaml');
  });

  describe('defaults < /etc < user file < ./sshpool.yaml < SSHPOOL_* < flags, one pair at a time', () => {
    const files = () => ['etc.yaml', 'user.yaml', 'cwd.yaml'].map((name) => path.join(tempDir(), name));
    async function forksFrom(sources: { etc?: number; user?: number; cwd?: number; env?: string; flag?: string }) {
      const [etc, user, cwd] = files();
      for (const [file, forks] of [[etc, sources.etc], [user, sources.user], [cwd, sources.cwd]] as const) {
        if (forks !== undefined) await writeFile(file!, `forks: ${forks}\n`);
      }
      const env = sources.env === undefined ? {} : { SSHPOOL_FORKS: sources.env };
      const flags = sources.flag === undefined ? {} : { forks: sources.flag };
      const { settings } = await loadSettings({ flags, env, files: files() });
      return { value: settingValue(settings, 'forks'), source: settings.get('forks')!.origin.source, origin: settings.get('forks')!.origin };
    }

    it('the default when nothing sets it', async () => {
      expect(await forksFrom({})).to.deep.include({ value: 32, source: 'default' });
    });
    it('/etc/sshpool/config.yaml beats the default', async () => {
      expect(await forksFrom({ etc: 2 })).to.deep.include({ value: 2, source: 'file' });
    });
    it("the user's file beats /etc's", async () => {
      const { value, origin } = await forksFrom({ etc: 2, user: 3 });
      expect([value, origin]).to.deep.equal([3, { source: 'file', file: files()[1], line: 1, column: 8 }]);
    });
    it("./sshpool.yaml beats the user's file", async () => {
      const { value, origin } = await forksFrom({ etc: 2, user: 3, cwd: 4 });
      expect([value, origin]).to.deep.equal([4, { source: 'file', file: files()[2], line: 1, column: 8 }]);
    });
    it('an SSHPOOL_* variable beats ./sshpool.yaml', async () => {
      expect(await forksFrom({ etc: 2, user: 3, cwd: 4, env: '5' })).to.deep.include({ value: 5, origin: { source: 'env', variable: 'SSHPOOL_FORKS' } });
    });
    it('a flag beats the variable', async () => {
      expect(await forksFrom({ etc: 2, user: 3, cwd: 4, env: '5', flag: '6' })).to.deep.include({ value: 6, origin: { source: 'flag', flag: '--forks' } });
    });
  });

  describe('against inventory vars and ssh_config: flags > inventory > settings files and variables > ssh_config > defaults', () => {
    async function target(options: { inventoryUser?: string; settingsFile?: string; flags?: Record<string, unknown>; sshConfig?: string }): Promise<TargetSettings> {
      const dir = tempDir();
      await mkdir(path.join(dir, 'conf'), { recursive: true });
      const inventory = path.join(dir, 'hosts.yaml');
      const vars = options.inventoryUser ? `\n      ansible_user: ${options.inventoryUser}` : '';
      await writeFile(inventory, `all:\n  hosts:\n    web1:\n      ansible_host: 127.0.0.1${vars}\n`);
      const sshConfig = path.join(dir, 'ssh_config');
      await writeFile(sshConfig, options.sshConfig ?? '');
      const file = path.join(dir, 'conf', 'sshpool.yaml');
      await writeFile(file, options.settingsFile ?? '');
      const { settings } = await loadSettings({ flags: options.flags ?? {}, env: {}, files: [file] });
      const runOptions = toRunOptions(settings);
      const [host] = (await loadInventory([inventory])).select('all');
      const resolved = resolveTarget(host!, runOptions, await SshConfigResolver.load(sshConfig));
      if (resolved.kind !== 'ssh') throw new Error(`expected an SSH target, got ${resolved.kind}`);
      return resolved;
    }

    it('a flag beats an inventory var', async () => {
      expect((await target({ inventoryUser: 'from-inventory', flags: { user: 'from-flag' } })).user).to.equal('from-flag');
    });
    it('an inventory var beats a settings file, as ansible_user beats ansible.cfg remote_user', async () => {
      expect((await target({ inventoryUser: 'from-inventory', settingsFile: 'user: from-file\n' })).user).to.equal('from-inventory');
    });
    it('a settings file beats ssh_config (for a host whose inventory does not say)', async () => {
      const sshConfig = 'Host *\n  User from-ssh-config\n  Port 2200\n  ConnectTimeout 7\n';
      const resolved = await target({ settingsFile: 'user: from-file\nport: 2201\nconnect-timeout: 3\n', sshConfig });
      expect([resolved.user, resolved.port, resolved.connectTimeoutMs]).to.deep.equal(['from-file', 2201, 3000]);
    });
    it('ssh_config beats the defaults, which a settings file setting nothing leaves in place', async () => {
      const resolved = await target({ sshConfig: 'Host *\n  ConnectTimeout 7\n  StrictHostKeyChecking accept-new\n' });
      expect([resolved.connectTimeoutMs, resolved.strictHostKeyChecking, resolved.serverAliveIntervalMs]).to.deep.equal([7000, 'accept-new', 15_000]);
    });
    it("takes identity files from a settings file relative to the file's directory, below the inventory's", async () => {
      const resolved = await target({ settingsFile: 'identity: keys/id\n' });
      expect(resolved.identityFiles).to.deep.equal([path.join(tempDir(), 'conf', 'keys', 'id')]);
    });
  });

  it('passes only what a source set to the library, leaving its defaults below ssh_config', () => {
    const options = toRunOptions(mergeSettings(readFlags({ forks: '3' })));
    expect(options.forks).to.equal(3);
    expect(options).not.to.have.any.keys('connectTimeoutMs', 'strictHostKeyChecking', 'hostDefaults', 'agentSocket', 'passwordPrompt');
  });
});
