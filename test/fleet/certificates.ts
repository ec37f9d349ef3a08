import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey, type KeyType } from './keys.js';
import { runToolOk } from './run-tool.js';

/** A certificate authority made with ssh-keygen: its private key signs, its public key goes in known_hosts or TrustedUserCAKeys. */
export interface CertificateAuthority {
  keyPath: string;
  /** "ssh-ed25519 AAAA...", without comment. */
  publicKey: string;
  publicKeyPath: string;
}

export async function createCertificateAuthority(dir: string, name: string, type: KeyType = 'ed25519'): Promise<CertificateAuthority> {
  const keyPath = join(dir, `${name}_ca`);
  const publicKey = await generateKey(keyPath, `${name}-ca`, type);
  return { keyPath, publicKey, publicKeyPath: `${keyPath}.pub` };
}

export interface SignOptions {
  /** The certificate's key ID (-I). */
  identity: string;
  /** -n; none gives a certificate without principals. */
  principals: readonly string[];
  /** A host certificate (-h); default a user certificate. */
  host?: boolean;
  /** -V, e.g. "-2d:-1d" (expired) or "+1d:+2d" (not yet valid); default forever. */
  validity?: string;
  /** -O options: "force-command=...", "source-address=...". */
  options?: readonly string[];
  serial?: number;
}

/** Signs `publicKeyPath` (X.pub) with the CA as `ssh-keygen -s` does; returns the certificate's path (X-cert.pub). */
export async function signKey(ca: CertificateAuthority, publicKeyPath: string, sign: SignOptions): Promise<string> {
  const args = ['-q', '-s', ca.keyPath, '-I', sign.identity, ...(sign.host ? ['-h'] : [])];
  if (sign.principals.length > 0) args.push('-n', sign.principals.join(','));
  if (sign.validity !== undefined) args.push('-V', sign.validity);
  for (const option of sign.options ?? []) args.push('-O', option);
  if (sign.serial !== undefined) args.push('-z', String(sign.serial));
  await runToolOk('ssh-keygen', [...args, publicKeyPath]);
  return publicKeyPath.replace(/\.pub$/, '-cert.pub');
}

/** "ssh-ed25519-cert-v01@openssh.com AAAA...": a certificate file's type and blob. */
export async function certificateLine(certPath: string): Promise<string> {
  return (await readFile(certPath, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
}
