import { readFileSync } from 'node:fs';

/** Read from package.json at run time so the CLI and the package never disagree. */
export function packageVersion(): string {
  for (const relative of ['../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'sshpool' && manifest.version) return manifest.version;
    } catch {
      // Not at this depth: the bundle is dist/sshpool-bundle.cjs, the compiled tests' copy build/src/cli/version.js.
    }
  }
  return '0.0.0';
}
