import type { ParsedKey } from 'ssh2';
import { keyTypeOf } from './host-key.js';

/**
 * The key as ssh2 should present it with its certificate: the certificate blob as
 * the public key and its type as the algorithm (PROTOCOL.certkeys), signing with
 * the key itself. Everything else is the key's, through the prototype, so ssh2
 * still takes it for one of its parsed keys.
 */
export function withCertificate(key: ParsedKey, certificateBlob: Buffer): ParsedKey {
  const blob = Buffer.from(certificateBlob);
  return Object.create(key, {
    type: { value: keyTypeOf(blob) },
    getPublicSSH: { value: () => blob },
  }) as ParsedKey;
}
