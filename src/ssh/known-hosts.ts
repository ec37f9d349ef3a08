import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SshpoolError } from '../errors.js';
import { HostPatternList } from './host-pattern.js';
import { hostPort } from './host-key.js';

/** One usable known_hosts line. `line` is absent for entries this run added in memory. */
export interface KnownHostMatch {
  file: string;
  line?: number;
  /** Set for `@revoked` lines: this key must never be accepted for the host. */
  revoked: boolean;
  /** Set for `@cert-authority` lines: `key` is a CA whose host certificates the host may present. */
  certAuthority: boolean;
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
 * Lines indexed by the hosts they name. Plain names are indexed for O(1) lookup;
 * wildcard, negated and hashed (`|1|salt|hash`) entries have to be tried one by
 * one, as OpenSSH does.
 */
class HostIndex {
  private readonly byName = new Map<string, KnownHostMatch[]>();
  private readonly patterned: PatternEntry[] = [];
  private readonly hashed: HashedEntry[] = [];
  private readonly lookups = new Map<string, KnownHostMatch[]>();

  /**
   * Every line for `name` ([host]:port form). Remembered per name: a run looks a
   * host up to order its host key algorithms and again to verify its key, and
   * hashed lines cost one HMAC each per lookup.
   */
  lookup(name: string): readonly KnownHostMatch[] {
    const lowered = name.toLowerCase();
    let matches = this.lookups.get(lowered);
    if (!matches) {
      matches = this.scan(lowered);
      this.lookups.set(lowered, matches);
    }
    return matches;
  }

  /** `hosts` is a line's host field; remembered lookups it could change are forgotten. */
  add(hosts: string, entry: KnownHostMatch): void {
    if (hosts.startsWith('|')) {
      this.indexHashed(hosts, entry);
      this.lookups.clear();
      return;
    }
    const patterns = hosts.split(',');
    this.index(patterns, entry);
    if (this.patterned.at(-1)?.entry === entry) this.lookups.clear();
    else for (const pattern of patterns) this.lookups.delete(pattern.toLowerCase());
  }

  private scan(name: string): KnownHostMatch[] {
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

/**
 * The known_hosts files of a run, parsed once: host keys (plain and `@revoked`)
 * apart from `@cert-authority` lines, which name CAs rather than keys. Malformed
 * lines and unknown markers are ignored, like ssh does.
 */
export class KnownHosts {
  private readonly keys = new HostIndex();
  private readonly authorities = new HostIndex();

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

  /** Every key line (plain or `@revoked`) for the host. */
  lookup(host: string, port: number): readonly KnownHostMatch[] {
    return this.keys.lookup(hostPort(host, port));
  }

  /** Every `@cert-authority` line for the host: the CAs whose host certificates it may present. */
  certAuthorities(host: string, port: number): readonly KnownHostMatch[] {
    return this.authorities.lookup(hostPort(host, port));
  }

  /** Records a key accepted during this run, so later lookups see it without re-reading. */
  add(host: string, port: number, keyType: string, key: Buffer, file: string): KnownHostMatch {
    const entry: KnownHostMatch = { file, revoked: false, certAuthority: false, keyType, key };
    this.keys.add(hostPort(host, port), entry);
    return entry;
  }

  private addLine(text: string, file: string, line: number): void {
    const fields = text.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]?.startsWith('#')) return;
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    if (marker !== undefined && marker !== '@revoked' && marker !== '@cert-authority') return;
    const [hosts, keyType, base64] = fields;
    if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return;
    const certAuthority = marker === '@cert-authority';
    const entry: KnownHostMatch = { file, line, revoked: marker === '@revoked', certAuthority, keyType, key: Buffer.from(base64, 'base64') };
    (certAuthority ? this.authorities : this.keys).add(hosts, entry);
  }
}

/**
 * One known_hosts line for a host, as ssh writes it: `[host]:port type key`, or with
 * HashKnownHosts the name hashed as `|1|salt|HMAC-SHA1(salt, name)` (hostfile.c's
 * host_hash(), a fresh 20-byte salt per line), which `ssh-keygen -F` still finds.
 * Lookups lower-case the name before hashing it, so the hashed name is lower case too.
 */
export function knownHostsLine(host: string, port: number, keyType: string, key: Buffer, hashed: boolean): string {
  let name = hostPort(host, port);
  if (hashed) {
    const salt = randomBytes(20);
    name = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name.toLowerCase()).digest('base64')}`;
  }
  return `${name} ${keyType} ${key.toString('base64')}\n`;
}
