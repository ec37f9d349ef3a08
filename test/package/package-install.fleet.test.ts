import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** npm's codes for a registry it cannot reach, or a cache that lacks a package (offline): then there is nothing to test here. */
const UNREACHABLE = /\b(ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/;
/** Appended to the staged ssh2, as a patch of patches/ is applied to the repo's: the installed package must carry it. */
const TEST_PATCH = "\nmodule.exports.SSHPOOL_TEST_PATCH = 'carried';\n";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function succeeded(what: string, outcome: Outcome): Outcome {
  if (outcome.code !== 0) throw new Error(`${what} failed (${outcome.code}): ${outcome.stderr}${outcome.stdout}`);
  return outcome;
}

/** A package and the packages it depends on, as node_modules holds them (what npm bundles with it). */
async function dependencyClosure(name: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(name)) return seen;
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8').catch(() => 'null')) as Record<string, Record<string, string>> | null;
  if (!manifest) return seen; // an optional dependency not installed here
  seen.add(name);
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) await dependencyClosure(dependency, seen);
  return seen;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
}

describe('the npm package: npm pack, then npm install into an empty folder, then the installed sshpool against a real sshd fleet', function () {
  this.timeout(60_000);
  let scratch: string;
  let consumer: string;
  let fleet: Fleet;
  let env: NodeJS.ProcessEnv;
  let skipped: string | undefined;

  before(async function () {
    this.timeout(240_000);
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-package-'));
    // dist/ as `npm run build` (the package's prepare) makes it; the scripts are not run by pack here,
    // so that nothing writes to the node_modules this checkout shares.
    succeeded('tsc -p tsconfig.build.json', await exec(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT }));
    succeeded('npm run bundle', await exec('npm', ['run', 'bundle'], { cwd: ROOT }));
    // The checkout as npm pack reads it, with a test patch in its ssh2 (the one bundled dependency).
    const staged = path.join(scratch, 'staged');
    await mkdir(path.join(staged, 'node_modules'), { recursive: true });
    for (const file of ['package.json', 'README.md', 'bin', 'dist']) await cp(path.join(ROOT, file), path.join(staged, file), { recursive: true, dereference: true });
    for (const name of await dependencyClosure('ssh2')) await cp(path.join(ROOT, 'node_modules', name), path.join(staged, 'node_modules', name), { recursive: true, dereference: true });
    await appendFile(path.join(staged, 'node_modules/ssh2/lib/index.js'), TEST_PATCH);
    const packed = succeeded('npm pack', await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: staged }));
    const tarball = path.join(scratch, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);

    consumer = path.join(scratch, 'consumer');
    await mkdir(consumer);
    const install = await exec('npm', ['install', '--prefer-offline', '--no-package-lock', '--no-audit', '--no-fund', tarball], { cwd: consumer, timeoutMs: 180_000 });
    if (install.code !== 0 && UNREACHABLE.test(install.stderr)) {
      skipped = `npm cannot install the dependencies here (${UNREACHABLE.exec(install.stderr)![1]}): the package test needs the npm registry or a filled cache`;
      return;
    }
    succeeded('npm install ./sshpool-*.tgz', install);
    env = { PATH: `${path.join(consumer, 'node_modules/.bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: scratch, SSH_AUTH_SOCK: '' };
    fleet = await Fleet.start({ hosts: 2 });
  });
  beforeEach(function () {
    if (skipped !== undefined) {
      console.log(`      skipped: ${skipped}`);
      this.skip();
    }
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('installs with no install script of its own (patch-package is a devDependency consumers never get)', async () => {
    const manifest = JSON.parse(await readFile(path.join(consumer, 'node_modules/sshpool/package.json'), 'utf8')) as { scripts?: Record<string, string> };
    expect(Object.keys(manifest.scripts ?? {})).to.not.include.members(['preinstall', 'install', 'postinstall']);
  });

  it('npx sshpool --help works, and each command has its help with examples', async () => {
    const help = succeeded('npx sshpool --help', await exec('npx', ['--no-install', 'sshpool', '--help'], { cwd: consumer, env: { ...env, npm_config_cache: path.join(scratch, 'npx-cache') } }));
    for (const command of ['run', 'ping', 'shell', 'inventory', 'config', 'completion']) expect(help.stdout).to.match(new RegExp(`sshpool ${command}\\b`));
    const run = succeeded('sshpool run --help', await exec('sshpool', ['run', '--help'], { cwd: consumer, env }));
    expect(run.stdout).to.include('Examples:').and.include('sshpool run -i hosts.yaml -- uptime');
  });

  it('runs a command on the fleet from there, with the native binding of the package\'s own ssh2 (the bundle finds it through the package)', async () => {
    const args = ['run', '-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '--', 'echo from-package'];
    const outcome = await exec('sshpool', args, { cwd: consumer, env: { ...env, NODE_DEBUG: 'module' } });
    expect(outcome.code, outcome.stderr).to.equal(0);
    expect(outcome.stdout.split('\n').sort()).to.deep.equal(['', 'h01: from-package', 'h02: from-package']);
    const binding = path.join(await realpath(path.join(consumer, 'node_modules/sshpool/node_modules/ssh2')), 'lib/protocol/crypto/build/Release/sshcrypto.node');
    expect(outcome.stderr).to.include(`load "${binding}"`);
  });

  it("carries the checkout's ssh2, patches and all, to both the CLI and the library", async () => {
    const installed = path.join(consumer, 'node_modules/sshpool/node_modules/ssh2');
    // Which ssh2 the CLI bundle and the library load: the one inside the package, with the test patch in it.
    const probe = `import { createRequire } from 'node:module';
      import * as library from 'sshpool';
      const require = createRequire(import.meta.resolve('sshpool'));
      console.log(JSON.stringify({ from: require.resolve('ssh2'), patch: require('ssh2').SSHPOOL_TEST_PATCH, pool: typeof library.HostPool }));`;
    const loaded = JSON.parse(succeeded('the library', await exec(process.execPath, ['--input-type=module', '-e', probe], { cwd: consumer, env })).stdout) as Record<string, string>;
    expect(loaded).to.deep.equal({ from: path.join(await realpath(installed), 'lib/index.js'), patch: 'carried', pool: 'function' });
    // Every other source file of its lib/ is this checkout's, so a patch from patches/ applied here is applied there
    // (the native binding's build files are remade by ssh2's install script on the consumer's machine).
    const source = path.join(ROOT, 'node_modules/ssh2/lib');
    const files = (await filesUnder(source)).filter((name) => name.endsWith('.js'));
    expect((await filesUnder(path.join(installed, 'lib'))).filter((name) => name.endsWith('.js'))).to.deep.equal(files);
    for (const file of files.filter((name) => name !== 'index.js')) {
      expect((await readFile(path.join(installed, 'lib', file))).equals(await readFile(path.join(source, file))), file).to.equal(true);
    }
  });
});
