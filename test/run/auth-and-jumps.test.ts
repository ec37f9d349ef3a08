import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { IdentityError } from '../../src/ssh/identities.js';
import { Fleet, encryptedKeyCopy } from '../fleet/index.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';
import { rejectionOf } from '../helpers/rejection.js';
import { CLI_MAIN } from '../helpers/cli-process.js';
import { clearLoginPassword, setLoginPassword } from '../helpers/login-password.js';

describe('authentication and jump hosts against a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;

  before(async () => {
    fleet = await Fleet.start({ hosts: 4, refuseUserKey: ['h04'], sshdOptions: ['PasswordAuthentication yes'] });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-auth-'));
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('asks an encrypted key’s passphrase once per run, whatever the number of hosts, and keeps it out of the records', async () => {
    const passphrase = `pp-${randomBytes(6).toString('hex')}`;
    const encrypted = await encryptedKeyCopy(fleet.userKeyPath, passphrase, scratch);
    let asked = 0;
    const results = await runCommand(inventoryHostsFor(fleet, fleet.hosts.slice(0, 3)), 'echo ok', {
      ...isolatedOptions(fleet),
      identityFiles: [encrypted],
      passphrasePrompt: async (keyPath) => {
        asked += 1;
        expect(keyPath).to.equal(encrypted);
        return passphrase;
      },
    });
    expect(asked).to.equal(1);
    expect(results.map((r) => r.status)).to.deep.equal(['ok', 'ok', 'ok']);
    expect(JSON.stringify(results)).to.not.include(passphrase);
  });

  it('fails the run up front on a wrong passphrase, without the passphrase in the error', async () => {
    const encrypted = await encryptedKeyCopy(fleet.userKeyPath, 'right-one', path.join(scratch));
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const run = runCommand(inventoryHostsFor(fleet, fleet.hosts.slice(0, 2)), 'true', {
      ...isolatedOptions(fleet),
      identityFiles: [encrypted],
      passphrasePrompt: async () => wrong,
    });
    const error = await rejectionOf(run, IdentityError);
    expect(error.code).to.equal('IDENTITY_PASSPHRASE');
    expect(error.message).to.include(encrypted);
    expect(error.message).to.not.include(wrong);
  });

  describe('password authentication (only when asked for)', () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    before(async function () {
      if (process.getuid?.() !== 0) this.skip();
      await setLoginPassword(fleet.user, password);
    });
    after(async () => {
      if (process.getuid?.() === 0) await clearLoginPassword(fleet.user);
    });

    it('logs in with the password after keys fail, asking once for many hosts', async () => {
      let asked = 0;
      const hosts = inventoryHostsFor(fleet, [fleet.host('h04'), fleet.host('h04')]).map((h, i) => ({ ...h, name: `pw${i}` }));
      const results = await runCommand(hosts, 'echo in', {
        ...isolatedOptions(fleet),
        passwordPrompt: async () => {
          asked += 1;
          return password;
        },
      });
      expect(results.map((r) => [r.status, r.stdout])).to.deep.equal([
        ['ok', 'in\n'],
        ['ok', 'in\n'],
      ]);
      expect(asked).to.equal(1);
      expect(JSON.stringify(results)).to.not.include(password);
    });

    it('sshpool run --ask-pass asks once on the terminal and logs in (that it does not echo is tested in test/cli/prompt.test.ts)', async function () {
      // `script` gives the CLI a terminal; what is piped in is typed there (echoed by the terminal
      // before the prompt turns echo off, which is why only the text after the prompt is checked).
      const cli = `${process.execPath} ${CLI_MAIN} run -i ${fleet.inventoryPath} -l h04 --known-hosts ${fleet.knownHostsPath} -F /dev/null --no-agent --ask-pass -- echo in`;
      const screen = await new Promise<string>((resolve, reject) => {
        const child = execFile('script', ['-qec', cli, '/dev/null'], { timeout: 30_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
        child.stdin?.end(`${password}\n`);
      });
      const afterPrompt = screen.slice(screen.indexOf('SSH password: '));
      expect(afterPrompt).to.match(/^SSH password: /);
      expect(afterPrompt.match(/SSH password: /g)).to.have.length(1);
      expect(afterPrompt).to.not.include(password);
      expect(afterPrompt.replace(/\x1b\[[0-9;]*m/g, '')).to.include('h04: in');
    });

    it('does not try a password unless one is asked for', async () => {
      const [result] = await runCommand(inventoryHostsFor(fleet, [fleet.host('h04')]), 'true', isolatedOptions(fleet));
      expect(result!.error!.code).to.equal('AUTH_FAILED');
    });

    it('reports a wrong password as AUTH_FAILED without the password in the record', async () => {
      const wrong = `nope-${randomBytes(6).toString('hex')}`;
      const [result] = await runCommand(inventoryHostsFor(fleet, [fleet.host('h04')]), 'true', { ...isolatedOptions(fleet), passwordPrompt: async () => wrong });
      expect(result!.error!.code).to.equal('AUTH_FAILED');
      expect(JSON.stringify(result)).to.not.include(wrong);
    });
  });

  it('hops through two jump hosts (ProxyJump h01,h02) to reach a third', async () => {
    const results = await runCommand(['h03'], 'echo ${SSH_CONNECTION##* }', { sshConfigFile: fleet.sshConfigPath, agentSocket: null, proxyJump: 'h01,h02' });
    expect(results.map((r) => [r.status, r.stdout])).to.deep.equal([['ok', `${fleet.host('h03').port}\n`]]);
  });

  it('names the jump host that failed (PROXY_JUMP_FAILED) and its cause', async () => {
    const results = await runCommand(['h01', 'h02'], 'true', { sshConfigFile: fleet.sshConfigPath, agentSocket: null, proxyJump: 'h04' });
    for (const result of results) {
      expect(result.status).to.equal('unreachable');
      expect(result.error!.code).to.equal('PROXY_JUMP_FAILED');
      expect(result.error!.message).to.match(/jump host h04 failed \(AUTH_FAILED/);
    }
  });
});
