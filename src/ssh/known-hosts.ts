import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SshpoolError } from '../errors.js';
import { HostPatternList } from './host-pattern.js';
import { fingerprintOf, keyTypeOf, knownHostsName } from './host-key.js';

/** One usable known_hosts line. `line` is absent for entries this run added in memory. */
export interface KnownHostMatch {
  file: string;
  line?: number;
  /** Set for `@revoked` lines: this key must never be accepted for the host. */
  revoked: boolean;
  keyType: string;
  key: Buffer;
}

interface HashedEntry {
  salt: Buffer;
  hash: Buffer;
  entry: KnownHostMatch;
}

interface PatternEntry {
  patterns: HostPatternList;
  entry: KnownHostMatch;
}

/**
 * The known_hosts files of a run, parsed once. Plain names are indexed for O(1) lookup;
 * wildcard, negated and hashed (`|1|salt|hash`) entries have to be tried one by one,
 * as OpenSSH does. `@cert-authority` lines are skipped (sshpool does not do host
 * certificates) and malformed lines ignored, like ssh does.
 */
export class KnownHosts {
  private readonly byName = new Map<string, KnownHostMatch[]>();
  private readonly patterned: PatternEntry[] = [];
  private readonly hashed: HashedEntry[] = [];

  /** Files that do not exist are empty. */
  static async load(files: readonly string[]): Promise<KnownHosts> {
    const knownHosts = new KnownHosts();
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new SshpoolError('KNOWN_HOSTS_UNREADABLE', `cannot read known_hosts file ${file}: ${(error as Error).message}`, { cause: error });
      }
      text.split('\n').forEach((line, index) => knownHosts.addLine(line, file, index + 1));
    }
    return knownHosts;
  }

  lookup(host: string, port: number): KnownHostMatch[] {
    const name = knownHostsName(host, port).toLowerCase();
    const matches = [...(this.byName.get(name) ?? [])];
    for (const { patterns, entry } of this.patterned) {
      if (patterns.matches(name)) matches.push(entry);
    }
    for (const { salt, hash, entry } of this.hashed) {
      const candidate = createHmac('sha1', salt).update(name).digest();
      if (candidate.length === hash.length && timingSafeEqual(candidate, hash)) matches.push(entry);
    }
    return matches;
  }

  /** Records a key accepted during this run, so later lookups see it without re-reading. */
  add(host: string, port: number, keyType: string, key: Buffer, file: string): KnownHostMatch {
    const entry: KnownHostMatch = { file, revoked: false, keyType, key };
    this.index([knownHostsName(host, port)], entry);
    return entry;
  }

  private addLine(text: string, file: string, line: number): void {
    const fields = text.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]?.startsWith('#')) return;
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      if (fields[0] !== '@revoked') return;
      revoked = true;
      fields.shift();
    }
    const [hosts, keyType, base64] = fields;
    if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return;
    const entry: KnownHostMatch = { file, line, revoked, keyType, key: Buffer.from(base64, 'base64') };
    if (hosts.startsWith('|')) this.indexHashed(hosts, entry);
    else this.index(hosts.split(','), entry);
  }

  private indexHashed(field: string, entry: KnownHostMatch): void {
    const [, magic, salt, hash] = field.split('|');
    if (magic !== '1' || !salt || !hash) return;
    this.hashed.push({ salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64'), entry });
  }

  private index(patterns: string[], entry: KnownHostMatch): void {
    if (patterns.some((pattern) => /[*?!]/.test(pattern))) {
      this.patterned.push({ patterns: new HostPatternList(patterns), entry });
      return;
    }
    for (const pattern of patterns) {
      const name = pattern.toLowerCase();
      const entries = this.byName.get(name);
      if (entries) entries.push(entry);
      else this.byName.set(name, [entry]);
    }
  }
}

/** StrictHostKeyChecking: yes refuses unknown keys, accept-new records them, no accepts anything. */
export type HostKeyPolicy = 'yes' | 'accept-new' | 'no';

export type HostKeyErrorCode = 'HOSTKEY_UNKNOWN' | 'HOSTKEY_MISMATCH' | 'HOSTKEY_REVOKED' | 'HOSTKEY_NOT_RECORDED';

export class HostKeyError extends SshpoolError<HostKeyErrorCode> {}

export interface HostKeyVerifierOptions {
  /** known_hosts files, all read; the first is where accept-new records keys. */
  files: string[];
  policy: HostKeyPolicy;
}

/**
 * Checks server host keys against known_hosts as OpenSSH does. One verifier serves a
 * whole run: the files are read once, and keys accepted under accept-new are appended
 * one at a time (one O_APPEND write per line, so other processes' lines never
 * interleave with ours) and remembered, so a host is recorded once however many
 * connections to it finish together. Lines are written unhashed, `[host]:port type key`.
 */
export class HostKeyVerifier {
  private readonly files: string[];
  private readonly policy: HostKeyPolicy;
  private knownHosts: Promise<KnownHosts> | undefined;
  private appends: Promise<void> = Promise.resolve();
  /** Entries this run added, with their pending write: a host is only ok once it is on disk. */
  private readonly recorded = new Map<KnownHostMatch, Promise<void>>();

  constructor(options: HostKeyVerifierOptions) {
    this.files = options.files;
    this.policy = options.policy;
  }

  /** Reads the files (once); a run calls it up front so an unreadable file stops it before any host. */
  load(): Promise<KnownHosts> {
    this.knownHosts ??= KnownHosts.load(this.files);
    return this.knownHosts;
  }

  /**
   * `key` is the raw public key blob ssh2 passes to `hostVerifier`. With HostKeyAlias,
   * pass the alias as `host` and 22 as `port`, as ssh looks the alias up undecorated.
   */
  async verify(host: string, port: number, key: Buffer): Promise<void> {
    const knownHosts = await this.load();
    const keyType = keyTypeOf(key);
    const offered = `the server offered ${keyType} ${fingerprintOf(key)}`;
    const name = displayName(host, port);
    const matches = knownHosts.lookup(host, port);

    const revoked = matches.find((entry) => entry.revoked && sameKey(entry, keyType, key));
    if (revoked) {
      throw new HostKeyError('HOSTKEY_REVOKED', `Host key for ${name} is revoked: ${offered}, marked @revoked at ${location(revoked)}`);
    }
    if (this.policy === 'no') return;

    const valid = matches.filter((entry) => !entry.revoked);
    const known = valid.find((entry) => sameKey(entry, keyType, key));
    if (known) return this.recorded.get(known);
    if (valid.length > 0) {
      const conflicting = valid.filter((entry) => entry.keyType === keyType);
      const listed = (conflicting.length > 0 ? conflicting : valid).map((entry) => `${entry.keyType} at ${location(entry)}`);
      throw new HostKeyError(
        'HOSTKEY_MISMATCH',
        `Host key for ${name} has changed: ${offered}, but known_hosts has ${listed.join(', ')}. ` +
          'Someone could be eavesdropping (man-in-the-middle), or the host key was replaced; remove the old entry if you trust the new key.',
      );
    }
    if (this.policy === 'yes') {
      throw new HostKeyError('HOSTKEY_UNKNOWN', `Host key for ${name} is unknown: ${offered}, which is not in ${this.files.join(' or ')} (strict host key checking)`);
    }
    return this.record(knownHosts, host, port, keyType, key);
  }

  private record(knownHosts: KnownHosts, host: string, port: number, keyType: string, key: Buffer): Promise<void> {
    const file = this.files[0];
    if (file === undefined) {
      return Promise.reject(new HostKeyError('HOSTKEY_NOT_RECORDED', `No known_hosts file to record ${displayName(host, port)}'s key in`));
    }
    // Added before the write so concurrent verify() calls for this host wait on it instead of appending again.
    const entry = knownHosts.add(host, port, keyType, key, file);
    const line = `${knownHostsName(host, port)} ${keyType} ${key.toString('base64')}\n`;
    const written = this.appends.then(() => appendLine(file, line)).catch((error: unknown) => {
      throw new HostKeyError('HOSTKEY_NOT_RECORDED', `Could not record ${displayName(host, port)}'s host key in ${file}: ${(error as Error).message}`, { cause: error });
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

function displayName(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
