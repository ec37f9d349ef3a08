import { createHash } from 'node:crypto';

/** The key type named inside an SSH public key blob (its first string), e.g. "ssh-ed25519". */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length === 0 || 4 + length > blob.length) return 'unknown';
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** As `ssh-keygen -l` prints it: "SHA256:" and unpadded base64 of the blob's SHA-256. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A host and port as OpenSSH writes them (its put_host_port()), in known_hosts and
 * in messages alike: the bare host for port 22, `[host]:port` otherwise.
 */
export function hostPort(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * How a host key that verify() let through stands. `conflict` is set when the key
 * contradicts known_hosts and was accepted only because StrictHostKeyChecking is
 * `no`: such a connection may be a man in the middle, and gets no password.
 */
export interface HostKeyVerdict {
  conflict?: string;
}

/** A verdict with how it was reached, for `ping -v`: the known_hosts line, or the host certificate and the CA line that trusts it. */
export interface HostKeyCheck {
  verdict: HostKeyVerdict;
  verifiedBy: string;
}
