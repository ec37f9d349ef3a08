import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pingHosts, runCommand } from '../../src/run/host-run.js';
import { createCertificateAuthority, Fleet, signKey, startAgent, type CertificateAuthority, type SignOptions } from '../fleet/index.js';
import { generateKey, type KeyType } from '../fleet/keys.js';
import { hostBlock, runSsh, writeSshConfig } from '../helpers/openssh.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/**
 * User certificates against real sshd servers that trust a CA (`TrustedUserCAKeys`),
 * made with `ssh-keygen -s`; each outcome compared with `ssh -o BatchMode=yes` given
 * the same ssh_config and files. h01 also accepts the fleet's plain user key; h02
 * accepts no plain key, only certificates.
 */
describe('user certificates against real sshd servers, as OpenSSH uses them', function () {
  this.timeout(60_000);
  let caDir: string;
  let ca: CertificateAuthority;
  let fleet: Fleet;
  const tempDir = tempDirPerTest('sshpool-usercerts-');

  before(async () => {
    caDir = await mkdtemp(path.join(tmpdir(), 'sshpool-userca-'));
    ca = await createCertificateAuthority(caDir, 'user');
    fleet = await Fleet.start({ hosts: 2, refuseUserKey: ['h02'], sshdOptions: [`TrustedUserCAKeys ${ca.publicKeyPath}`] });
  });
  after(async () => {
    await fleet?.stop();
    if (caDir) await rm(caDir, { recursive: true, force: true });
  });

  /** A fresh key in the test's dir, signed as `sign` says (principal: the login user, unless given); returns the key's path. */
  async function certifiedKey(sign: Partial<SignOptions> = {}, type: KeyType = 'ed25519'): Promise<string> {
    const keyPath = path.join(tempDir(), `id_${type}`);
    await generateKey(keyPath, 'certified', type);
    await signKey(ca, `${keyPath}.pub`, { identity: 'alice@example', principals: [fleet.user], ...sign });
    return keyPath;
  }

  /** An ssh_config for host `name` (alias "target") with `settings` and the fleet's known_hosts; no agent unless given. */
  function config(name: string, settings: string[]): Promise<string> {
    const block = hostBlock('target', fleet.host(name), fleet.user, [
      ...settings,
      'IdentitiesOnly yes',
      `UserKnownHostsFile ${fleet.knownHostsPath}`,
      'GlobalKnownHostsFile /dev/null',
      'StrictHostKeyChecking yes',
      'IdentityAgent none',
    ]);
    return writeSshConfig(tempDir(), [block]);
  }

  async function both(file: string, command = 'echo in', env: NodeJS.ProcessEnv = process.env) {
    const [[result], ssh] = await Promise.all([runCommand(['target'], command, { sshConfigFile: file }), runSsh(file, 'target', command, env)]);
    return { code: result!.error?.code ?? null, stdout: result!.stdout, sshExit: ssh.exitCode, sshStdout: ssh.stdout };
  }

  for (const type of ['ed25519', 'ecdsa', 'rsa'] as KeyType[]) {
    it(`logs in with IdentityFile X and its X-cert.pub (${type}) where only certificates are accepted, as ssh does`, async () => {
      const keyPath = await certifiedKey({}, type);
      const outcome = await both(await config('h02', [`IdentityFile ${keyPath}`]));
      expect(outcome).to.deep.include({ code: null, stdout: 'in\n', sshExit: 0 });
    });
  }

  it("ping's trust detail names the certificate that logged in, and the plain key when the certificate was refused", async () => {
    const keyPath = await certifiedKey();
    const [good] = await pingHosts(['target'], { sshConfigFile: await config('h02', [`IdentityFile ${keyPath}`]), trust: true });
    expect((good!.detail!.trust as { authenticatedWith: string }).authenticatedWith).to.match(
      new RegExp(`^certificate ssh-ed25519-cert-v01@openssh\\.com SHA256:\\S+ ID "alice@example" serial 0 signed by CA ssh-ed25519 SHA256:\\S+, valid \\S+ to forever \\(${keyPath}-cert\\.pub, key ${keyPath}\\)$`),
    );
    const fleetKey = path.join(tempDir(), 'id_fleet');
    await Promise.all([copyFile(fleet.userKeyPath, fleetKey), copyFile(`${fleet.userKeyPath}.pub`, `${fleetKey}.pub`)]);
    await signKey(ca, `${fleetKey}.pub`, { identity: 'wrong', principals: ['someone-else'] });
    const [fallback] = await pingHosts(['target'], { sshConfigFile: await config('h01', [`IdentityFile ${fleetKey}`]), trust: true });
    expect((fallback!.detail!.trust as { authenticatedWith: string }).authenticatedWith).to.match(new RegExp(`^key ssh-ed25519 SHA256:\\S+ \\(${fleetKey}\\)$`));
  });

  it('without the certificate, the same key is refused (the certificate is what logs in)', async () => {
    const keyPath = await certifiedKey();
    await rm(`${keyPath}-cert.pub`);
    const outcome = await both(await config('h02', [`IdentityFile ${keyPath}`]));
    expect([outcome.code, outcome.sshExit]).to.deep.equal(['AUTH_FAILED', 255]);
  });

  it('uses CertificateFile from ssh_config, wherever it is, as ssh does', async () => {
    const keyPath = await certifiedKey();
    const elsewhere = path.join(tempDir(), 'issued.pub');
    await copyFile(`${keyPath}-cert.pub`, elsewhere);
    await rm(`${keyPath}-cert.pub`);
    const outcome = await both(await config('h02', [`IdentityFile ${keyPath}`, `CertificateFile ${elsewhere}`]));
    expect(outcome).to.deep.include({ code: null, sshExit: 0 });
  });

  it('is refused for a principal that is not the login user, as ssh is', async () => {
    const keyPath = await certifiedKey({ principals: ['someone-else'] });
    const outcome = await both(await config('h02', [`IdentityFile ${keyPath}`]));
    expect([outcome.code, outcome.sshExit]).to.deep.equal(['AUTH_FAILED', 255]);
  });

  it('falls back to the plain key when the server refuses the certificate, as ssh does', async () => {
    // The fleet's key, which h01's authorized_keys holds, with an expired certificate beside it.
    const keyPath = path.join(tempDir(), 'id_fleet');
    await Promise.all([copyFile(fleet.userKeyPath, keyPath), copyFile(`${fleet.userKeyPath}.pub`, `${keyPath}.pub`)]);
    await signKey(ca, `${keyPath}.pub`, { identity: 'expired', principals: [fleet.user], validity: '-2d:-1d' });
    expect(await both(await config('h01', [`IdentityFile ${keyPath}`]))).to.deep.include({ code: null, sshExit: 0 });
    expect(await both(await config('h02', [`IdentityFile ${keyPath}`]))).to.deep.include({ code: 'AUTH_FAILED', sshExit: 255 });
  });

  for (const [window, why] of [['-2d:-1d', 'expired'], ['+1d:+2d', 'not yet valid']]) {
    it(`is refused outside its -V window (${why}), as ssh is`, async () => {
      const keyPath = await certifiedKey({ validity: window! });
      const outcome = await both(await config('h02', [`IdentityFile ${keyPath}`]));
      expect([outcome.code, outcome.sshExit]).to.deep.equal(['AUTH_FAILED', 255]);
    });
  }

  it("runs the certificate's force-command instead of the command given, as sshd does for ssh", async () => {
    const keyPath = await certifiedKey({ options: ['force-command=echo forced'] });
    const outcome = await both(await config('h02', [`IdentityFile ${keyPath}`]), 'echo mine');
    expect(outcome).to.deep.include({ code: null, stdout: 'forced\n', sshExit: 0, sshStdout: 'forced\n' });
  });

  it("is refused from outside the certificate's source-address, and accepted from inside it, as ssh is", async () => {
    const outside = await certifiedKey({ options: ['source-address=192.0.2.0/24'] });
    expect(await both(await config('h02', [`IdentityFile ${outside}`]))).to.deep.include({ code: 'AUTH_FAILED', sshExit: 255 });
    const inside = await certifiedKey({ options: ['source-address=127.0.0.0/8'] });
    expect(await both(await config('h02', [`IdentityFile ${inside}`]))).to.deep.include({ code: null, sshExit: 0 });
  });

  it('logs in with a certificate held by ssh-agent, with no key file at all, as ssh does', async () => {
    const keyPath = await certifiedKey();
    // ssh-add adds X-cert.pub along with X; then the files go, and only the agent has them.
    const agent = await startAgent([keyPath]);
    try {
      await Promise.all([rm(keyPath), rm(`${keyPath}.pub`), rm(`${keyPath}-cert.pub`)]);
      const block = hostBlock('target', fleet.host('h02'), fleet.user, [
        `IdentityAgent ${agent.socket}`,
        `UserKnownHostsFile ${fleet.knownHostsPath}`,
        'GlobalKnownHostsFile /dev/null',
        'StrictHostKeyChecking yes',
        `IdentityFile ${path.join(tempDir(), 'absent')}`,
      ]);
      const file = await writeSshConfig(tempDir(), [block]);
      const outcome = await both(file);
      expect(outcome).to.deep.include({ code: null, stdout: 'in\n', sshExit: 0 });
      const [pinged] = await pingHosts(['target'], { sshConfigFile: file, trust: true });
      expect((pinged!.detail!.trust as { authenticatedWith: string }).authenticatedWith).to.match(/^ssh-agent certificate ssh-ed25519-cert-v01@openssh\.com .* ID "alice@example"/);
    } finally {
      await agent.stop();
    }
  });
});
