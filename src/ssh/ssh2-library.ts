import { createRequire } from 'node:module';
import type ssh2Library from 'ssh2';

// Loading ssh2 costs ~0.1 s of CPU (its modules, crypto tables and native bindings):
// loaded when the first connection, key or agent needs it, so `--version`,
// `inventory` and `config` never pay for it.
const load = createRequire(import.meta.url);
let library: typeof ssh2Library | undefined;

/** ssh2's module, loaded on first use. */
export function ssh2(): typeof ssh2Library {
  return (library ??= load('ssh2') as typeof ssh2Library);
}
