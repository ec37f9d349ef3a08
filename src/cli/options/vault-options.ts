import type { Argv } from 'yargs';
import { loadVaultSecrets } from '../../inventory/index.js';
import type { VaultSecrets } from '../../inventory/index.js';
import { repeatable } from './values.js';

export interface VaultArgs {
  vaultPasswordFile?: string[];
}

/** Also read when set, after the files given with the flag, as Ansible reads its vault_password_file setting. */
const VAULT_PASSWORD_FILE_ENV = 'ANSIBLE_VAULT_PASSWORD_FILE';

/** --vault-password-file, as ansible's: for the `!vault` values of the hosts a command connects to. */
export function withVaultOptions<T>(parser: Argv<T>): Argv<T & VaultArgs> {
  return parser.option('vault-password-file', {
    type: 'string',
    requiresArg: true,
    coerce: repeatable,
    describe: `File holding the password for the inventory's !vault values, or a script that prints it (repeatable; also $${VAULT_PASSWORD_FILE_ENV})`,
  }) as unknown as Argv<T & VaultArgs>;
}

/** Reads (or runs) every password file now, so that a missing one stops the run before any host is touched. */
export async function toVaultSecrets(args: VaultArgs): Promise<VaultSecrets> {
  const files = [...(args.vaultPasswordFile ?? [])];
  const fromEnv = process.env[VAULT_PASSWORD_FILE_ENV];
  if (fromEnv && !files.includes(fromEnv)) files.push(fromEnv);
  return loadVaultSecrets(files);
}
