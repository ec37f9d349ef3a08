import { expect } from 'chai';
import { createPublicKey, randomBytes, sign as opensslSign, verify as opensslVerify } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet } from '../fleet/index.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

/**
 * patches/ssh2+1.17.0+003+key-objects.patch: ssh2's parsed keys sign and verify through
 * KeyObjects imported into OpenSSL once (an Ed25519 public key from the wire through JWK),
 * not through the PEM text OpenSSL 3 decodes anew on every call.
 */
const { generateKeyPairSync, parseKey } = ssh2.utils;

function parsed(text: string): ParsedKey {
  const key = parseKey(text);
  if (key instanceof Error || Array.isArray(key)) throw new Error(`unparsable test key: ${String(key)}`);
  return key;
}

function privateKeyOf(type: 'ed25519' | 'ecdsa' | 'rsa', bits?: number): ParsedKey {
  return parsed(generateKeyPairSync(type, bits === undefined ? {} : { bits }).private);
}

/** Replaces the PEM text ssh2 keeps under `description` (a symbol of its own): a key that still works no longer reads it. */
function spoilPem(key: ParsedKey, description: string): void {
  const symbol = Object.getOwnPropertySymbols(key).find((candidate) => candidate.description === description);
  if (symbol === undefined) throw new Error(`ssh2 keeps no "${description}" on its keys any more`);
  (key as unknown as Record<symbol, string>)[symbol] = '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----';
}

describe("ssh2's keys as KeyObjects (its patch)", () => {
  const data = randomBytes(100);
  const cases = [
    { name: 'ed25519', bits: undefined, type: 'ed25519', hashes: [undefined], defaultHash: null },
    { name: 'ecdsa P-256', bits: 256, type: 'ecdsa', hashes: [undefined], defaultHash: 'sha256' },
    { name: 'ecdsa P-384', bits: 384, type: 'ecdsa', hashes: [undefined], defaultHash: 'sha384' },
    { name: 'rsa', bits: 2048, type: 'rsa', hashes: [undefined, 'sha256', 'sha512'], defaultHash: 'sha1' },
  ] as const;

  for (const { name, bits, type, hashes, defaultHash } of cases) {
    for (const hash of hashes) {
      it(`${name}${hash ? ` with ${hash}` : ' with its default hash'}: OpenSSL verifies the signature from the key's own PEM (byte for byte the PEM's where the scheme is deterministic)`, () => {
        const key = privateKeyOf(type, bits);
        const signature = key.sign(data, hash);
        expect(signature).to.be.instanceOf(Buffer);
        const publicPem = key.getPublicPEM();
        expect(opensslVerify(hash ?? defaultHash, data, publicPem, signature as Buffer)).to.equal(true);
        expect(key.verify(data, signature as Buffer, hash)).to.equal(true);
        // Ed25519 and RSA (PKCS#1 v1.5) are deterministic: what signing with the PEM, as ssh2 did, produces.
        if (type !== 'ecdsa') expect((signature as Buffer).equals(opensslSign(hash ?? defaultHash, data, key.getPrivatePEM()))).to.equal(true);
        // A signature with another hash does not verify, so the default above was really used.
        if (type === 'rsa') expect(key.verify(data, signature as Buffer, hash === 'sha512' ? 'sha256' : 'sha512')).to.equal(false);
      });
    }
  }

  it('a private key is imported once: after its first signature it signs without its PEM text', () => {
    const key = privateKeyOf('ed25519');
    const first = key.sign(data);
    spoilPem(key, 'Private key PEM');
    const second = key.sign(data);
    expect(second).to.be.instanceOf(Buffer);
    expect((second as Buffer).equals(first as Buffer)).to.equal(true);
  });

  it('an Ed25519 public key from the wire (a host key) verifies from its raw bytes, never from PEM', () => {
    const pair = generateKeyPairSync('ed25519');
    const signer = parsed(pair.private);
    const signature = signer.sign(data) as Buffer;
    const hostKey = parsed(pair.public);
    spoilPem(hostKey, 'Public key PEM');
    expect(hostKey.verify(data, signature)).to.equal(true);
    expect(hostKey.verify(randomBytes(100), signature)).to.equal(false);
  });

  it('an Ed25519 public key from the wire makes its PEM only when asked for it, and that PEM is OpenSSL\'s own', () => {
    const pair = generateKeyPairSync('ed25519');
    const hostKey = parsed(pair.public);
    const pemSymbol = Object.getOwnPropertySymbols(hostKey).find((candidate) => candidate.description === 'Public key PEM')!;
    const signature = parsed(pair.private).sign(data) as Buffer;
    expect(hostKey.verify(data, signature)).to.equal(true);
    // Verified, and still no PEM made: the property is the accessor that makes it.
    expect(Object.getOwnPropertyDescriptor(hostKey, pemSymbol)).to.have.property('get').that.is.a('function');
    const raw = hostKey.getPublicSSH().subarray(-32);
    // ssh2's PEM text has no final newline.
    const opensslPem = String(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }).export({ type: 'spki', format: 'pem' })).trimEnd();
    expect(hostKey.getPublicPEM()).to.equal(opensslPem);
    expect(Object.getOwnPropertyDescriptor(hostKey, pemSymbol)).to.have.property('value', opensslPem);
    expect(hostKey.equals(pair.public)).to.equal(true);
  });

  it('other public keys are imported from their PEM once, on first use', () => {
    const pair = generateKeyPairSync('ecdsa', { bits: 256 });
    const signature = parsed(pair.private).sign(data) as Buffer;
    const hostKey = parsed(pair.public);
    expect(hostKey.verify(data, signature)).to.equal(true);
    spoilPem(hostKey, 'Public key PEM');
    expect(hostKey.verify(data, signature)).to.equal(true);
  });

  it('returns an error, as ssh2 does, instead of throwing: a hash OpenSSL does not know, a key OpenSSL cannot import', () => {
    expect(privateKeyOf('rsa', 2048).sign(data, 'no-such-hash')).to.be.instanceOf(Error);
    const hostKey = parsed(generateKeyPairSync('rsa', { bits: 2048 }).public);
    spoilPem(hostKey, 'Public key PEM');
    expect(hostKey.verify(data, randomBytes(256))).to.be.instanceOf(Error);
  });
});

describe("ssh2's key objects against a real sshd: every host key type verifies", function () {
  this.timeout(60_000);
  for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
    it(`${type} host key: the exchange's signature verifies and the command runs`, async () => {
      const fleet = await Fleet.start({ hosts: 1, hostKeyTypes: [type] });
      try {
        const results = await runCommand(inventoryHostsFor(fleet), 'echo verified', isolatedOptions(fleet));
        expect(results.map((result) => [result.status, result.stdout, result.error?.code])).to.deep.equal([['ok', 'verified\n', undefined]]);
      } finally {
        await fleet.stop();
      }
    });
  }
});
