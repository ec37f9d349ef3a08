import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { xdgDirectory } from '../xdg-directory.js';

/**
 * Node 20 parses and compiles the CLI bundle (~1 MB) anew on every start, and has no
 * module.enableCompileCache. A CommonJS bundle run through vm.Script can be given V8's
 * code cache of an earlier run instead (ES modules cannot without a flag). One cache file
 * per bundle hash and per command, written after the run (so it holds the functions that
 * command compiled), in the user's cache directory; anything wrong with it only costs the
 * compile it would have saved.
 */

/** The last line `npm run bundle` writes (scripts/bundle.mjs): the SHA-256 of what comes before it. */
const HASH_LINE = /\n\/\/# sshpool-bundle-sha256=([0-9a-f]{64})\n$/;

/** The bundle's hash as its build wrote it, which saves hashing ~2 MB (and loading node:crypto) on every start; else computed. */
function bundleHash(source: string): string {
  return HASH_LINE.exec(source.slice(-100))?.[1] ?? createHash('sha256').update(source).digest('hex');
}

/**
 * The cache file of `source` for `command`: named after the bundle's hash, so a rebuilt bundle never
 * reads an old cache, and after Node's version, whose V8 would reject another's.
 */
export function codeCachePath(directory: string, source: string, command: string): string {
  return join(directory, `${bundleHash(source).slice(0, 32)}-${process.version}-${/^[a-z]+$/.test(command) ? command : 'other'}.v8cache`);
}

/** The module wrapper Node gives a CommonJS file, so the bundle sees the same five names. */
function wrapped(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

function readCache(path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Written whole or not at all (a rename), so a concurrent start never reads half a
 * cache; the caches of other bundles (an older sshpool) are removed, so the directory
 * holds one bundle's few files however often sshpool is upgraded.
 */
function writeCache(path: string, data: Buffer): void {
  const directory = dirname(path);
  const bundleHash = basename(path).split('-')[0] as string;
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, data, { mode: 0o600 });
    renameSync(partial, path);
    for (const name of readdirSync(directory)) {
      if (name.endsWith('.v8cache') && !name.startsWith(`${bundleHash}-`)) rmSync(join(directory, name), { force: true });
    }
  } catch {
    // A read-only or missing home: the next start compiles again.
  }
}

/**
 * Runs the CommonJS bundle at `bundlePath` as Node would, compiled from the code
 * cache of the last run of the same command when there is a valid one; a cache that
 * is missing or that V8 rejects is written anew when the process exits.
 */
export function runBundle(bundlePath: string, command: string, env: NodeJS.ProcessEnv = process.env): void {
  // `$XDG_CACHE_HOME/sshpool`, else `~/.cache/sshpool`, as other command-line tools keep theirs.
  runCommonJs(bundlePath, xdgDirectory('cache', env), command);
}

/**
 * The exports of a part of the CLI that `npm run bundle` keeps in a file of its own (ssh2), run
 * the same way when the bundle first requires it. Its V8 cache, in a directory of its own, is read
 * only then: V8 deserialises a whole cache at once, so a part that is not in the bundle's costs
 * nothing before it is needed (the early TCP connects go out before ssh2 is loaded).
 */
export function requireBundlePart(partPath: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const directory = xdgDirectory('cache', env);
  return runCommonJs(partPath, directory === undefined ? undefined : join(directory, basename(partPath, '.cjs')), process.argv[2] ?? '');
}

function runCommonJs(path: string, cacheDirectory: string | undefined, command: string): unknown {
  // The build writes the bundles in ASCII (scripts/bundle.mjs), for which latin1 is the same text without UTF-8's decoding.
  const source = readFileSync(path, 'latin1');
  const cachePath = cacheDirectory === undefined ? undefined : codeCachePath(cacheDirectory, source, command);
  const cachedData = readCache(cachePath);
  const script = new Script(wrapped(source), { filename: path, ...(cachedData ? { cachedData } : {}) });
  if (cachePath !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => writeCache(cachePath, script.createCachedData()));
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  run(module.exports, createRequire(path), module, path, dirname(path));
  return module.exports;
}
