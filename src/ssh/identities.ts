import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ParsedKey } from 'ssh2';
import { InputError } from '../errors.js';
import { readUserCertificate } from './certificate-file.js';
import type { UserCertificate } from './certificate-file.js';
import { publicHalfOf } from './public-half.js';
import { ssh2 } from './ssh2-library.js';

/** Asks for the passphrase of an encrypted key; the CLI asks through promptHidden() in src/cli/prompt.ts. */
export type PassphrasePrompt = (keyPath: string) => Promise<string>;

/** A key file that is missing, unreadable, not a key, or whose passphrase was wrong or not given. */
export type IdentityErrorCode = 'IDENTITY_NOT_FOUND' | 'IDENTITY_UNREADABLE' | 'IDENTITY_INVALID' | 'IDENTITY_PASSPHRASE';

/** An identity file the user named cannot be used. Never carries key material or passphrases. */
export class IdentityError extends InputError<IdentityErrorCode> {}

export interface IdentityStoreOptions {
  /**
   * Without one (no terminal), an encrypted key the agent does not hold is skipped when
   * the agent has keys of its own to offer, as `ssh -o BatchMode=yes` skips it, and is
   * an error when it has none. An empty answer skips the key, as ssh's prompt does.
   */
  passphrasePrompt?: PassphrasePrompt;
}

export interface LoadOptions {
  /**
   * True for files named with --identity: missing ones are errors. False for those of
   * ssh_config, the inventory or OpenSSH's default list, which ssh skips when missing.
   */
  explicit: boolean;
  /**
   * The public key blobs the agent that will be offered holds. An encrypted file whose
   * key is among them is not decrypted (nor its passphrase asked): the agent signs for
   * it, as ssh has it do.
   */
  agentKeys?: readonly Buffer[];
  /**
   * CertificateFile: each certificate goes with the identity whose key it certifies.
   * Empty or absent: each identity file X takes `X-cert.pub` when present, as ssh does.
   */
  certificateFiles?: readonly string[];
}

/** One identity file's key, ready for buildAuthHandler(). */
export interface Identity {
  file: string;
  /** The public key blob. */
  publicKey: Buffer;
  /** Absent for an encrypted file whose key the agent holds: it is used through the agent only. */
  privateKey?: ParsedKey;
  /** The user certificate of this key, tried before the plain key. */
  certificate?: UserCertificate;
}

type KeyFile =
  | { kind: 'plain'; key: ParsedKey }
  | { kind: 'encrypted'; data: Buffer; publicKey: Buffer | undefined }
  | { kind: 'missing' };

/**
 * The private keys of a run, each read, parsed and imported into OpenSSL once, and
 * each encrypted one decrypted at most once: concurrent callers for one file share
 * one promise, so a passphrase is asked for once. Pass the identities to
 * buildAuthHandler(); ssh2 ignores a parsed key given as `privateKey`.
 */
export class IdentityStore {
  private readonly passphrasePrompt: PassphrasePrompt | undefined;
  private readonly files = new Map<string, Promise<KeyFile>>();
  private readonly decrypted = new Map<string, Promise<ParsedKey | undefined>>();
  private readonly certificates = new Map<string, Promise<UserCertificate | undefined>>();

  constructor(options: IdentityStoreOptions = {}) {
    this.passphrasePrompt = options.passphrasePrompt;
  }

  /** The usable identities among `files`, in their order. */
  async load(files: readonly string[], options: LoadOptions): Promise<Identity[]> {
    const loaded = await Promise.all(files.map((file) => this.loadOne(file, options)));
    const identities = loaded.filter((identity): identity is Identity => identity !== undefined);
    const named = options.certificateFiles ?? [];
    const certificates = await Promise.all(
      named.length > 0 ? named.map((file) => this.certificate(file)) : identities.map((identity) => this.certificate(`${identity.file}-cert.pub`)),
    );
    return identities.map((identity, index) => {
      const candidates = named.length > 0 ? certificates : [certificates[index]];
      const certificate = candidates.find((candidate) => candidate?.certificate.publicKey.equals(identity.publicKey));
      return certificate ? { ...identity, certificate } : identity;
    });
  }

