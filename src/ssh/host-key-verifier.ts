import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { SshpoolError } from '../errors.js';
import { describeCertificate, isCertificateType, parseCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { checkHostCertificate } from './host-certificate.js';
import { orderHostKeyAlgorithms } from './host-key-algorithms.js';
import { fingerprintOf, hostPort, keyTypeOf } from './host-key.js';
import type { HostKeyCheck, HostKeyVerdict } from './host-key.js';
import { KnownHosts, knownHostsLine } from './known-hosts.js';
import type { KnownHostMatch } from './known-hosts.js';

/** StrictHostKeyChecking: yes refuses unknown keys, accept-new records them, no accepts anything. */
export type HostKeyPolicy = 'yes' | 'accept-new' | 'no';

/**
 * UNKNOWN: no known_hosts entry (under `yes`); MISMATCH: a different key is recorded; REVOKED: the key,
 * or the CA of its certificate, is @revoked; NOT_RECORDED: accept-new could not write known_hosts.
 * CERT_*: a host certificate from a trusted CA failed a check (and its plain key is not known either):
 * EXPIRED, NOT_YET_VALID, PRINCIPAL (not for the name dialled or HostKeyAlias), INVALID (malformed,
 * a user certificate, a bad or SHA-1 CA signature, critical options).
 */
export type HostKeyErrorCode =
  | 'HOSTKEY_UNKNOWN'
  | 'HOSTKEY_MISMATCH'
  | 'HOSTKEY_REVOKED'
  | 'HOSTKEY_NOT_RECORDED'
  | 'HOSTKEY_CERT_INVALID'
  | 'HOSTKEY_CERT_EXPIRED'
  | 'HOSTKEY_CERT_NOT_YET_VALID'
  | 'HOSTKEY_CERT_PRINCIPAL';

export class HostKeyError extends SshpoolError<HostKeyErrorCode> {}

export interface HostKeyVerifierOptions {
  /** UserKnownHostsFile: all read; the first is where accept-new records keys. */
  files: string[];
  /** GlobalKnownHostsFile: read as the user's files are, never written. */
  globalFiles?: string[];
  policy: HostKeyPolicy;
  /** HashKnownHosts: record names hashed (`|1|salt|hash`), as ssh does with it. */
  hashKnownHosts?: boolean;
}

/**
 * Checks server host keys against known_hosts as OpenSSH does. One verifier serves a
 * whole run: the files are read once, and keys accepted under accept-new are appended
 * one at a time (one O_APPEND write per line, so other processes' lines never
 * interleave with ours) and remembered, so a host is recorded once however many
 * connections to it finish together.
 */
export class HostKeyVerifier {
  private readonly files: string[];
  private readonly globalFiles: string[];
  private readonly policy: HostKeyPolicy;
  private readonly hashKnownHosts: boolean;
  private knownHosts: Promise<KnownHosts> | undefined;
  private appends: Promise<void> = Promise.resolve();
  /** Entries this run added, with their pending write: a host is only ok once it is on disk. */
  private readonly recorded = new Map<KnownHostMatch, Promise<void>>();

  constructor(options: HostKeyVerifierOptions) {
    this.files = options.files;
    this.globalFiles = options.globalFiles ?? [];
    this.policy = options.policy;
    this.hashKnownHosts = options.hashKnownHosts ?? false;
  }

  /** Reads the files (once); a run calls it up front so an unreadable file stops it before any host. */
  load(): Promise<KnownHosts> {
    this.knownHosts ??= KnownHosts.load([...this.files, ...this.globalFiles]);
    return this.knownHosts;
  }

  /** The host key algorithms to offer this host: certificates first if a CA is trusted for it, then those of the key types known_hosts holds for it. */
  async hostKeyAlgorithms(host: string, port: number): Promise<string[]> {
    const knownHosts = await this.load();
    const matches = knownHosts.lookup(host, port);
    // Any CA line counts, a revoked CA's too, as in ssh: the host then fails with HOSTKEY_REVOKED rather than slip through on its plain key.
    const certAuthority = knownHosts.certAuthorities(host, port).length > 0;
    return orderHostKeyAlgorithms(new Set(matches.filter((entry) => !entry.revoked).map((entry) => entry.keyType)), certAuthority);
  }

  /**
   * `key` is the raw public key blob ssh2 passes to `hostVerifier`. With HostKeyAlias,
   * pass the alias as `host` and 22 as `port`, as ssh looks the alias up undecorated.
   * Rejects with a HostKeyError to refuse the key.
   */
  async verify(host: string, port: number, key: Buffer): Promise<HostKeyVerdict> {
    return (await this.check(host, port, key)).verdict;
  }

  /** verify(), also saying how the key was verified (for ping -v). */
  async check(host: string, port: number, key: Buffer): Promise<HostKeyCheck> {
    const knownHosts = await this.load();
    if (isCertificateType(keyTypeOf(key))) return this.verifyCertificate(knownHosts, host, port, key);
    return this.verifyKey(knownHosts, host, port, key);
  }

  /**
   * As ssh's check_host_key() with a certificate: trusted when a CA line for the host
   * signed it and every check passes; a revoked CA or key fails at once; otherwise it
   * is checked as its plain key, and only if that is unknown too does the failed
   * certificate check (or the unknown key) fail the host.
   */
  private async verifyCertificate(knownHosts: KnownHosts, host: string, port: number, blob: Buffer): Promise<HostKeyCheck> {
    const name = hostPort(host, port);
    let certificate: Certificate;
    try {
      certificate = parseCertificate(blob);
    } catch (error) {
      throw new HostKeyError('HOSTKEY_CERT_INVALID', `Host certificate for ${name} is malformed (${(error as Error).message})`);
    }
    const described = describeCertificate(certificate);
    const matches = knownHosts.lookup(host, port);
    const revokedCa = revokedAmong(matches, certificate.signatureKey);
    if (revokedCa) {
      throw new HostKeyError('HOSTKEY_REVOKED', `Host certificate for ${name} is signed by a revoked CA: ${described}; the CA is marked @revoked at ${location(revokedCa)}`);
    }
    const authority = knownHosts.certAuthorities(host, port).find((entry) => entry.key.equals(certificate.signatureKey));
    if (authority === undefined) {
      return this.verifyKey(knownHosts, host, port, certificate.publicKey, { certificate: `${described}, which no @cert-authority line trusts for ${name}` });
    }
    // A revoked certified key is refused by verifyKey() below, however good its certificate.
    const keyRevoked = revokedAmong(matches, certificate.publicKey) !== undefined;
    const failed = keyRevoked ? undefined : checkHostCertificate(certificate, host, nowSeconds());
    const trustedBy = `CA trusted by @cert-authority at ${location(authority)}`;
    if (!keyRevoked && failed === undefined) return { verdict: {}, verifiedBy: `host certificate ${described}, ${trustedBy}` };
    const failure = failed && new HostKeyError(failed.code, `Host certificate for ${name} ${failed.reason}: ${described}, ${trustedBy}`);
    return this.verifyKey(knownHosts, host, port, certificate.publicKey, { certificate: described, ...(failure ? { failure } : {}) });
  }

  /** `certificate`: set when the key came in a certificate that did not verify, to say so (or fail with its check) if the key is unknown. */
  private async verifyKey(knownHosts: KnownHosts, host: string, port: number, key: Buffer, certificate?: { certificate: string; failure?: HostKeyError }): Promise<HostKeyCheck> {
    const keyType = keyTypeOf(key);
    const offered = `the server offered ${keyType} ${fingerprintOf(key)}${certificate ? ` in host certificate ${certificate.certificate}` : ''}`;
    const name = hostPort(host, port);
    const matches = knownHosts.lookup(host, port);

    const revoked = matches.find((entry) => entry.revoked && sameKey(entry, keyType, key));
    if (revoked) {
      throw new HostKeyError('HOSTKEY_REVOKED', `Host key for ${name} is revoked: ${offered}, marked @revoked at ${location(revoked)}`);
    }

    const valid = matches.filter((entry) => !entry.revoked);
    const known = valid.find((entry) => sameKey(entry, keyType, key));
    if (known) {
      await this.recorded.get(known);
      return { verdict: {}, verifiedBy: `${keyType} ${fingerprintOf(key)} known at ${location(known)}` };
    }
    if (valid.length > 0) {
      const conflicting = valid.filter((entry) => entry.keyType === keyType);
      const listed = (conflicting.length > 0 ? conflicting : valid).map((entry) => `${entry.keyType} at ${location(entry)}`);
      const changed = `Host key for ${name} has changed: ${offered}, but known_hosts has ${listed.join(', ')}`;
      if (this.policy === 'no') {
        // OpenSSH goes on here too, but sends no password or keyboard-interactive answer.
        const conflict = `${changed}; accepted because StrictHostKeyChecking is no, with password and keyboard-interactive authentication disabled to avoid man-in-the-middle attacks`;
        return { verdict: { conflict }, verifiedBy: `not verified: ${conflict}` };
      }
      throw new HostKeyError(
        'HOSTKEY_MISMATCH',
        `${changed}. Someone could be eavesdropping (man-in-the-middle), or the host key was replaced; remove the old entry if you trust the new key.`,
      );
    }
    if (this.policy === 'no') return { verdict: {}, verifiedBy: `not verified: ${keyType} ${fingerprintOf(key)} is unknown, accepted because StrictHostKeyChecking is no` };
    if (this.policy === 'yes') {
      if (certificate?.failure) throw certificate.failure;
      const searched = [...this.files, ...this.globalFiles].join(' or ');
      throw new HostKeyError('HOSTKEY_UNKNOWN', `Host key for ${name} is unknown: ${offered}, which is not in ${searched} (strict host key checking)`);
    }
    await this.record(knownHosts, host, port, keyType, key);
    return { verdict: {}, verifiedBy: `${keyType} ${fingerprintOf(key)} new, recorded in ${this.files[0]} (StrictHostKeyChecking accept-new)` };
  }

  private record(knownHosts: KnownHosts, host: string, port: number, keyType: string, key: Buffer): Promise<void> {
    const file = this.files[0];
    if (file === undefined) {
      return Promise.reject(new HostKeyError('HOSTKEY_NOT_RECORDED', `No known_hosts file to record ${hostPort(host, port)}'s key in`));
    }
    // Added before the write so concurrent verify() calls for this host wait on it instead of appending again.
    const entry = knownHosts.add(host, port, keyType, key, file);
    const line = knownHostsLine(host, port, keyType, key, this.hashKnownHosts);
    const written = this.appends.then(() => appendLine(file, line)).catch((error: unknown) => {
      throw new HostKeyError('HOSTKEY_NOT_RECORDED', `Could not record ${hostPort(host, port)}'s host key in ${file}: ${(error as Error).message}`, { cause: error });
    });
    this.appends = written.catch(() => undefined);
    this.recorded.set(entry, written);
    return written;
  }
}

/** One write(2) on an O_APPEND descriptor; starts a new line if the file lacks a final newline. */
async function appendLine(file: string, line: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'a+', 0o600);
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.write(prefix + line);
  } finally {
    await handle.close();
  }
}

function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

/** The @revoked line for this key blob, if any (a CA's or a host's). */
function revokedAmong(matches: readonly KnownHostMatch[], key: Buffer): KnownHostMatch | undefined {
  return matches.find((entry) => entry.revoked && entry.key.equals(key));
}

function sameKey(entry: KnownHostMatch, keyType: string, key: Buffer): boolean {
  return entry.keyType === keyType && entry.key.equals(key);
}

function location(entry: KnownHostMatch): string {
  return entry.line === undefined ? `${entry.file} (added during this run)` : `${entry.file}:${entry.line}`;
}
