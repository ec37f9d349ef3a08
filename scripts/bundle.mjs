// `npm run bundle`: the CLI as one CommonJS file, dist/sshpool-bundle.cjs, and the `sshpool` binary,
// dist/sshpool.cjs, a few lines that compile the bundle from V8's code cache (src/cli/code-cache.ts).
// Both are CommonJS because an ES-module entry makes Node load its ES-module loader first (~10 ms).
// ssh2 is in the bundle: as a package its ~20 modules were compiled anew on every start, outside the
// code cache. Only what cannot be bundled stays outside: ssh2's native binding and cpu-features (built
// for this machine at install), and the queue's packages, loaded only by --redis runs and workers.
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

/** ssh2 requires its binding relative to its own file; from the bundle it is found through the package. */
const ssh2Binding = {
  name: 'ssh2-binding',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/crypto\/build\/Release\/sshcrypto\.node$/ }, () => ({
      path: 'ssh2/lib/protocol/crypto/build/Release/sshcrypto.node',
      external: true,
    }));
  },
};

const commonJs = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['scripts/import-meta-url.js'],
};

await build({
  ...commonJs,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/sshpool-bundle.cjs',
  external: ['cpu-features', 'bullmq', 'ioredis'],
  alias: { 'string-width': './node_modules/string-width/index.js' },
  plugins: [ssh2Binding],
});
// The launcher names the bundle's code cache after this line instead of hashing the bundle at every start.
const bundle = readFileSync('dist/sshpool-bundle.cjs');
appendFileSync('dist/sshpool-bundle.cjs', `//# sshpool-bundle-sha256=${createHash('sha256').update(bundle).digest('hex')}\n`);
await build({ ...commonJs, entryPoints: ['src/cli/launcher.ts'], outfile: 'dist/sshpool.cjs' });
