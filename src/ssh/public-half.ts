import { readFile } from 'node:fs/promises';
import { ssh2 } from './ssh2-library.js';

const OPENSSH_ARMOR = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/;
const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/**
 * The public key blob of an encrypted private key file, found without its
 * passphrase, as ssh finds it: an OpenSSH-format file carries it unencrypted in its
 * header; for other formats, `file.pub`. Undefined when neither has it.
 */
export async function publicHalfOf(file: string, data: Buffer): Promise<Buffer | undefined> {
  return openSshHeaderKey(data) ?? (await publicKeyFile(`${file}.pub`));
}

/** openssh-key-v1: magic, cipher name, KDF name, KDF options, key count, then the public keys (PROTOCOL.key). */
function openSshHeaderKey(data: Buffer): Buffer | undefined {
  const armored = OPENSSH_ARMOR.exec(data.toString('latin1'));
  if (!armored) return undefined;
  const body = Buffer.from(armored[1]!.replace(/\s+/g, ''), 'base64');
  if (!body.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return undefined;
  let offset = OPENSSH_MAGIC.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > body.length) return undefined;
    const length = body.readUInt32BE(offset);
    const end = offset + 4 + length;
    if (end > body.length) return undefined;
    const value = body.subarray(offset + 4, end);
    offset = end;
    return value;
  };
  for (let field = 0; field < 3; field++) if (readString() === undefined) return undefined;
  if (offset + 4 > body.length || body.readUInt32BE(offset) < 1) return undefined;
  offset += 4;
  const publicKey = readString();
  return publicKey && publicKey.length > 0 ? Buffer.from(publicKey) : undefined;
}

async function publicKeyFile(file: string): Promise<Buffer | undefined> {
  const data = await readFile(file).catch(() => undefined);
  if (data === undefined) return undefined;
  const parsed = ssh2().utils.parseKey(data);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key === undefined || key instanceof Error ? undefined : key.getPublicSSH();
}
