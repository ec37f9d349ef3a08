import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CertificateFormatError, describeCertificate, parseCertificate } from '../../src/ssh/certificate.js';
import { checkHostCertificate } from '../../src/ssh/host-certificate.js';
import { readUserCertificate } from '../../src/ssh/certificate-file.js';
import { createCertificateAuthority, signKey, type CertificateAuthority } from '../fleet/index.js';
import { generateKey } from '../fleet/keys.js';
import { rejectionOf } from '../helpers/rejection.js';

/** Certificates made by the real ssh-keygen -s, parsed and checked by sshpool. */
describe('OpenSSH certificates (PROTOCOL.certkeys)', function () {
  this.timeout(30_000);
  let dir: string;
  let ca: CertificateAuthority;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sshpool-cert-'));
    ca = await createCertificateAuthority(dir, 'unit', 'ecdsa');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function certificate(name: string, sign: Parameters<typeof signKey>[2]): Promise<{ blob: Buffer; keyBlob: Buffer; file: string }> {
    const keyPath = path.join(dir, name);
    const publicKey = await generateKey(keyPath, name);
    const file = await signKey(ca, `${keyPath}.pub`, sign);
    const blob = Buffer.from((await readFile(file, 'utf8')).split(/\s+/)[1]!, 'base64');
    return { blob, keyBlob: Buffer.from(publicKey.split(' ')[1]!, 'base64'), file };
  }

  it('reads every field ssh-keygen wrote, and verifies the ECDSA CA signature', async () => {
    const { blob, keyBlob } = await certificate('user1', {
      identity: 'alice',
      principals: ['alice', 'root'],
      validity: '20300101:20300102',
      options: ['force-command=uptime', 'source-address=127.0.0.1/32'],
      serial: 42,
    });
    const cert = parseCertificate(blob);
    expect(cert).to.deep.include({ type: 'ssh-ed25519-cert-v01@openssh.com', serial: 42n, role: 'user', keyId: 'alice', principals: ['alice', 'root'], signatureAlgorithm: 'ecdsa-sha2-nistp256', signatureValid: true });
    expect(cert.publicKey.equals(keyBlob)).to.equal(true);
    expect(cert.signatureKey.equals(Buffer.from(ca.publicKey.split(' ')[1]!, 'base64'))).to.equal(true);
    expect([...cert.criticalOptions.keys()]).to.deep.equal(['force-command', 'source-address']);
    expect(cert.extensions).to.include('permit-pty');
    expect(describeCertificate(cert)).to.match(/^ssh-ed25519-cert-v01@openssh\.com SHA256:\S+ ID "alice" serial 42 signed by CA ecdsa-sha2-nistp256 SHA256:\S+, valid 2030-01-01T\d\d:00:00Z to 2030-01-02T/);
  });

  it('verifies an RSA CA signature, which ssh-keygen makes with rsa-sha2-512', async () => {
    const rsaCa = await createCertificateAuthority(dir, 'rsa-unit', 'rsa');
    const keyPath = path.join(dir, 'rsa-signed');
    await generateKey(keyPath, 'rsa-signed');
    const file = await signKey(rsaCa, `${keyPath}.pub`, { identity: 'r', principals: ['r'] });
    const cert = parseCertificate(Buffer.from((await readFile(file, 'utf8')).split(/\s+/)[1]!, 'base64'));
    expect([cert.signatureAlgorithm, cert.signatureValid]).to.deep.equal(['rsa-sha2-512', true]);
  });

  it('finds a tampered certificate invalid, and a truncated one malformed', async () => {
    const { blob } = await certificate('host1', { identity: 'web1', principals: ['web1'], host: true });
    const tampered = Buffer.from(blob);
    // The key ID's last byte: still well-formed, no longer what the CA signed.
    const at = tampered.indexOf(Buffer.from('web1')) + 3;
    tampered[at] = tampered[at]! ^ 1;
    const cert = parseCertificate(tampered);
    expect(cert.signatureValid).to.equal(false);
    expect(checkHostCertificate(cert, 'web0', 1_900_000_000n)?.code).to.equal('HOSTKEY_CERT_INVALID');
    expect(() => parseCertificate(blob.subarray(0, blob.length - 10))).to.throw(CertificateFormatError);
  });

  it('checks a host certificate in OpenSSH order: role, signature, window, principals, critical options', async () => {
    const host = parseCertificate((await certificate('host2', { identity: 'web2', principals: ['web2'], host: true, validity: '20300101:20300102' })).blob);
    const inside = BigInt(Date.UTC(2030, 0, 1, 12) / 1000);
    expect(checkHostCertificate(host, 'web2', inside)).to.equal(undefined);
    expect(checkHostCertificate(host, 'web2', inside - 86_400n)?.code).to.equal('HOSTKEY_CERT_NOT_YET_VALID');
    expect(checkHostCertificate(host, 'web2', inside + 86_400n)?.code).to.equal('HOSTKEY_CERT_EXPIRED');
    expect(checkHostCertificate(host, 'web3', inside)).to.deep.equal({ code: 'HOSTKEY_CERT_PRINCIPAL', reason: 'is not for "web3": its principals are "web2"' });
    const user = parseCertificate((await certificate('user2', { identity: 'u', principals: ['web2'] })).blob);
    expect(checkHostCertificate(user, 'web2', inside)?.reason).to.equal('is a user certificate, not a host certificate');
    const noPrincipals = parseCertificate((await certificate('host3', { identity: 'any', principals: [], host: true })).blob);
    expect(checkHostCertificate(noPrincipals, 'web2', inside)?.reason).to.equal('lists no principals');
  });

  it('reads a user certificate file, refusing a host certificate or a plain key with the file named', async () => {
    const user = await certificate('user3', { identity: 'carol', principals: ['carol'] });
    expect((await readUserCertificate(user.file))?.certificate.keyId).to.equal('carol');
    expect(await readUserCertificate(path.join(dir, 'absent-cert.pub'))).to.equal(undefined);
    const host = await certificate('host4', { identity: 'web4', principals: ['web4'], host: true });
    const hostError = (await rejectionOf(readUserCertificate(host.file))) as { code: string; message: string };
    expect(hostError).to.include({ code: 'IDENTITY_INVALID', message: `Certificate file ${host.file} holds a host certificate, not a user certificate` });
    const plain = path.join(dir, 'plain-cert.pub');
    await writeFile(plain, `${ca.publicKey}\n`);
    expect(((await rejectionOf(readUserCertificate(plain))) as { message: string }).message).to.equal(`Certificate file ${plain} does not hold an OpenSSH certificate`);
  });
});
