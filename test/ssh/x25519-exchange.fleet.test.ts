import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet } from '../fleet/index.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

/**
 * patches/ssh2+1.17.0+001+speed.patch: ssh2's curve25519 key exchange passes its X25519
 * keys to OpenSSL raw (JWK) instead of encoding and decoding them as DER every time.
 */
describe("curve25519 key exchange without DER (ssh2's patch), against a real sshd", function () {
  this.timeout(60_000);
  let fleet: Fleet;
  // export() is PublicKeyObject's own, not KeyObject's.
  const publicKeys = Object.getPrototypeOf(generateKeyPairSync('x25519').publicKey) as KeyObject;
  const exportKey = publicKeys.export;
  let derExports = 0;

  before(async () => {
    fleet = await Fleet.start({ hosts: 2, sshdOptions: ['KexAlgorithms curve25519-sha256'] });
    publicKeys.export = function (this: KeyObject, ...args: Parameters<KeyObject['export']>) {
      const [options] = args as [{ format?: string } | undefined];
      if (this.asymmetricKeyType === 'x25519' && options?.format === 'der') derExports += 1;
      return exportKey.apply(this, args);
    } as KeyObject['export'];
  });
  after(async () => {
    publicKeys.export = exportKey;
    await fleet?.stop();
  });

  it('agrees on the shared secret with sshd (the command runs), exporting no X25519 key as DER', async () => {
    const results = await runCommand(inventoryHostsFor(fleet), 'echo agreed', isolatedOptions(fleet));
    expect(results.map((result) => [result.host, result.status, result.stdout])).to.deep.equal([
      ['h01', 'ok', 'agreed\n'],
      ['h02', 'ok', 'agreed\n'],
    ]);
    expect(derExports).to.equal(0);
  });
});
