import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { SshpoolError } from '../errors.js';

/**
 * A `!vault` value as read from the file: only its ciphertext. It is decrypted
 * when a host needs it (VaultSecrets.decrypt); `ansible-inventory --list` prints
 * it as `{"__ansible_vault": ciphertext}`, and so does JSON.stringify here.
 */
export class VaultText {
  constructor(
    /** The `$ANSIBLE_VAULT;...` text, header and hex lines as in the file. */
    readonly ciphertext: string,
  ) {}

  /** As `ansible-inventory --list` prints it: the ciphertext, never the plaintext. */
  toJSON(): {
    /** The ciphertext. */
    __ansible_vault: string;
  } {
    return { __ansible_vault: this.ciphertext };
  }
}

/** A `!vault` value that cannot be decrypted: no password given, none that fits, or no vault at all. */
export class VaultError extends SshpoolError<'INVENTORY_VAULT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVENTORY_VAULT', message, options);
  }
}

interface VaultLibrary {
  Vault: new (options: { password: string }) => { decryptSync(vault: string, id: string | undefined): string | undefined };
}

// Loaded on the first !vault value a host needs, as most runs have none.
const load = createRequire(import.meta.url);
let library: VaultLibrary | undefined;

const HEADER = /^\$ANSIBLE_VAULT;(1\.1;AES256|1\.2;AES256;([^\s;]+))\s*$/;

/**
 * The vault passwords of a run, tried in turn on each `!vault` value as
 * Ansible tries its secrets (the vault id of a 1.2 value does not restrict
 * them). Each value is decrypted once. The passwords never leave this object:
 * not in messages, JSON or util.inspect.
 */
export class VaultSecrets {
  readonly #passwords: readonly string[];
  readonly #plaintexts = new Map<string, string>();

  constructor(passwords: readonly string[]) {
    this.#passwords = Object.freeze([...passwords]);
  }

  /**
   * The plaintext, trying each password in turn.
   * @throws VaultError when the value is no vault, no password was given, or none fits.
   */
  decrypt(value: VaultText): string {
    const known = this.#plaintexts.get(value.ciphertext);
    if (known !== undefined) return known;
    const header = HEADER.exec(value.ciphertext.split('\n', 1)[0]!.trim());
    if (!header) throw new VaultError('not an Ansible vault value: the first line must be $ANSIBLE_VAULT;1.1;AES256 or $ANSIBLE_VAULT;1.2;AES256;ID');
    if (this.#passwords.length === 0) {
      throw new VaultError('a !vault value is needed and no vault password was given (--vault-password-file or $ANSIBLE_VAULT_PASSWORD_FILE)');
    }
    library ??= load('ansible-vault') as VaultLibrary;
    for (const password of this.#passwords) {
      const plaintext = tryDecrypt(new library.Vault({ password }), value.ciphertext);
      if (plaintext !== undefined) {
        this.#plaintexts.set(value.ciphertext, plaintext);
        return plaintext;
      }
    }
    const id = header[2] ? ` (vault id '${header[2]}')` : '';
    throw new VaultError(`no vault password given decrypts this !vault value${id}: tried ${this.#passwords.length}`);
  }

  /** The number of passwords only, so a logged object shows no secret. */
  toJSON(): string {
    return this.toString();
  }

  /** `VaultSecrets(2 passwords)`: the count, never a password. */
  toString(): string {
    return `VaultSecrets(${this.#passwords.length} password${this.#passwords.length === 1 ? '' : 's'})`;
  }

  /** What util.inspect and console.log show: the same as toString. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** undefined when the password does not fit (the HMAC check fails); a value that is no vault at all is an error. */
function tryDecrypt(vault: InstanceType<VaultLibrary['Vault']>, ciphertext: string): string | undefined {
  try {
    return vault.decryptSync(ciphertext, undefined);
  } catch (error) {
    if ((error as Error).message === 'Integrity check failed') return undefined;
    throw new VaultError(`not a valid Ansible vault value (${(error as Error).message})`);
  }
}
