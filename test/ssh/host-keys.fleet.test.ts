import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet, type FleetHost } from '../fleet/index.js';
import { runTool } from '../fleet/run-tool.js';
import { CLI_MAIN } from '../helpers/cli-process.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';
import { clearLoginPassword, setLoginPassword } from '../helpers/login-password.js';
import { hostBlock, loginSettings, runSsh, writeSshConfig } from '../helpers/openssh.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/** A known_hosts line for the host's served key of this type ("ecdsa-sha2-nistp256", ...). */
function knownLine(host: FleetHost, keyType: string): string {
  const key = host.servedHostKeys.find((served) => served.startsWith(`${keyType} `));
  if (!key) throw new Error(`${host.name} serves no ${keyType} key`);
  return `[${host.address}]:${host.port} ${key}\n`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

describe('host keys against real sshd servers, as OpenSSH checks them', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const tempDir = tempDirPerTest('sshpool-hostkeys-');

  before(async () => {
    // Every host serves ed25519, ECDSA and RSA keys, as a stock Debian sshd does; h02's known_hosts key is not its own.
    fleet = await Fleet.start({ hosts: 2, hostKeyTypes: ['ed25519', 'ecdsa', 'rsa'], wrongHostKey: ['h02'], sshdOptions: ['PasswordAuthentication yes'] });
  });
  after(async () => {
    await fleet?.stop();
  });

  /** An ssh_config for host `name` as alias `target`, read by sshpool and by ssh alike. */
  function config(name: string, settings: string[]): Promise<string> {
    return writeSshConfig(tempDir(), [hostBlock('target', fleet.host(name), fleet.user, settings)]);
  }

  for (const keyType of ['ecdsa-sha2-nistp256', 'ssh-rsa']) {
    it(`verifies a host that known_hosts knows only by its ${keyType} key (what OpenSSH before 8.5 recorded), as ssh does`, async () => {
      const knownHosts = path.join(tempDir(), 'known_hosts');
      await writeFile(knownHosts, knownLine(fleet.host('h01'), keyType));
      const file = await config('h01', [...loginSettings(fleet, { knownHosts }), 'StrictHostKeyChecking yes', 'IdentityAgent none']);

      const [result] = await runCommand(['target'], 'echo in', { sshConfigFile: file });
      expect([result!.status, result!.error]).to.deep.equal(['ok', null]);
      expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(0);
    });
  }

  it('serves the ed25519 key first when asked for it, so the ordering above is what makes those hosts verify', async () => {
    const knownHosts = path.join(tempDir(), 'known_hosts');
    // known_hosts holds the ECDSA key under the name of a host it does not know: nothing to prefer, ed25519 is negotiated.
    await writeFile(knownHosts, knownLine(fleet.host('h01'), 'ecdsa-sha2-nistp256').replace(fleet.host('h01').address, '127.0.0.9'));
    const file = await config('h01', [...loginSettings(fleet, { knownHosts }), 'StrictHostKeyChecking yes', 'IdentityAgent none']);
    const [result] = await runCommand(['target'], 'true', { sshConfigFile: file });
    expect(result!.error!.code).to.equal('HOSTKEY_UNKNOWN');
    expect(result!.error!.message).to.include('ssh-ed25519');
  });

  describe('GlobalKnownHostsFile', () => {
    it('trusts a key pinned there under StrictHostKeyChecking yes, and writes nothing, as ssh does', async () => {
      const global = path.join(tempDir(), 'ssh_known_hosts');
      const user = path.join(tempDir(), 'user_known_hosts');
      await writeFile(global, knownLine(fleet.host('h01'), 'ssh-ed25519'));
      const file = await config('h01', [...loginSettings(fleet, { knownHosts: user, globalKnownHosts: global }), 'StrictHostKeyChecking yes', 'IdentityAgent none']);

      const [result] = await runCommand(['target'], 'true', { sshConfigFile: file });
      expect([result!.status, result!.error]).to.deep.equal(['ok', null]);
      expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(0);
      expect(await exists(user)).to.equal(false);
    });

    it('makes accept-new refuse a host whose key contradicts it, recording nothing, as ssh does', async () => {
      const h02 = fleet.host('h02');
      const global = path.join(tempDir(), 'ssh_known_hosts');
      const user = path.join(tempDir(), 'user_known_hosts');
      await writeFile(global, `# pinned by configuration management\n[${h02.address}]:${h02.port} ${h02.knownHostKey}\n`);
      const file = await config('h02', [...loginSettings(fleet, { knownHosts: user, globalKnownHosts: global }), 'StrictHostKeyChecking accept-new', 'IdentityAgent none']);

      const marker = path.join(tempDir(), 'ran');
      const [result] = await runCommand(['target'], `touch ${marker}`, { sshConfigFile: file });
      expect(result!.status).to.equal('unreachable');
      expect(result!.error!.code).to.equal('HOSTKEY_MISMATCH');
      expect(result!.error!.message).to.include(`${global}:2`).and.include(`[${h02.address}]:${h02.port}`);
      expect(await exists(user)).to.equal(false);

      const ssh = await runSsh(file, 'target', `touch ${marker}`);
      expect(ssh.exitCode).to.equal(255);
      expect(ssh.stderr).to.match(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
      expect(await exists(user)).to.equal(false);
      expect(await exists(marker)).to.equal(false);
    });
  });

  it('accept-new with HashKnownHosts yes records a hashed name that ssh-keygen -F finds and ssh then trusts, in the form ssh writes', async () => {
    const h01 = fleet.host('h01');
    const ours = path.join(tempDir(), 'ours');
    const theirs = path.join(tempDir(), 'theirs');
    const settings = (knownHosts: string, strictness: string) => [...loginSettings(fleet, { knownHosts }), `StrictHostKeyChecking ${strictness}`, 'HashKnownHosts yes', 'IdentityAgent none'];

    const [first] = await runCommand(['target'], 'true', { sshConfigFile: await config('h01', settings(ours, 'accept-new')) });
    expect([first!.status, first!.error]).to.deep.equal(['ok', null]);
    expect((await runSsh(await writeSshConfig(tempDir(), [hostBlock('target', h01, fleet.user, settings(theirs, 'accept-new'))], 'ssh_config_theirs'), 'target', 'true')).exitCode).to.equal(0);

    const [ourLine, theirLine] = await Promise.all([ours, theirs].map(async (file) => (await readFile(file, 'utf8')).trimEnd()));
    const hashedLine = /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/;
    expect(theirLine).to.match(hashedLine);
    expect(ourLine).to.match(hashedLine);
    expect(ourLine).to.not.include(h01.address);
    expect(ourLine!.split(' ').slice(1)).to.deep.equal(theirLine!.split(' ').slice(1));
    const found = await runTool('ssh-keygen', ['-F', `[${h01.address}]:${h01.port}`, '-f', ours]);
    expect(found.stdout).to.include(h01.hostKeyPublic.split(' ')[1]);

    const strict = await config('h01', settings(ours, 'yes'));
    expect((await runSsh(strict, 'target', 'true')).exitCode).to.equal(0);
    const [again] = await runCommand(['target'], 'true', { sshConfigFile: strict });
    expect(again!.status).to.equal('ok');
    expect((await readFile(ours, 'utf8')).trimEnd().split('\n')).to.have.length(1);
  });

  describe('StrictHostKeyChecking no with a key that contradicts known_hosts (h02)', () => {
    it('still logs in with a key, as ssh does, and says in the record that the key did not match', async () => {
      const file = await config('h02', [...loginSettings(fleet), 'StrictHostKeyChecking no', 'IdentityAgent none']);
      const [result] = await runCommand(['target'], 'echo in', { sshConfigFile: file });
      expect([result!.status, result!.stdout, result!.error]).to.deep.equal(['ok', 'in\n', null]);
      expect(result!.warnings).to.have.length(1);
      expect(result!.warnings![0]).to.match(/^Host key for \[127\.0\.0\.1\]:\d+ has changed: .*StrictHostKeyChecking is no.*password and keyboard-interactive authentication disabled/);
      expect(result!.warnings![0]).to.include(`${fleet.knownHostsPath}:2`);

      const ssh = await runSsh(file, 'target', 'echo in');
      expect([ssh.exitCode, ssh.stdout]).to.deep.equal([0, 'in\n']);
      expect(ssh.stderr).to.include('Password authentication is disabled to avoid man-in-the-middle attacks');

      // The CLI prints the warning on stderr, for run and for ping.
      for (const args of [['run', '-i', 'target,', '-F', file, '--', 'echo', 'in'], ['ping', '-i', 'target,', '-F', file]]) {
        const cli = await runTool(process.execPath, [CLI_MAIN, ...args]);
        expect(cli.exitCode, cli.stderr).to.equal(0);
        expect(cli.stderr).to.match(/^target: warning: Host key for \[127\.0\.0\.1\]:\d+ has changed: .*StrictHostKeyChecking is no/m);
      }
    });

    it('gives a matching host no such warning', async () => {
      const file = await config('h01', [...loginSettings(fleet), 'StrictHostKeyChecking no', 'IdentityAgent none']);
      const [result] = await runCommand(['target'], 'true', { sshConfigFile: file });
      expect(result!.status).to.equal('ok');
      expect(result).to.not.have.property('warnings');
    });

    describe('password authentication', () => {
      const password = `pw-${randomBytes(8).toString('hex')}`;
      before(async function () {
        if (process.getuid?.() !== 0) this.skip();
      });
      after(async () => {
        if (process.getuid?.() === 0) await clearLoginPassword(fleet.user);
      });

      it('sends no password to it (the password works on a host whose key matches), and the AUTH_FAILED message says why, as ssh refuses to', async () => {
        const settings = [...loginSettings(fleet, { identity: path.join(tempDir(), 'no-such-key') }), 'StrictHostKeyChecking no', 'IdentityAgent none'];
        const matching = await config('h01', settings);
        const contradicting = await writeSshConfig(tempDir(), [hostBlock('target', fleet.host('h02'), fleet.user, settings)], 'ssh_config_h02');
        let asked = 0;
        const passwordPrompt = async () => {
          asked += 1;
          return password;
        };
        await setLoginPassword(fleet.user, password);

        const [control] = await runCommand(['target'], 'echo in', { sshConfigFile: matching, passwordPrompt });
        expect([control!.status, control!.stdout]).to.deep.equal(['ok', 'in\n']);
        const [result] = await runCommand(['target'], 'echo in', { sshConfigFile: contradicting, passwordPrompt });
        expect(result!.status).to.equal('unreachable');
        expect(result!.error!.code).to.equal('AUTH_FAILED');
        expect(result!.error!.message).to.match(/no password was sent: Host key for \[127\.0\.0\.1\]:\d+ has changed/);
        expect(JSON.stringify([control, result])).to.not.include(password);
        expect(asked).to.equal(2);
        expect(documentedErrorCodes()).to.include('AUTH_FAILED');

        // ssh, given the same password through SSH_ASKPASS, logs in where the key matches and never asks where it does not.
        const askpass = path.join(tempDir(), 'askpass.sh');
        const askedLog = path.join(tempDir(), 'asked');
        await writeFile(askpass, `#!/bin/sh\necho asked >> "${askedLog}"\nprintf '%s\\n' "$SSHPOOL_TEST_PASSWORD"\n`, { mode: 0o700 });
        const env = { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', SSHPOOL_TEST_PASSWORD: password };
        const interactive = (file: string) => runTool('ssh', ['-F', file, '-o', 'BatchMode=no', '-o', 'PreferredAuthentications=password', 'target', 'echo in'], { env, timeoutMs: 20_000 });
        expect((await interactive(matching)).exitCode).to.equal(0);
        const refused = await interactive(contradicting);
        expect(refused.exitCode).to.equal(255);
        expect(refused.stderr).to.include('Password authentication is disabled to avoid man-in-the-middle attacks');
        expect((await readFile(askedLog, 'utf8')).trim().split('\n')).to.deep.equal(['asked']);
      });
    });
  });

  it('names hosts as [host]:port in host key messages, as ssh does', async () => {
    const h01 = fleet.host('h01');
    const file = await config('h01', [...loginSettings(fleet, { knownHosts: path.join(tempDir(), 'empty') }), 'StrictHostKeyChecking yes', 'IdentityAgent none']);
    const [result] = await runCommand(['target'], 'true', { sshConfigFile: file });
    expect(result!.error!.code).to.equal('HOSTKEY_UNKNOWN');
    const ssh = await runSsh(file, 'target', 'true');
    expect(ssh.exitCode).to.equal(255);
    const name = `[${h01.address}]:${h01.port}`;
    expect(ssh.stderr).to.include(name);
    expect(result!.error!.message).to.include(name);
  });

  describe('HostKeyAlias (known_hosts searched under the alias, on port 22, as ssh does)', () => {
    async function aliasConfig(knownHosts: string): Promise<string> {
      const file = path.join(tempDir(), 'known_hosts');
      await writeFile(file, knownHosts);
      return config('h01', ['HostKeyAlias pinned-alias', ...loginSettings(fleet, { knownHosts: file }), 'StrictHostKeyChecking yes', 'IdentityAgent none']);
    }

    it('verifies the host with a known_hosts keyed by the alias alone, as ssh -o BatchMode=yes does', async () => {
      const file = await aliasConfig(`pinned-alias ${fleet.host('h01').hostKeyPublic}\n`);
      const [result] = await runCommand(['target'], 'echo in', { sshConfigFile: file });
      expect([result!.status, result!.stdout, result!.error]).to.deep.equal(['ok', 'in\n', null]);
      expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(0);
    });

    it('refuses it with a known_hosts keyed only by its address and port, as ssh -o BatchMode=yes does', async () => {
      const file = await aliasConfig(knownLine(fleet.host('h01'), 'ssh-ed25519'));
      const [result] = await runCommand(['target'], 'true', { sshConfigFile: file });
      expect([result!.status, result!.error?.code]).to.deep.equal(['unreachable', 'HOSTKEY_UNKNOWN']);
      expect(result!.error!.message).to.include('pinned-alias');
      const ssh = await runSsh(file, 'target', 'true');
      expect(ssh.exitCode).to.equal(255);
      expect(ssh.stderr).to.match(/Host key verification failed/);
    });
  });
});
