import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { loadInventory, VaultSecrets } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { runCommand } from '../../src/run/host-run.js';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { isolatedOptions } from '../helpers/fleet-hosts.js';

const VAULT_PASSWORD = 'fleet-vault-pw';

/**
 * A `!vault` value for `text`, made by Ansible's own ansible-vault when it is
 * installed (the comparison test shows its output is read), else by the
 * ansible-vault package sshpool decrypts with.
 */
async function encryptString(text: string, passwordFile: string): Promise<string> {
  const home = path.dirname(passwordFile);
  await writeFile(path.join(home, 'ansible.cfg'), '');
  try {
    const { stdout } = await promisify(execFile)('ansible-vault', ['encrypt_string', '--vault-password-file', passwordFile, text], {
      env: { PATH: process.env.PATH, HOME: home, ANSIBLE_CONFIG: path.join(home, 'ansible.cfg') },
    });
    return stdout.replace(/^!vault \|\n/, '').replace(/^ +/gm, '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { Vault } = createRequire(import.meta.url)('ansible-vault') as { Vault: new (options: { password: string }) => { encryptSync(text: string): string } };
    return new Vault({ password: VAULT_PASSWORD }).encryptSync(text);
  }
}

function indent(text: string, spaces: number): string {
  return text.trim().split('\n').map((line) => `${' '.repeat(spaces)}${line}`).join('\n');
}

describe('templated and !vault inventory values against a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let inventoryFile: string;
  let passwordFile: string;
  /** Where h03's failing ansible_user is written. */
  let failingLine: number;

  before(async () => {
    fleet = await Fleet.start({ hosts: 4 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-templated-'));
    passwordFile = path.join(scratch, 'vault-password');
    await writeFile(passwordFile, `${VAULT_PASSWORD}\n`);
    const [h01, h02, h03, h04] = fleet.hosts;
    const base = h01!.port - 1;
    const vaultedUser = await encryptString(fleet.user, passwordFile);
    inventoryFile = path.join(scratch, 'inventory.yml');
    const lines = [
      'all:',
      '  vars:',
      `    base_port: ${base}`,
      '    ansible_host: "{{ loopback | default(\'127.0.0.1\') }}"',
      `    ansible_ssh_private_key_file: "${fleet.userKeyPath}"`,
      `    login: ${fleet.user}`,
      '    ansible_user: "{{ login }}"',
      '  hosts:',
      '    h01:',
      '      ansible_port: "{{ base_port + 1 }}"',
      '    h02:',
      `      ansible_port: "{{ base_port + ${h02!.port - base} }}"`,
      '      ansible_user: "{{ vaulted_user }}"',
      '      vaulted_user: !vault |',
      indent(vaultedUser, 8),
      '    h03:',
      `      ansible_port: ${h03!.port}`,
      '      ansible_user: "{{ ipmi_user }}"',
      '    h04:',
      `      ansible_port: "{{ ${h04!.port} if inventory_hostname == 'h04' else 1 }}"`,
      '',
    ];
    const text = lines.join('\n');
    failingLine = text.split('\n').findIndex((line) => line.includes('ipmi_user')) + 1;
    await writeFile(inventoryFile, text);
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const whoami = (inventory: Inventory, vaultSecrets?: VaultSecrets): Promise<HostResult[]> =>
    runCommand(inventory.select('all'), 'echo "$(whoami) ${SSH_CONNECTION##* }"', { ...isolatedOptions(fleet), vaultSecrets });

  it('connects with templated ports and a decrypted !vault user; an undefined variable fails only its host, naming it, the file and the line', async () => {
    const inventory = await loadInventory([inventoryFile]);
    const results = await whoami(inventory, new VaultSecrets([VAULT_PASSWORD]));
    const [h01, h02, h03, h04] = results;
    expect(h01).to.include({ status: 'ok', stdout: `${fleet.user} ${fleet.hosts[0]!.port}\n`, port: fleet.hosts[0]!.port, address: '127.0.0.1' });
    expect(h02).to.include({ status: 'ok', stdout: `${fleet.user} ${fleet.hosts[1]!.port}\n`, user: fleet.user });
    expect(h04).to.include({ status: 'ok', stdout: `${fleet.user} ${fleet.hosts[3]!.port}\n` });
    expect(h03).to.include({ host: 'h03', status: 'skipped', exitCode: null, stdout: '' });
    expect(h03!.error).to.deep.equal({ code: 'INVENTORY_TEMPLATE', message: `${inventoryFile}:${failingLine}:7: host 'h03': ansible_user: 'ipmi_user' is undefined` });
  });

  it('without a vault password fails only the host that needs one, and never shows the secret', async () => {
    const inventory = await loadInventory([inventoryFile]);
    const results = await whoami(inventory);
    expect(results.map((result) => result.status)).to.deep.equal(['ok', 'skipped', 'skipped', 'ok']);
    expect(results[1]!.error!.code).to.equal('INVENTORY_VAULT');
    expect(results[1]!.error!.message).to.match(/host 'h02': ansible_user: a !vault value is needed and no vault password was given .*\(through vaulted_user \(.*inventory\.yml:14:7\)\)$/);
    const wrong = await whoami(inventory, new VaultSecrets(['not-the-password']));
    expect(wrong[1]!.error!.message).to.match(/no vault password given decrypts this !vault value: tried 1/);
    expect(JSON.stringify([...results, ...wrong])).to.not.include(VAULT_PASSWORD);
  });

  describe('the CLI (the bundle)', () => {
    const base = () => ['-i', inventoryFile, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '-o', 'json', '-q'];
    const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, SSH_AUTH_SOCK: '', ANSIBLE_VAULT_PASSWORD_FILE: '', ...extra });

    it('decrypts with --vault-password-file, or $ANSIBLE_VAULT_PASSWORD_FILE, or an executable password script', async () => {
      const script = path.join(scratch, 'vault-pass-script');
      await writeFile(script, `#!/bin/sh\necho '${VAULT_PASSWORD}'\n`);
      await chmod(script, 0o755);
      for (const [args, extra] of [[['--vault-password-file', passwordFile], {}], [[], { ANSIBLE_VAULT_PASSWORD_FILE: passwordFile }], [['--vault-password-file', script], {}]] as const) {
        const { code, stdout, stderr } = await runCliProcess(['run', ...base(), '-l', 'h01:h02', ...args, '--', 'whoami'], { env: env(extra) });
        expect(code, stderr).to.equal(0);
        expect((JSON.parse(stdout) as HostResult[]).map((result) => result.stdout)).to.deep.equal([`${fleet.user}\n`, `${fleet.user}\n`]);
      }
    });

    it('exits 1 when a host cannot be templated (it is skipped, as nothing was attempted), with that host in the output and the others run', async () => {
      const { code, stdout } = await runCliProcess(['run', ...base(), '--vault-password-file', passwordFile, '--', 'true'], { env: env() });
      expect(code).to.equal(1);
      const records = JSON.parse(stdout) as HostResult[];
      expect(records.map((record) => [record.host, record.status, record.error?.code ?? null])).to.deep.equal([
        ['h01', 'ok', null], ['h02', 'ok', null], ['h03', 'skipped', 'INVENTORY_TEMPLATE'], ['h04', 'ok', null],
      ]);
      const ping = await runCliProcess(['ping', ...base(), '-l', 'h02:h03', '--vault-password-file', passwordFile], { env: env() });
      expect(ping.code).to.equal(1);
      expect((JSON.parse(ping.stdout) as HostResult[]).map((record) => record.status)).to.deep.equal(['ok', 'skipped']);
    });

    it('stops before connecting anywhere when a password file is missing or a password script fails', async () => {
      const failing = path.join(scratch, 'failing-script');
      await writeFile(failing, '#!/bin/sh\nexit 3\n');
      await chmod(failing, 0o755);
      for (const [file, reason] of [[path.join(scratch, 'nope'), /vault password file '.*nope' cannot be read/], [failing, /vault password script '.*failing-script' exited with status 3/]] as const) {
        const { code, stdout, stderr } = await runCliProcess(['run', ...base(), '--vault-password-file', file, '--', 'true'], { env: env() });
        expect(code).to.equal(2);
        expect(stdout).to.equal('');
        expect(stderr).to.match(reason);
      }
    });
  });
});
