import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ssh2 } from './ssh2-library.js';
import { fingerprintOf, keyTypeOf } from './host-key.js';

const CERT_SUFFIX = '-cert-v01@openssh.com';

/** The certificate types PROTOCOL.certkeys names: 1 for users, 2 for hosts. */
export type CertificateRole = 'user' | 'host';

/** An OpenSSH certificate (PROTOCOL.certkeys), as parsed from its blob. */
export interface Certificate {
  /** "ssh-ed25519-cert-v01@openssh.com" */
  type: string;
  /** The certified key's public blob, as a plain key: "ssh-ed25519", its fields. */
  publicKey: Buffer;
  serial: bigint;
  role: CertificateRole;
  keyId: string;
  /** Empty means any principal, which OpenSSH accepts for users only. */
  principals: string[];
  /** Seconds since the epoch; validBefore 2^64-1 is forever. */
  validAfter: bigint;
  validBefore: bigint;
  /** Name to the option's data, as encoded (force-command's is a string holding the command); a host certificate may have none. */
  criticalOptions: Map<string, Buffer>;
  extensions: string[];
  /** The CA's public key blob. */
  signatureKey: Buffer;
  /** The signature's algorithm: "ssh-ed25519", "rsa-sha2-512", ... */
  signatureAlgorithm: string;
  /** Whether the CA's signature over the certificate checks out. */
  signatureValid: boolean;
}

/** A blob that is not a well-formed certificate. */
export class CertificateFormatError extends Error {}

/** True for "ssh-ed25519-cert-v01@openssh.com" and the other certificate key types and algorithms. */
export function isCertificateType(type: string): boolean {
  return type.endsWith(CERT_SUFFIX);
}

/** OpenSSH's default CASignatureAlgorithms: ssh-rsa (SHA-1) signatures from a CA are refused since 8.2. */
const CA_SIGNATURE_ALGORITHMS: ReadonlySet<string> = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
]);

const ECDSA_HASH: Readonly<Record<string, string>> = {
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
};

const ECDSA_FIELD_BYTES: Readonly<Record<string, number>> = {
  'ecdsa-sha2-nistp256': 32,
  'ecdsa-sha2-nistp384': 48,
  'ecdsa-sha2-nistp521': 66,
};

/** Reads the SSH wire format's strings and integers from a blob; throws CertificateFormatError past its end. */
class WireReader {
  offset = 0;
  constructor(private readonly blob: Buffer) {}

  string(): Buffer {
    const length = this.uint32();
    const end = this.offset + length;
    if (end > this.blob.length) throw new CertificateFormatError('truncated certificate');
    const value = this.blob.subarray(this.offset, end);
    this.offset = end;
    return value;
  }

  text(): string {
    return this.string().toString('utf8');
  }

