import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { VaultSecrets } from './vault.js';

/** A vault password file that cannot be read or run, or gives no password: the run stops before any host is touched. */
export class VaultPasswordFileError extends InputError<'VAULT_PASSWORD_FILE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VAULT_PASSWORD_FILE', message, options);
  }
}

/** The passwords of `--vault-password-file` (and $ANSIBLE_VAULT_PASSWORD_FILE), in the order given. */
export async function loadVaultSecrets(files: readonly string[]): Promise<VaultSecrets> {
  const passwords: string[] = [];
  for (const file of files) passwords.push(await readVaultPassword(file));
  return new VaultSecrets(passwords);
}

/**
 * As Ansible's get_file_vault_secret: an executable file is run (no arguments,
 * the terminal on its stdin and stderr, so it can ask) and its stdout is the
 * password; any other file holds it. Surrounding whitespace is not part of it.
 */
async function readVaultPassword(file: string): Promise<string> {
  const stats = await stat(file).catch((error: unknown) => {
    throw new VaultPasswordFileError(`vault password file '${file}' cannot be read: ${(error as Error).message}`, { cause: error });
  });
  const executable = stats.isFile() && (stats.mode & 0o111) !== 0;
  const password = executable ? (await runPasswordScript(file)).replace(/^[\r\n]+|[\r\n]+$/g, '') : (await readPasswordFile(file)).trim();
  if (password === '') throw new VaultPasswordFileError(`vault password ${executable ? 'script' : 'file'} '${file}' gave an empty password`);
  return password;
}

async function readPasswordFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new VaultPasswordFileError(`vault password file '${file}' cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

function runPasswordScript(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { stdio: ['inherit', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) => reject(new VaultPasswordFileError(`vault password script '${file}' cannot be run: ${error.message}`, { cause: error })));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(new VaultPasswordFileError(`vault password script '${file}' ${signal ? `was killed by ${signal}` : `exited with status ${code}`}`));
    });
  });
}
