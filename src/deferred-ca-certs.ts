import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';

/** Where bin/sshpool hands over the NODE_EXTRA_CA_CERTS it started Node without (see there why). */
const HANDED_OVER = 'SSHPOOL_DEFERRED_CA_CERTS';

/** The file Node was started without: undefined when Node read NODE_EXTRA_CA_CERTS itself, or there was none. */
let deferredFile: string | undefined;
/** The trust built from it, once: `null` when the file could not be read (Node's warning was given). */
let deferredTrust: Pick<SecureContextOptions, 'ca'> | null | undefined;

/**
 * Puts NODE_EXTRA_CA_CERTS back as it was before bin/sshpool took it out, so
 * that whatever the CLI starts (ProxyCommand, inventory and vault scripts)
 * gets it, and keeps the file for the CLI's own TLS ({@link deferredCaTrust}).
 * Called first thing by the CLI; the library never sees the hand-over.
 */
export function takeDeferredCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[HANDED_OVER];
  if (file === undefined) return;
  delete env[HANDED_OVER];
  env.NODE_EXTRA_CA_CERTS = file;
  deferredFile = file;
}

/**
 * The TLS trust Node would have had with NODE_EXTRA_CA_CERTS read at start:
 * its bundled roots and the file's certificates, to give as `ca` to a TLS
 * connection. Undefined when Node has it already (nothing was deferred), or
 * when the file cannot be read: then, as Node does at start, a warning on
 * stderr and the bundled roots alone.
 */
export function deferredCaTrust(): Pick<SecureContextOptions, 'ca'> | undefined {
  if (deferredFile === undefined) return undefined;
  if (deferredTrust === undefined) {
    try {
      const extra = readFileSync(deferredFile, 'latin1');
      // node:tls only now: a run without TLS never loads it.
      const { rootCertificates } = process.getBuiltinModule('node:tls');
      deferredTrust = { ca: [...rootCertificates, extra] };
    } catch (error) {
      process.stderr.write(`Warning: Ignoring extra certs from \`${deferredFile}\`, load failed: ${(error as Error).message}\n`);
      deferredTrust = null;
    }
  }
  return deferredTrust ?? undefined;
}
