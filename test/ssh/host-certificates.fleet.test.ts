import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { HostKeyVerifier } from '../../src/ssh/host-key-verifier.js';
import { createCertificateAuthority, Fleet, type CertificateAuthority, type FleetHost } from '../fleet/index.js';
import type { KeyType } from '../fleet/keys.js';
import { runTool } from '../fleet/run-tool.js';
import { CLI_MAIN } from '../helpers/cli-process.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';
import { hostBlock, loginSettings, runSsh, writeSshConfig } from '../helpers/openssh.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/**
 * Host certificates against real sshd servers serving `HostCertificate`s signed with
 * `ssh-keygen -s -h`, each outcome compared with `ssh -o BatchMode=yes` given the same
 * ssh_config and known_hosts.
 */
describe('host certificates against real sshd servers, as OpenSSH checks them', function () {
  this.timeout(60_000);
  let caDir: string;
  let ca: CertificateAuthority;
  let otherCa: CertificateAuthority;
  let fleet: Fleet;
  const tempDir = tempDirPerTest('sshpool-hostcerts-');

  before(async () => {
    caDir = await mkdtemp(path.join(tmpdir(), 'sshpool-hostca-'));
    [ca, otherCa] = await Promise.all([createCertificateAuthority(caDir, 'host'), createCertificateAuthority(caDir, 'other')]);
    // h01 valid; h02 expired; h03 not yet valid; h04's certificate names another host; h05's a wildcard.
    const principals: Record<string, string[]> = { h04: ['h04.example.test'], h05: ['127.0.0.*'] };
    fleet = await Fleet.start({
      hosts: 5,
      hostCertificates: {
        ca,
        principals: (name, address) => principals[name] ?? [address, `${name}.example.test`],
        validity: { h02: '-2d:-1d', h03: '+1d:+2d' },
      },
    });
  });
  after(async () => {
    await fleet?.stop();
    if (caDir) await rm(caDir, { recursive: true, force: true });
  });

  /** Writes known_hosts with `lines` and an ssh_config for host `name` (alias "target"); returns the config's path. */
  async function setUp(name: string, lines: string[], settings: string[] = []): Promise<string> {
    const knownHosts = path.join(tempDir(), 'known_hosts');
    await writeFile(knownHosts, lines.map((line) => `${line}\n`).join(''));
    const block = hostBlock('target', fleet.host(name), fleet.user, [...settings, ...loginSettings(fleet, { knownHosts }), 'StrictHostKeyChecking yes', 'IdentityAgent none']);
    return writeSshConfig(tempDir(), [block]);
  }

  async function both(config: string): Promise<{ code: string | null; message: string; sshExit: number | null; sshStderr: string }> {
    const [[result], ssh] = await Promise.all([runCommand(['target'], 'true', { sshConfigFile: config }), runSsh(config, 'target', 'true')]);
    return { code: result!.error?.code ?? null, message: result!.error?.message ?? '', sshExit: ssh.exitCode, sshStderr: ssh.stderr };
  }

  function plainKeyLine(host: FleetHost): string {
    return `[${host.address}]:${host.port} ${host.hostKeyPublic}`;
  }

  it('trusts a host whose certificate a @cert-authority line vouches for, with no key of its own in known_hosts, as ssh does', async () => {
    const outcome = await both(await setUp('h01', [`@cert-authority * ${ca.publicKey}`]));
    expect([outcome.code, outcome.sshExit]).to.deep.equal([null, 0]);
  });

  it('matches the @cert-authority pattern against [host]:port: a CA for other hosts is not trusted here', async () => {
    const outcome = await both(await setUp('h01', [`@cert-authority *.example.test ${ca.publicKey}`]));
    expect(outcome.code).to.equal('HOSTKEY_UNKNOWN');
    expect(outcome.sshExit).to.equal(255);
  });

  it('falls back to the plain key when no CA vouches for the certificate, as ssh does', async () => {
    const outcome = await both(await setUp('h01', [`@cert-authority * ${otherCa.publicKey}`, plainKeyLine(fleet.host('h01'))]));
    expect([outcome.code, outcome.sshExit]).to.deep.equal([null, 0]);
    const unknown = await both(await setUp('h01', [`@cert-authority * ${otherCa.publicKey}`]));
    expect(unknown.code).to.equal('HOSTKEY_UNKNOWN');
    expect(unknown.message).to.include('which no @cert-authority line trusts');
    expect(unknown.sshExit).to.equal(255);
  });

  it('fails an expired certificate with HOSTKEY_CERT_EXPIRED, naming the check, where ssh fails too', async () => {
    const outcome = await both(await setUp('h02', [`@cert-authority * ${ca.publicKey}`]));
    expect(outcome.code).to.equal('HOSTKEY_CERT_EXPIRED');
    expect(outcome.message).to.match(/expired at \d{4}-\d\d-\d\dT/);
    expect(outcome.message).to.include('ID "h02"');
    expect(outcome.sshExit).to.equal(255);
    expect(outcome.sshStderr).to.match(/expired/i);
  });

  it('accepts an expired certificate whose plain key known_hosts holds, as ssh falls back to it', async () => {
    const outcome = await both(await setUp('h02', [`@cert-authority * ${ca.publicKey}`, plainKeyLine(fleet.host('h02'))]));
    expect([outcome.code, outcome.sshExit]).to.deep.equal([null, 0]);
  });

  it('fails a certificate not yet valid with HOSTKEY_CERT_NOT_YET_VALID, where ssh fails too', async () => {
    const outcome = await both(await setUp('h03', [`@cert-authority * ${ca.publicKey}`]));
    expect(outcome.code).to.equal('HOSTKEY_CERT_NOT_YET_VALID');
    expect(outcome.message).to.include('is not yet valid');
    expect(outcome.sshExit).to.equal(255);
    expect(outcome.sshStderr).to.match(/not yet valid/i);
  });

  it('fails a certificate for another name with HOSTKEY_CERT_PRINCIPAL, listing its principals, where ssh fails too', async () => {
    const outcome = await both(await setUp('h04', [`@cert-authority * ${ca.publicKey}`]));
    expect(outcome.code).to.equal('HOSTKEY_CERT_PRINCIPAL');
    expect(outcome.message).to.include(`is not for "${fleet.host('h04').address}": its principals are "h04.example.test"`);
    expect(outcome.sshExit).to.equal(255);
    expect(outcome.sshStderr).to.match(/principal/i);
  });

  it('takes a wildcard principal literally, as OpenSSH 9.2 does for host certificates', async () => {
    const outcome = await both(await setUp('h05', [`@cert-authority * ${ca.publicKey}`]));
    expect([outcome.code, outcome.sshExit]).to.deep.equal(['HOSTKEY_CERT_PRINCIPAL', 255]);
  });

  it('checks the HostKeyAlias as the principal, and looks the CA up under it, as ssh does', async () => {
    const good = await both(await setUp('h04', [`@cert-authority h04.example.test ${ca.publicKey}`], ['HostKeyAlias h04.example.test']));
    expect([good.code, good.sshExit]).to.deep.equal([null, 0]);
    const wrong = await both(await setUp('h01', [`@cert-authority * ${ca.publicKey}`], ['HostKeyAlias h04.example.test']));
    expect(wrong.code).to.equal('HOSTKEY_CERT_PRINCIPAL');
    expect(wrong.sshExit).to.equal(255);
  });

  it('fails with HOSTKEY_REVOKED when the CA is @revoked, even with the plain key known, as ssh does', async () => {
    const host = fleet.host('h01');
    const outcome = await both(await setUp('h01', [`@cert-authority * ${ca.publicKey}`, `@revoked * ${ca.publicKey}`, plainKeyLine(host)]));
    expect(outcome.code).to.equal('HOSTKEY_REVOKED');
    expect(outcome.message).to.include('signed by a revoked CA');
    expect(outcome.sshExit).to.equal(255);
  });

  it("fails with HOSTKEY_REVOKED when the certificate's own key is @revoked, as ssh does", async () => {
    const host = fleet.host('h01');
    const outcome = await both(await setUp('h01', [`@cert-authority * ${ca.publicKey}`, `@revoked * ${host.hostKeyPublic}`]));
    expect(outcome.code).to.equal('HOSTKEY_REVOKED');
    expect(outcome.sshExit).to.equal(255);
  });

  it('offers the certificate algorithms first only when a @cert-authority line names the host', async () => {
    const knownHosts = path.join(tempDir(), 'known_hosts');
    const host = fleet.host('h01');
    await writeFile(knownHosts, `@cert-authority [${host.address}]:${host.port} ${ca.publicKey}\n${plainKeyLine(host)}\n`);
    const verifier = new HostKeyVerifier({ files: [knownHosts], policy: 'yes' });
    expect((await verifier.hostKeyAlgorithms(host.address, host.port))[0]).to.equal('ssh-ed25519-cert-v01@openssh.com');
    expect(await verifier.hostKeyAlgorithms(host.address, host.port + 1)).to.not.include('ssh-ed25519-cert-v01@openssh.com');
  });

  it('ping -v says the host was verified by its certificate, naming the certificate and the CA line, and what logged in', async () => {
    const config = await setUp('h01', [`@cert-authority * ${ca.publicKey}`]);
    const cli = await runTool(process.execPath, [CLI_MAIN, 'ping', '-v', '-i', 'target,', '-F', config]);
    expect(cli.exitCode, cli.stderr).to.equal(0);
    const knownHosts = path.join(tempDir(), 'known_hosts');
    expect(cli.stdout).to.match(/^target: ok \d+ ms$/m);
    expect(cli.stdout).to.include(`target:   host key: host certificate ssh-ed25519-cert-v01@openssh.com SHA256:`);
    expect(cli.stdout).to.include(`ID "h01" serial 0 signed by CA ssh-ed25519 SHA256:`);
    expect(cli.stdout).to.include(`to forever, CA trusted by @cert-authority at ${knownHosts}:1`);
    expect(cli.stdout).to.include(`target:   authenticated with: key ssh-ed25519 SHA256:`);
    expect(cli.stdout).to.include(`(${fleet.userKeyPath})`);

    const plain = await setUp('h01', [plainKeyLine(fleet.host('h01'))]);
    const plainCli = await runTool(process.execPath, [CLI_MAIN, 'ping', '-v', '-i', 'target,', '-F', plain]);
    expect(plainCli.stdout).to.match(/^target: {3}host key: ssh-ed25519 SHA256:\S+ known at \S+known_hosts:1$/m);
    const quiet = await runTool(process.execPath, [CLI_MAIN, 'ping', '-i', 'target,', '-F', plain]);
    expect(quiet.stdout).to.not.include('host key:');
  });

  it('documents every HOSTKEY_CERT_* code in the README', () => {
    const documented = documentedErrorCodes();
    for (const code of ['HOSTKEY_CERT_INVALID', 'HOSTKEY_CERT_EXPIRED', 'HOSTKEY_CERT_NOT_YET_VALID', 'HOSTKEY_CERT_PRINCIPAL']) expect(documented, code).to.include(code);
  });

  for (const type of ['ecdsa', 'rsa'] as KeyType[]) {
    it(`verifies a host serving only an ${type} key and its certificate, as ssh does`, async () => {
      const single = await Fleet.start({ hosts: 1, hostKeyTypes: [type], hostCertificates: { ca } });
      try {
        const knownHosts = path.join(tempDir(), 'known_hosts');
        await writeFile(knownHosts, `@cert-authority * ${ca.publicKey}\n`);
        const block = hostBlock('target', single.host('h01'), single.user, [...loginSettings(single, { knownHosts }), 'StrictHostKeyChecking yes', 'IdentityAgent none']);
        const config = await writeSshConfig(tempDir(), [block]);
        const [[result], ssh] = await Promise.all([runCommand(['target'], 'true', { sshConfigFile: config }), runSsh(config, 'target', 'true')]);
        expect([result!.error, ssh.exitCode]).to.deep.equal([null, 0]);
      } finally {
        await single.stop();
      }
    });
  }
});
