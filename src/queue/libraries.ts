import { createRequire } from 'node:module';
import type bullmqLibrary from 'bullmq';
import type ioredisLibrary from 'ioredis';

// Loaded by a run through Redis and by `sshpool worker` alone, so that a plain run never pays
// for them; required rather than imported, as ssh2 is (see ssh2-library.ts): the CLI's bundle
// runs from V8's code cache, where a dynamic import() has no loader.
const load = createRequire(import.meta.url);

/** BullMQ's module, loaded on first use. */
export function bullmq(): typeof bullmqLibrary {
  return load('bullmq') as typeof bullmqLibrary;
}

/** ioredis' module, loaded on first use. */
export function ioredis(): typeof ioredisLibrary {
  return load('ioredis') as typeof ioredisLibrary;
}
