// `npm run bundle`: the CLI as one CommonJS file, dist/sshpool-bundle.cjs, with ssh2 in a second one,
// dist/ssh2-bundle.cjs, and the `sshpool` binary, dist/sshpool.cjs, a few lines that compile the
// bundle from V8's code cache (src/cli/code-cache.ts).
// Both are CommonJS because an ES-module entry makes Node load its ES-module loader first (~10 ms).
// ssh2 is in the bundle: as a package its ~20 modules were compiled anew on every start, outside the
// code cache. Only what cannot be bundled stays outside: ssh2's native binding and cpu-features (built
// for this machine at install), and the queue's packages, loaded only by --redis runs and workers.
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/**
 * Node's modules that a plain run never needs but that the bundle's modules import at their top:
 * child_process (ProxyCommand, inventory and vault scripts, ssh_config's Match exec, ssh2's Windows
 * agent), readline (the shell), tty (the passphrase prompt), assert (yargs' checks of its own
 * calls), v8 (--optimize-for-size in a run with much output), dns (ssh2's client, for a host given
 * by name: sshpool connects the socket itself), and crypto, which a run needs only once a host
 * answers (ssh2 loads it then: the code cache's name no longer hashes with it). Loaded as the
 * bundle starts they cost ~16 ms of each start (child_process brings dgram and net's socket lists,
 * assert a terminal colour probe, v8 its heap utilities, crypto its ~20 internal modules, ~3 ms
 * before the first TCP connect); here each import gets a stand-in whose functions require the module
 * at their first call.
 */
const LAZY_BUILTINS = ['assert', 'child_process', 'crypto', 'dns', 'readline', 'tty', 'v8'];
/** assert's checks, as `when this holds, it passes`: yargs makes them on every parse, so a passing one must not load assert (a failing one leaves the error to it). */
const PASSES = { ok: 'args[0]', strictEqual: 'Object.is(args[0], args[1])', notStrictEqual: '!Object.is(args[0], args[1])' };
const builtinRequire = createRequire(import.meta.url);

/** The stand-in for `node:${name}`: its functions (classes too) and a default export, each loading the module when used. */
function lazyBuiltin(name) {
  const real = builtinRequire(`node:${name}`);
  const functions = Object.keys(real).filter((key) => typeof real[key] === 'function' && /^[A-Za-z_$][\w$]*$/.test(key));
  const passes = name === 'assert' ? PASSES : {};
  return [
    `let loaded;\nconst load = () => (loaded ??= require('node:${name}'));`,
    ...functions.map(
      (key) => `export function ${key}(...args) { ${key in passes ? `if (${passes[key]}) return; ` : ''}return new.target ? new (load().${key})(...args) : load().${key}.apply(this, args); }`,
    ),
    'export default new Proxy({}, { get: (_target, key) => load()[key] });',
  ].join('\n');
}

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(esbuild) {
    const filter = new RegExp(`^(?:node:)?(?:${LAZY_BUILTINS.join('|')})$`);
    // Imports, and the require()s of child_process and dns whose functions ssh2's agent.js and client.js
    // take apart at their top; the other require()s (ssh2's asn1 calls assert itself, ssh2's crypto
    // is used at once) keep the module, as does the stand-in's own.
    const standIn = (args) =>
      args.namespace !== 'lazy-builtin' && (args.kind === 'import-statement' || (args.kind === 'require-call' && /(?:child_process|dns)$/.test(args.path)));
    esbuild.onResolve({ filter }, (args) => (standIn(args) ? { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' } : undefined));
    esbuild.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: lazyBuiltin(args.path), loader: 'js' }));
  },
};

/**
 * The bundle's `require('ssh2')` (src/ssh/ssh2-library.ts, its only one) runs dist/ssh2-bundle.cjs
 * from a code cache of its own. In the bundle, ssh2 and its dependencies were ~40 % of what V8
 * deserialised from the cache before the first line ran, ~10 ms before the first TCP connect,
 * which needs none of it.
 */
const ssh2Part = {
  name: 'ssh2-part',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^ssh2$/ }, () => ({ path: 'ssh2', namespace: 'ssh2-part' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'ssh2-part' }, () => ({
      contents: `const { requireBundlePart } = require('./code-cache.ts');\nmodule.exports = requireBundlePart(require('node:path').join(__dirname, 'ssh2-bundle.cjs'));`,
      resolveDir: 'src/cli',
      loader: 'js',
    }));
  },
};

/**
 * Every character past ASCII written as a \\u escape: esbuild escapes them in strings but leaves them in
 * comments and regular expressions (p-queue's emoji, the su prompts' scripts), and one such character
 * makes V8 hold the whole ~1 MB source as a two-byte string, decoded from UTF-8 at every start. An
 * ASCII file is read as latin1, a copy (code-cache.ts). The escape means the same character in a
 * comment, a regular expression (with or without the u flag: a surrogate pair's two escapes are one
 * code point there), a string and an identifier; only a template's raw text would differ, and
 * esbuild escapes none there.
 */
function asciiOnly(file) {
  const escaped = readFileSync(file, 'utf8').replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(file, escaped);
}

/** The last line of a bundle: its SHA-256, which names its code cache instead of hashing it at every start. */
function appendHashLine(file) {
  appendFileSync(file, `//# sshpool-bundle-sha256=${createHash('sha256').update(readFileSync(file)).digest('hex')}\n`);
}

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
  stdin: { contents: "module.exports = require('ssh2');", resolveDir: '.', sourcefile: 'ssh2-part.cjs' },
  outfile: 'dist/ssh2-bundle.cjs',
  external: ['cpu-features'],
  plugins: [ssh2Binding, lazyBuiltins],
});
await build({
  ...commonJs,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/sshpool-bundle.cjs',
  external: ['cpu-features', 'bullmq', 'ioredis'],
  alias: { 'string-width': './node_modules/string-width/index.js' },
  plugins: [ssh2Part, lazyBuiltins],
});
for (const part of ['dist/ssh2-bundle.cjs', 'dist/sshpool-bundle.cjs']) {
  asciiOnly(part);
  appendHashLine(part);
}
await build({ ...commonJs, entryPoints: ['src/cli/launcher.ts'], outfile: 'dist/sshpool.cjs', plugins: [lazyBuiltins] });
