import { createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ParsedKey } from 'ssh2';

/**
 * The hash each key type signs with when ssh2 names none: ssh2's own defaults
 * (keyParser.js); an RSA key is given its rsa-sha2-* hash explicitly.
 */
const DEFAULT_HASH: Readonly<Record<string, string | null>> = {
  'ssh-ed25519': null,
  'ssh-rsa': 'sha1',
  'ssh-dss': 'sha1',
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
};

/**
 * The same key, signing with a private key imported into OpenSSL once. ssh2's
 * `sign()` hands OpenSSL the PEM text on every call, and OpenSSL 3 decodes it
 * anew each time: about 0.3 ms per signature, more than the signature itself,
 * paid once per host. Everything else (type, public blob, ssh2's own checks
 * that it is a parsed key) is the original key's, through the prototype.
 * Key types without a known default hash are returned as they are.
 */
export function withImportedPrivateKey(key: ParsedKey): ParsedKey {
  const defaultHash = DEFAULT_HASH[key.type];
  if (defaultHash === undefined || !key.isPrivateKey()) return key;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.getPrivatePEM());
  } catch {
    // ssh2 would fail the same way when signing, and report it then, as it always has.
    return key;
  }
  const signWithImportedKey = (data: Buffer | string, algo?: string): Buffer | Error => {
    // ssh2 expects an Error returned, not thrown, as its own sign() does.
    try {
      return sign(algo || defaultHash, typeof data === 'string' ? Buffer.from(data) : data, privateKey);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };
  return Object.create(key, { sign: { value: signWithImportedKey } }) as ParsedKey;
}
