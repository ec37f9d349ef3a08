import { readFile } from 'node:fs/promises';
import { CertificateFormatError, describeCertificate, isCertificateType, parseCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { IdentityError } from './identities.js';

/** A user certificate read from a file (`X-cert.pub`, or CertificateFile). */
export interface UserCertificate {
  file: string;
  /** The certificate blob, sent as the public key in publickey authentication. */
  blob: Buffer;
  certificate: Certificate;
  /** describeCertificate()'s text, for ping -v. */
  description: string;
}

/**
 * Reads a certificate file as ssh writes them ("ssh-ed25519-cert-v01@openssh.com
 * AAAA... comment"). Undefined when the file does not exist, as ssh skips it; an
 * IDENTITY_INVALID error naming the file when it is not a user certificate.
 */
export async function readUserCertificate(file: string): Promise<UserCertificate | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IdentityError('IDENTITY_UNREADABLE', `Cannot read certificate file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  const [type = '', base64 = ''] = text.trim().split(/\s+/);
  const invalid = (why: string) => new IdentityError('IDENTITY_INVALID', `Certificate file ${file} ${why}`);
  if (!isCertificateType(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw invalid('does not hold an OpenSSH certificate');
  const blob = Buffer.from(base64, 'base64');
  let certificate: Certificate;
  try {
    certificate = parseCertificate(blob);
  } catch (error) {
    if (!(error instanceof CertificateFormatError)) throw error;
    throw invalid(`is malformed (${error.message})`);
  }
  if (certificate.role !== 'user') throw invalid('holds a host certificate, not a user certificate');
  return { file, blob, certificate, description: describeCertificate(certificate) };
}
