import { createHash } from 'node:crypto';

/** The longest file name Linux file systems take (ext4, xfs, btrfs, tmpfs): NAME_MAX bytes. */
export const MAX_FILE_NAME_BYTES = 255;

/** Marks an encoded name; safeFileName never leaves one, so encoded names never meet names kept as they are. */
const MARK = '~';
const HASH_HEX_DIGITS = 8;

/**
 * The file name for a host's `extension` (`.out`, `.err`) in a per-host
 * directory (`--out-dir`): the host name itself when it is made only of
 * letters, digits and `_ . : @ -` (no leading dot) and fits; otherwise its
 * safeFileName, cut to fit MAX_FILE_NAME_BYTES, then `~` and the first 8 hex
 * digits of the SHA-256 of the whole name. Deterministic, and two host names
 * never share a file (short of a hash collision between names that also
 * share their safe form).
 */
export function hostFileName(host: string, extension: string): string {
  const safe = safeFileName(host);
  if (safe === host && host !== '' && Buffer.byteLength(host + extension) <= MAX_FILE_NAME_BYTES) return host + extension;
  const hash = createHash('sha256').update(host).digest('hex').slice(0, HASH_HEX_DIGITS);
  // safe is ASCII, so its length is its size in bytes.
  const room = MAX_FILE_NAME_BYTES - Buffer.byteLength(extension) - MARK.length - HASH_HEX_DIGITS;
  return `${safe.slice(0, Math.max(0, room))}${MARK}${hash}${extension}`;
}

/** A host name as a file name: path separators and every other character but `\w . : @ -` become `_`, and a leading dot. */
export function safeFileName(host: string): string {
  return host.replace(/[^\w.:@-]/g, '_').replace(/^\./, '_');
}
