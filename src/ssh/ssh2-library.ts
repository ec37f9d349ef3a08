import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import type ssh2Library from 'ssh2';

// Evaluating ssh2 (its modules, crypto tables and native binding) costs CPU even from the bundle's
// code cache: it is loaded when the first connection, key or agent needs it, so `--version`,
// `inventory` and `config` never pay for it.
let library: typeof ssh2Library | undefined;

/** ssh2's module, loaded on first use; out of file descriptors then, the EMFILE error itself. */
export function ssh2(): typeof ssh2Library {
  try {
    return (library ??= load());
  } catch (error) {
    throw descriptorShortage() ?? error;
  }
}

/**
 * The library, an ES module, has no `require` and loads the package; in the CLI's CommonJS bundle
 * esbuild bundles ssh2 behind the literal `require('ssh2')`, so that its code is in the bundle's
 * code cache (see scripts/bundle.mjs).
 */
function load(): typeof ssh2Library {
  return (typeof require === 'function' ? require('ssh2') : createRequire(import.meta.url)('ssh2')) as typeof ssh2Library;
}

/** Node's resolver reports a package it could not open as not found: whether that was this process's descriptor limit. */
function descriptorShortage(): NodeJS.ErrnoException | undefined {
  try {
    closeSync(openSync('/dev/null', 'r'));
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? (error as NodeJS.ErrnoException) : undefined;
  }
}
