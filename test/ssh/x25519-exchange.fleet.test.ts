import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet } from '../fleet/index.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

/**
 * patches/ssh2+1.17.0+001+speed.patch: ssh2's curve25519 key exchange passes its X25519
 * keys to OpenSSL raw (JWK) instead of encoding and decoding them as DER every time, and
 * takes its public half from the key generation, never from export(): on Node 20,
 * generateKeyPairSync('x25519') followed by publicKey.export({ format: 'jwk' }) deadlocks
 * once in a few thousand calls (the export allocates holding the key's mutex; a GC
 * finalizing the generation job waits for it), which hung a 10,000-host run.
 */
describe("curve25519 key exchange without DER (ssh2's patch), against a real sshd", function () {
  this.timeout(60_000);
  let fleet: Fleet;
  // export() is PublicKeyObject's own, not KeyObject's.
  const publicKeys = Object.getPrototypeOf(generateKeyPairSync('x25519').publicKey) as KeyObject;
  const exportKey = publicKeys.export;
  let exports = 0;

  before(async () => {
    fleet = await Fleet.start({ hosts: 2, sshdOptions: ['KexAlgorithms curve25519-sha256'] });
    publicKeys.export = function (this: KeyObject, ...args: Parameters<KeyObject['export']>) {
      if (this.asymmetricKeyType === 'x25519') exports += 1;
      return exportKey.apply(this, args);
    } as KeyObject['export'];
  });
  after(async () => {
    publicKeys.export = exportKey;
    await fleet?.stop();
  });

  it('agrees on the shared secret with sshd (the command runs), exporting no X25519 key at all (neither DER nor JWK)', async () => {
    const results = await runCommand(inventoryHostsFor(fleet), 'echo agreed', isolatedOptions(fleet));
    expect(results.map((result) => [result.host, result.status, result.stdout])).to.deep.equal([
      ['h01', 'ok', 'agreed\n'],
      ['h02', 'ok', 'agreed\n'],
    ]);
    expect(exports).to.equal(0);
  });
});
