import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Redis } from 'ioredis';

/** The bytes of one Redis list element: what a file is read and sent in, and what a reader holds at once. */
export const CONTENT_CHUNK_BYTES = 1 << 20;

/**
 * `file` into the list at `key`, replacing what it held, a chunk at a time
 * (memory stays one chunk whatever the file); `seen` hears each chunk. The
 * key's expiry is the caller's.
 */
export async function fileToList(redis: Redis, key: string, file: string, seen?: (chunk: Buffer) => void): Promise<void> {
  await redis.del(key);
  for await (const chunk of createReadStream(file, { highWaterMark: CONTENT_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    seen?.(chunk);
    await redis.rpush(key, chunk);
  }
}

/**
 * The list at `key` written to `handle`, a chunk at a time; `seen` hears each
 * chunk. Resolves to the bytes written (0 for a list that is not there).
 * @throws Error when the list goes while it is read.
 */
export async function listToFile(redis: Redis, key: string, handle: FileHandle, seen?: (chunk: Buffer) => void): Promise<number> {
  const chunks = await redis.llen(key);
  let written = 0;
  for (let index = 0; index < chunks; index++) {
    const chunk = await redis.lindexBuffer(key, index);
    if (chunk === null) throw new Error('it left Redis while being read (the run ended, or its keys expired)');
    seen?.(chunk);
    written += chunk.length;
    await handle.write(chunk);
  }
  return written;
}