  uint32(): number {
    if (this.offset + 4 > this.blob.length) throw new CertificateFormatError('truncated certificate');
    const value = this.blob.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint64(): bigint {
    if (this.offset + 8 > this.blob.length) throw new CertificateFormatError('truncated certificate');
    const value = this.blob.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A string holding a list of strings (principals, option names and values). */
  list(): Buffer[] {
    const inner = new WireReader(this.string());
    const items: Buffer[] = [];
    while (inner.offset < inner.blob.length) items.push(inner.string());
    return items;
  }

  /** How many fields of the plain key follow the nonce, by key type. */
  keyFields(plainType: string): number {
    switch (plainType) {
      case 'ssh-ed25519':
        return 1;
      case 'ssh-rsa':
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521':
        return 2;
      default:
        throw new CertificateFormatError(`unsupported certificate key type ${plainType}${CERT_SUFFIX}`);
    }
  }
}

function wireString(value: Buffer | string): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** Parses a certificate blob and checks the CA's signature over it. Throws CertificateFormatError. */
export function parseCertificate(blob: Buffer): Certificate {
  const reader = new WireReader(blob);
  const type = reader.text();
  if (!isCertificateType(type)) throw new CertificateFormatError(`${type} is not a certificate type`);
  const plainType = type.slice(0, -CERT_SUFFIX.length);
  reader.string(); // nonce
  const keyStart = reader.offset;
  for (let field = reader.keyFields(plainType); field > 0; field--) reader.string();
  const publicKey = Buffer.concat([wireString(plainType), blob.subarray(keyStart, reader.offset)]);
  const serial = reader.uint64();
  const roleNumber = reader.uint32();
  if (roleNumber !== 1 && roleNumber !== 2) throw new CertificateFormatError(`unknown certificate type ${roleNumber}`);
  const keyId = reader.text();
  const principals = reader.list().map((principal) => principal.toString('utf8'));
  const validAfter = reader.uint64();
  const validBefore = reader.uint64();
  const options = reader.list();
  const criticalOptions = new Map<string, Buffer>();
  for (let index = 0; index + 1 < options.length; index += 2) {
    criticalOptions.set(options[index]!.toString('utf8'), options[index + 1]!);
  }
  const extensions = reader.list().filter((_, index) => index % 2 === 0).map((name) => name.toString('utf8'));
  reader.string(); // reserved
  const signatureKey = Buffer.from(reader.string());
  const signed = blob.subarray(0, reader.offset);
  const signature = new WireReader(reader.string());
  const signatureAlgorithm = signature.text();
  const signatureValid = CA_SIGNATURE_ALGORITHMS.has(signatureAlgorithm) && verifiesWith(signatureKey, signatureAlgorithm, signed, signature.string());
  return {
    type,
    publicKey,
    serial,
    role: roleNumber === 1 ? 'user' : 'host',
    keyId,
    principals,
    validAfter,
    validBefore,
    criticalOptions,
    extensions,
    signatureKey,
    signatureAlgorithm,
    signatureValid,
  };
}

/** Whether `signature` (its SSH encoding, without the algorithm name) is the CA key's over `data`. */
function verifiesWith(caBlob: Buffer, algorithm: string, data: Buffer, signature: Buffer): boolean {
  const caType = keyTypeOf(caBlob);
  const rsa = algorithm.startsWith('rsa-sha2-');
  if (rsa ? caType !== 'ssh-rsa' : caType !== algorithm) return false;
  let key: KeyObject;
  try {
    key = publicKeyObject(caBlob);
  } catch {
    return false;
  }
  try {
    if (algorithm === 'ssh-ed25519') return verify(null, data, key, signature);
    if (rsa) return verify(algorithm === 'rsa-sha2-512' ? 'sha512' : 'sha256', data, key, signature);
    // ECDSA: mpint r, mpint s, which node takes as r||s of the curve's width.
    const width = ECDSA_FIELD_BYTES[algorithm]!;
    const parts = new WireReader(signature);
    const rs = Buffer.concat([parts.string(), parts.string()].map((mpint) => fixedWidth(mpint, width)));
    return verify(ECDSA_HASH[algorithm]!, data, { key, dsaEncoding: 'ieee-p1363' }, rs);
  } catch {
    return false;
  }
}

function fixedWidth(mpint: Buffer, width: number): Buffer {
  const trimmed = mpint.subarray(Math.max(0, mpint.findIndex((byte) => byte !== 0)));
  if (trimmed.length > width) throw new CertificateFormatError('ECDSA signature wider than its curve');
  return Buffer.concat([Buffer.alloc(width - trimmed.length), trimmed]);
}

/** A plain SSH public key blob as a node KeyObject, through ssh2's parser. */
function publicKeyObject(blob: Buffer): KeyObject {
  const parsed = ssh2().utils.parseKey(`${keyTypeOf(blob)} ${blob.toString('base64')}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || key instanceof Error) throw new CertificateFormatError('unparsable CA key');
  return createPublicKey(key.getPublicPEM());
}

const FOREVER = 0xffff_ffff_ffff_ffffn;

/** "2026-12-01T14:00:00Z", or "forever" for OpenSSH's open end. */
export function certificateTime(seconds: bigint): string {
  if (seconds === FOREVER) return 'forever';
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/** How ping -v and `sshpool hosts` name a certificate: "ED25519-CERT SHA256:… ID "h01" serial 7 signed by CA ED25519 SHA256:…, valid … to …". */
export function describeCertificate(certificate: Certificate): string {
  const keyName = (blob: Buffer): string => `${keyTypeOf(blob)} ${fingerprintOf(blob)}`;
  return (
    `${certificate.type} ${fingerprintOf(certificate.publicKey)} ID "${certificate.keyId}" serial ${certificate.serial}` +
    ` signed by CA ${keyName(certificate.signatureKey)}, valid ${certificateTime(certificate.validAfter)} to ${certificateTime(certificate.validBefore)}`
  );
}