  private certificate(file: string): Promise<UserCertificate | undefined> {
    const absolute = path.resolve(file);
    let certificate = this.certificates.get(absolute);
    if (!certificate) {
      certificate = readUserCertificate(absolute);
      this.certificates.set(absolute, certificate);
    }
    return certificate;
  }

  /** Undefined for a missing file that was not explicit, and for an encrypted key left aside. */
  private async loadOne(file: string, options: LoadOptions): Promise<Identity | undefined> {
    const absolute = path.resolve(file);
    let keyFile = this.files.get(absolute);
    if (!keyFile) {
      keyFile = read(absolute);
      this.files.set(absolute, keyFile);
    }
    const found = await keyFile;
    switch (found.kind) {
      case 'missing':
        if (options.explicit) throw new IdentityError('IDENTITY_NOT_FOUND', `Identity file ${file} does not exist`);
        return undefined;
      case 'plain':
        return { file: absolute, publicKey: found.key.getPublicSSH(), privateKey: found.key };
      case 'encrypted': {
        const { publicKey } = found;
        if (publicKey && options.agentKeys?.some((held) => held.equals(publicKey))) return { file: absolute, publicKey };
        if (!this.passphrasePrompt && options.agentKeys?.length) return undefined;
        const privateKey = await this.decrypt(absolute, found.data);
        return privateKey && { file: absolute, publicKey: privateKey.getPublicSSH(), privateKey };
      }
    }
  }

  /** Undefined when the passphrase asked for was empty. */
  private decrypt(file: string, data: Buffer): Promise<ParsedKey | undefined> {
    let key = this.decrypted.get(file);
    if (!key) {
      key = this.askAndDecrypt(file, data);
      this.decrypted.set(file, key);
    }
    return key;
  }

  private async askAndDecrypt(file: string, data: Buffer): Promise<ParsedKey | undefined> {
    if (!this.passphrasePrompt) {
      throw new IdentityError('IDENTITY_PASSPHRASE', `Identity file ${file} is encrypted, ssh-agent does not hold its key, and there is no terminal to ask for its passphrase`);
    }
    const passphrase = await this.passphrasePrompt(file);
    if (passphrase === '') return undefined;
    const decrypted = firstKey(ssh2().utils.parseKey(data, passphrase));
    if (decrypted instanceof Error) {
      // ssh2's message only says which check failed; the passphrase itself stays out of it.
      throw new IdentityError('IDENTITY_PASSPHRASE', `Cannot decrypt identity file ${file}: wrong passphrase? (${decrypted.message})`);
    }
    return privateOnly(decrypted, file);
  }
}

async function read(file: string): Promise<KeyFile> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new IdentityError('IDENTITY_UNREADABLE', `Cannot read identity file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  const plain = firstKey(ssh2().utils.parseKey(data));
  if (!(plain instanceof Error)) return { kind: 'plain', key: privateOnly(plain, file) };
  if (!/no passphrase given/.test(plain.message)) {
    throw new IdentityError('IDENTITY_INVALID', `Cannot parse identity file ${file}: ${plain.message}`);
  }
  return { kind: 'encrypted', data, publicKey: await publicHalfOf(file, data) };
}

/** OpenSSH key files hold one key; parseKey returns an array only for multi-key formats. */
function firstKey(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  if (!Array.isArray(parsed)) return parsed;
  return parsed[0] ?? new Error('no key in file');
}

function privateOnly(key: ParsedKey, file: string): ParsedKey {
  if (!key.isPrivateKey()) throw new IdentityError('IDENTITY_INVALID', `Identity file ${file} holds a public key, not a private one`);
  return key;
}
