import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { SshpoolError } from '../errors.js';
import { orderHostKeyAlgorithms } from './host-key-algorithms.js';
import { fingerprintOf, hostPort, keyTypeOf } from './host-key.js';
import type { HostKeyVerdict } from './host-key.js';
import { KnownHosts, knownHostsLine } from './known-hosts.js';
import type { KnownHostMatch } from './known-hosts.js';

/** StrictHostKeyChecking: yes refuses unknown keys, accept-new records them, no accepts anything. */
export type HostKeyPolicy = 'yes' | 'accept-new' | 'no';

/** UNKNOWN: no known_hosts entry (under `yes`); MISMATCH: a different key is recorded; REVOKED: the key is @revoked; NOT_RECORDED: accept-new could not write known_hosts. */
export type HostKeyErrorCode = 'HOSTKEY_UNKNOWN' | 'HOSTKEY_MISMATCH' | 'HOSTKEY_REVOKED' | 'HOSTKEY_NOT_RECORDED';

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

  /** The host key algorithms to offer this host, those of the key types known_hosts holds for it first. */
  async hostKeyAlgorithms(host: string, port: number): Promise<string[]> {
    const matches = (await this.load()).lookup(host, port);
    return orderHostKeyAlgorithms(new Set(matches.filter((entry) => !entry.revoked).map((entry) => entry.keyType)));
  }

  /**
   * `key` is the raw public key blob ssh2 passes to `hostVerifier`. With HostKeyAlias,
   * pass the alias as `host` and 22 as `port`, as ssh looks the alias up undecorated.
   * Rejects with a HostKeyError to refuse the key.
   */
  async verify(host: string, port: number, key: Buffer): Promise<HostKeyVerdict> {
    const knownHosts = await this.load();
    const keyType = keyTypeOf(key);
    const offered = `the server offered ${keyType} ${fingerprintOf(key)}`;
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
      return {};
    }
    if (valid.length > 0) {
      const conflicting = valid.filter((entry) => entry.keyType === keyType);
      const listed = (conflicting.length > 0 ? conflicting : valid).map((entry) => `${entry.keyType} at ${location(entry)}`);
      const changed = `Host key for ${name} has changed: ${offered}, but known_hosts has ${listed.join(', ')}`;
      if (this.policy === 'no') {
        // OpenSSH goes on here too, but sends no password or keyboard-interactive answer.
        return { conflict: `${changed}; accepted because StrictHostKeyChecking is no, with password and keyboard-interactive authentication disabled to avoid man-in-the-middle attacks` };
      }
      throw new HostKeyError(
        'HOSTKEY_MISMATCH',
        `${changed}. Someone could be eavesdropping (man-in-the-middle), or the host key was replaced; remove the old entry if you trust the new key.`,
      );
    }
    if (this.policy === 'no') return {};
    if (this.policy === 'yes') {
      const searched = [...this.files, ...this.globalFiles].join(' or ');
      throw new HostKeyError('HOSTKEY_UNKNOWN', `Host key for ${name} is unknown: ${offered}, which is not in ${searched} (strict host key checking)`);
    }
    await this.record(knownHosts, host, port, keyType, key);
    return {};
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

function sameKey(entry: KnownHostMatch, keyType: string, key: Buffer): boolean {
  return entry.keyType === keyType && entry.key.equals(key);
}

function location(entry: KnownHostMatch): string {
  return entry.line === undefined ? `${entry.file} (added during this run)` : `${entry.file}:${entry.line}`;
}
