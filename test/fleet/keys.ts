import { randomBytes } from 'node:crypto';
import { chmod, copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runToolOk } from './run-tool.js';

/** "ssh-ed25519 AAAA...": the key type and blob of a public key line, without its comment. */
export function withoutComment(publicKeyLine: string): string {
  return publicKeyLine.trim().split(/\s+/).slice(0, 2).join(' ');
}

/** The key types ssh-keygen -t makes that sshd serves as host keys. */
export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

/** Writes a fresh unencrypted pair (ed25519 unless told) at path and path.pub, replacing any earlier pair; returns the public key. */
export async function generateKey(path: string, comment: string, type: KeyType = 'ed25519'): Promise<string> {
  // ssh-keygen asks before overwriting, and with no terminal that question fails the run.
  await Promise.all([rm(path, { force: true }), rm(`${path}.pub`, { force: true })]);
  // RSA at 2048 bits, not ssh-keygen's 3072: prime search is the slow part, and a loaded machine took over 15 s.
  const size = type === 'rsa' ? ['-b', '2048'] : [];
  await runToolOk('ssh-keygen', ['-q', '-t', type, ...size, '-N', '', '-C', comment, '-f', path], { timeoutMs: 60_000 });
  return withoutComment(await readFile(`${path}.pub`, 'utf8'));
}

const PASSPHRASE_ENV = 'SSHPOOL_FLEET_PASSPHRASE';

/**
 * A copy of an unencrypted private key, encrypted with passphrase. ssh-keygen reads the new passphrase
 * through an askpass script that prints it from the environment, so it never appears in any argv.
 */
export async function encryptedKeyCopy(keyPath: string, passphrase: string, dir: string): Promise<string> {
  const unique = randomBytes(4).toString('hex');
  const copyPath = join(dir, `${basename(keyPath)}.${unique}.encrypted`);
  const askpassPath = join(dir, `askpass.${unique}.sh`);
  await copyFile(keyPath, copyPath);
  await chmod(copyPath, 0o600);
  await writeFile(askpassPath, `#!/bin/sh\nprintf '%s\\n' "$${PASSPHRASE_ENV}"\n`, { mode: 0o700 });
  try {
    await runToolOk('ssh-keygen', ['-q', '-p', '-P', '', '-f', copyPath], {
      env: { ...process.env, SSH_ASKPASS: askpassPath, SSH_ASKPASS_REQUIRE: 'force', [PASSPHRASE_ENV]: passphrase },
    });
  } finally {
    await rm(askpassPath, { force: true });
  }
  return copyPath;
}
