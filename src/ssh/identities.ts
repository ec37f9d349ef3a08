import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { InputError } from '../errors.js';
import { withImportedPrivateKey } from './signing-key.js';

const { parseKey } = ssh2.utils;

/** Asks for the passphrase of an encrypted key; the CLI asks through promptHidden() in src/cli/prompt.ts. */
export type PassphrasePrompt = (keyPath: string) => Promise<string>;

export type IdentityErrorCode = 'IDENTITY_NOT_FOUND' | 'IDENTITY_UNREADABLE' | 'IDENTITY_INVALID' | 'IDENTITY_PASSPHRASE';

/** An identity file the user named cannot be used. Never carries key material or passphrases. */
export class IdentityError extends InputError<IdentityErrorCode> {}

export interface IdentityStoreOptions {
  /** Without one, an encrypted key is an error. */
  passphrasePrompt?: PassphrasePrompt;
}

export interface LoadOptions {
  /**
   * True for files the user named (IdentityFile, -i): missing ones are errors. False for
   * OpenSSH's default list, where a missing file is just skipped.
   */
  explicit: boolean;
}

const MISSING = Symbol('missing');

/**
 * The private keys of a run, each read, decrypted, parsed and imported into OpenSSL once: concurrent callers
 * for one file share one promise, so an encrypted key's passphrase is asked for once.
 * Pass the parsed keys to buildAuthHandler(); ssh2 ignores a parsed key given as
 * `privateKey`.
 */
export class IdentityStore {
  private readonly passphrasePrompt: PassphrasePrompt | undefined;
  private readonly keys = new Map<string, Promise<ParsedKey | typeof MISSING>>();

  constructor(options: IdentityStoreOptions = {}) {
    this.passphrasePrompt = options.passphrasePrompt;
  }

  /** The usable keys among `files`, in their order. */
  async load(files: readonly string[], options: LoadOptions): Promise<ParsedKey[]> {
    const keys = await Promise.all(files.map((file) => this.loadOne(file, options)));
    return keys.filter((key): key is ParsedKey => key !== undefined);
  }

  /** Undefined only for a missing file that was not explicit. */
  private async loadOne(file: string, options: LoadOptions): Promise<ParsedKey | undefined> {
    const absolute = path.resolve(file);
    let key = this.keys.get(absolute);
    if (!key) {
      key = this.read(absolute);
      this.keys.set(absolute, key);
    }
    const result = await key;
    if (result !== MISSING) return result;
    if (options.explicit) throw new IdentityError('IDENTITY_NOT_FOUND', `Identity file ${file} does not exist`);
    return undefined;
  }

  private async read(file: string): Promise<ParsedKey | typeof MISSING> {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return MISSING;
      throw new IdentityError('IDENTITY_UNREADABLE', `Cannot read identity file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
    }
    const plain = firstKey(parseKey(data));
    if (!(plain instanceof Error)) return privateOnly(plain, file);
    if (!/no passphrase given/.test(plain.message)) {
      throw new IdentityError('IDENTITY_INVALID', `Cannot parse identity file ${file}: ${plain.message}`);
    }
    if (!this.passphrasePrompt) {
      throw new IdentityError('IDENTITY_PASSPHRASE', `Identity file ${file} is encrypted and there is no terminal to ask for its passphrase`);
    }
    const decrypted = firstKey(parseKey(data, await this.passphrasePrompt(file)));
    if (decrypted instanceof Error) {
      // ssh2's message only says which check failed; the passphrase itself stays out of it.
      throw new IdentityError('IDENTITY_PASSPHRASE', `Cannot decrypt identity file ${file}: wrong passphrase? (${decrypted.message})`);
    }
    return privateOnly(decrypted, file);
  }
}

/** OpenSSH key files hold one key; parseKey returns an array only for multi-key formats. */
function firstKey(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  if (!Array.isArray(parsed)) return parsed;
  return parsed[0] ?? new Error('no key in file');
}

function privateOnly(key: ParsedKey, file: string): ParsedKey {
  if (!key.isPrivateKey()) throw new IdentityError('IDENTITY_INVALID', `Identity file ${file} holds a public key, not a private one`);
  return withImportedPrivateKey(key);
}
