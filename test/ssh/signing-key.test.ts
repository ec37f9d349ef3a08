import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { withImportedPrivateKey } from '../../src/ssh/signing-key.js';

const { generateKeyPairSync, parseKey } = ssh2.utils;

function privateKeyOf(type: 'ed25519' | 'ecdsa' | 'rsa', bits?: number): ParsedKey {
  const pair = generateKeyPairSync(type, bits === undefined ? {} : { bits });
  const parsed = parseKey(pair.private);
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

describe('withImportedPrivateKey', () => {
  const data = randomBytes(100);
  const cases = [
    { name: 'ed25519', key: privateKeyOf('ed25519'), hashes: [undefined] },
    { name: 'ecdsa P-256', key: privateKeyOf('ecdsa', 256), hashes: [undefined] },
    { name: 'ecdsa P-384', key: privateKeyOf('ecdsa', 384), hashes: [undefined] },
    { name: 'rsa', key: privateKeyOf('rsa', 2048), hashes: [undefined, 'sha256', 'sha512'] },
  ];

  for (const { name, key, hashes } of cases) {
    for (const hash of hashes) {
      it(`${name}${hash ? ` with ${hash}` : ' with its default hash'}: the original key verifies its signatures (byte for byte ssh2's own where the scheme is deterministic)`, () => {
        const imported = withImportedPrivateKey(key);
        const signature = imported.sign(data, hash);
        expect(signature).to.be.instanceOf(Buffer);
        expect(key.verify(data, signature, hash)).to.equal(true);
        // Ed25519 and RSA (PKCS#1 v1.5) are deterministic: byte for byte what ssh2 itself produces.
        if (name !== 'ecdsa P-256' && name !== 'ecdsa P-384') expect(signature.equals(key.sign(data, hash))).to.equal(true);
        // A signature with the wrong hash does not verify, so the default above was really used.
        if (name === 'rsa') expect(key.verify(data, signature, hash === 'sha512' ? 'sha256' : 'sha512')).to.equal(false);
      });
    }
  }

  it('is still the same key to ssh2: type, public blob, parsed-key check, comparisons', () => {
    const key = privateKeyOf('ed25519');
    const imported = withImportedPrivateKey(key);
    expect(imported).to.not.equal(key);
    expect(imported.type).to.equal('ssh-ed25519');
    expect(imported.isPrivateKey()).to.equal(true);
    expect(imported.getPublicSSH().equals(key.getPublicSSH())).to.equal(true);
    expect(parseKey(imported)).to.equal(imported);
    expect(imported.equals(key)).to.equal(true);
  });

  it('returns an error, as ssh2 does, instead of throwing for a hash OpenSSL does not know', () => {
    const imported = withImportedPrivateKey(privateKeyOf('rsa', 2048));
    expect(imported.sign(data, 'no-such-hash')).to.be.instanceOf(Error);
  });

  it('leaves a public key as it is', () => {
    const publicKey = parseKey(generateKeyPairSync('ed25519').public) as ParsedKey;
    expect(withImportedPrivateKey(publicKey)).to.equal(publicKey);
  });
});
