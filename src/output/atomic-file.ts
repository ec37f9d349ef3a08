import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `file` with the text of `chunks` so that a reader (or a crash) sees
 * the old content or the new, never half of it: write a temporary file in the
 * same directory (rename is atomic only within one file system) chunk by chunk,
 * so that no one string has to hold it all, flush it, rename.
 */
export async function writeFileAtomically(file: string, chunks: string | Iterable<string>): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'w');
    try {
      for (const chunk of typeof chunks === 'string' ? [chunks] : chunks) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
