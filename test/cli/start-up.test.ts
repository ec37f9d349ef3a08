import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Argv } from 'yargs';
import { buildParser } from '../../src/cli/cli.js';
import type { CliIo } from '../../src/cli/cli.js';
import { codeCachePath } from '../../src/cli/code-cache.js';
import { xdgDirectory } from '../../src/xdg-directory.js';
import { CLI_MAIN, runCliProcess } from '../helpers/cli-process.js';

const run = promisify(execFile);

/**
 * Loaded before the CLI (node --import): counts the Intl.Segmenters made and lists the Unicode
 * property classes (\p{...}) the bundle compiled (esbuild turns its /.../v literals into
 * `new RegExp` calls), printed on stderr at exit.
 */
const COUNT_SEGMENTERS = `
let made = 0;
const Original = Intl.Segmenter;
Intl.Segmenter = class extends Original { constructor(...args) { super(...args); made += 1; } };
const properties = [];
const OriginalRegExp = RegExp;
globalThis.RegExp = new Proxy(OriginalRegExp, { construct(target, args, newTarget) {
  if (String(args[0]).includes('\\\\p{')) properties.push(...String(args[0]).match(/\\\\p\\{\\w+\\}/g));
  return Reflect.construct(target, args, newTarget);
} });
process.on('exit', () => process.stderr.write('segmenters made: ' + made + '\\nproperty classes: ' + properties.join(' ') + '\\n'));
`;

/** Loaded before the CLI: prints on stderr at exit which of Node's own modules the process loaded. */
const LIST_BUILTINS = `process.on('exit', () => process.stderr.write('builtins: ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + '\\n'));`;

describe('start-up: what the binary loads and caches (the real bundle)', function () {
  this.timeout(60_000);
  let dir: string;
  let preload: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sshpool-start-up-'));
    preload = path.join(dir, 'count-segmenters.mjs');
    await writeFile(preload, COUNT_SEGMENTERS);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const env = (cacheHome: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: cacheHome, XDG_CONFIG_HOME: dir });

  it('--version loads no ssh2 (NODE_DEBUG=module lists every CommonJS load)', async () => {
    const { stdout, stderr } = await run(process.execPath, [CLI_MAIN, '--version'], { env: { ...env(path.join(dir, 'cache-debug')), NODE_DEBUG: 'module' } });
    expect(stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
    // The probe sees CommonJS loads: the bundle itself is one, so an empty list would mean a broken probe.
    expect(stderr).to.include('sshpool-bundle.cjs');
    expect(stderr).not.to.match(/ssh2/);
  });

  it("loads none of Node's child_process, crypto, dns, readline, tty, assert, zlib or perf_hooks until they are used (a run that needs no ssh2 either): the bundle imports stand-ins", async () => {
    const lister = path.join(dir, 'list-builtins.cjs');
    await writeFile(lister, LIST_BUILTINS);
    const builtins = async (args: string[]): Promise<string[]> => {
      // From a directory with no package.json above it: yargs looked for one from there (patches/yargs+…).
      const { stderr } = await run(process.execPath, ['--require', lister, CLI_MAIN, ...args], { cwd: dir, env: env(path.join(dir, 'cache-builtins')) }).catch((error: { stderr: string }) => error);
      return /^builtins: (.*)$/m.exec(stderr)![1]!.split(' ');
    };
    const version = await builtins(['--version']);
    // The probe lists what was loaded: the bundle's own requirements are there.
    expect(version).to.include.members(['fs', 'net', 'vm']);
    for (const name of ['child_process', 'crypto', 'readline', 'tty', 'assert']) expect(version, name).to.not.include(name);
    const refused = await builtins(['run', '-i', '127.0.0.1:1,', '--', 'true']);
    for (const name of ['child_process', 'crypto', 'readline', 'tty', 'assert']) expect(refused, name).to.not.include(name);
    // Used, a stand-in loads its module: an inventory script is run through child_process.
    const script = path.join(dir, 'inventory.sh');
    await writeFile(script, '#!/bin/sh\necho \'{"all": {"hosts": ["h1"]}}\'\n', { mode: 0o755 });
    expect(await builtins(['inventory', '-i', script, '--list'])).to.include('child_process');
    // A key to read loads ssh2, and with it crypto; not zlib (loaded by a compressed connection only,
    // patches/ssh2+…+014), dns (the stand-in: sshpool connects the socket itself) or perf_hooks (the
    // global `performance`'s modules: the pool times its tasks with process.hrtime).
    const key = path.join(dir, 'id_ed25519_builtins');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const withSsh2 = await builtins(['run', '-i', '127.0.0.1:1,', '--identity', key, '--', 'true']);
    expect(withSsh2).to.include('crypto');
    for (const name of ['zlib', 'dns', 'perf_hooks']) expect(withSsh2, name).to.not.include(name);
  });

  it('is ASCII, each bundle, so that it is read as latin1 into a one-byte string (and the escaped su prompts still match)', async () => {
    for (const name of ['sshpool-bundle.cjs', 'ssh2-bundle.cjs']) {
      const bytes = await readFile(path.join(path.dirname(CLI_MAIN), name));
      expect(bytes.findIndex((byte) => byte > 0x7f), name).to.equal(-1);
    }
    const bundle = await readFile(path.join(path.dirname(CLI_MAIN), 'sshpool-bundle.cjs'), 'latin1');
    // The regular expression as the bundle has it, escaped: the same prompts as the source's.
    const prompt = new Function(`return ${/var SU_PROMPT = (\/.*\/\w*);/.exec(bundle)?.[1]}`)() as RegExp;
    expect(String(prompt)).to.include('\\u041f');
    for (const text of ['Password: ', 'Пароль: ', 'パスワード：', 'Contraseña:']) expect(prompt.test(text), text).to.equal(true);
  });

  it('--help lays out help text without ICU segmentation for ASCII text, and wide text still measures 2 columns a character', async () => {
    const help = await run(process.execPath, ['--import', preload, CLI_MAIN, '--help'], { env: env(path.join(dir, 'cache-help')) });
    expect(help.stdout).to.include('Commands:');
    expect(help.stderr).to.include('segmenters made: 0');
    // Nor its property classes (loading ICU's emoji data for \p{RGI_Emoji} took ~40 ms); the probe
    // does see the bundle's other property classes (the INI parser's \p{L}, made as an INI
    // inventory is read), so it is not blind.
    expect(help.stderr).not.to.match(/RGI_Emoji|Extended_Pictographic|Spacing_Mark/);
    const ini = path.join(dir, 'hosts.ini');
    await writeFile(ini, '[web]\nh1\n');
    const listed = await run(process.execPath, ['--import', preload, CLI_MAIN, 'inventory', '-i', ini, '--list'], { env: env(path.join(dir, 'cache-help')) });
    expect(listed.stdout).to.include('h1');
    expect(listed.stderr).to.match(/property classes: .*\\p\{L\}/);
    expect(listed.stderr).not.to.match(/RGI_Emoji|Extended_Pictographic|Spacing_Mark/);
    // string-width's patch defers its segmenter, it does not drop it: text that needs one still gets one.
    const probe = `import stringWidth from 'string-width'; process.stdout.write(JSON.stringify([stringWidth('abc'), stringWidth('古い'), stringWidth('👍')]));`;
    const wide = await run(process.execPath, ['--import', preload, '--input-type=module', '-e', probe], { cwd: path.dirname(CLI_MAIN) });
    expect(JSON.parse(wide.stdout)).to.deep.equal([3, 4, 2]);
    expect(wide.stderr).to.include('segmenters made: 1');
  });

  it('keeps one V8 code cache per bundle hash and command in $XDG_CACHE_HOME/sshpool, removes other bundles\' caches, and replaces one V8 rejects', async () => {
    const cacheHome = path.join(dir, 'cache');
    const source = await readFile(path.join(path.dirname(CLI_MAIN), 'sshpool-bundle.cjs'), 'utf8');
    const versionCache = codeCachePath(path.join(cacheHome, 'sshpool'), source, '--version');
    const configCache = codeCachePath(path.join(cacheHome, 'sshpool'), source, 'config');
    expect(path.basename(versionCache)).to.equal(`${/sshpool-bundle-sha256=([0-9a-f]{32})/.exec(source)?.[1]}-${process.version}-other.v8cache`);
    expect(path.basename(configCache)).to.match(/^[0-9a-f]{32}-v\d+\.\d+\.\d+-config\.v8cache$/);

    // What an older bundle left: removed when this one writes its own.
    const stale = path.join(cacheHome, 'sshpool', `${'0'.repeat(32)}-run.v8cache`);
    await mkdir(path.dirname(stale), { recursive: true });
    await writeFile(stale, 'an older bundle');
    const first = await runCliProcess(['--version'], { env: env(cacheHome) });
    expect(first.code).to.equal(0);
    const written = await readFile(versionCache);
    expect(written.length).to.be.greaterThan(1000);
    await runCliProcess(['config'], { env: env(cacheHome) });
    expect((await readdir(path.join(cacheHome, 'sshpool'))).sort()).to.deep.equal([path.basename(configCache), path.basename(versionCache)].sort());

    // A cache V8 accepts is read, not rewritten.
    const again = await runCliProcess(['--version'], { env: env(cacheHome) });
    expect(again.stdout).to.equal(first.stdout);
    expect((await readFile(versionCache)).equals(written)).to.equal(true);

    // A damaged one is rejected by V8: the CLI works the same, and writes a good one.
    await writeFile(versionCache, Buffer.alloc(written.length, 7));
    const damaged = await runCliProcess(['--version'], { env: env(cacheHome) });
    expect(damaged).to.deep.include({ code: 0, stdout: first.stdout, stderr: '' });
    const rewritten = await readFile(versionCache);
    expect(rewritten.equals(Buffer.alloc(written.length, 7))).to.equal(false);
    expect(rewritten.length).to.be.greaterThan(1000);
  });

  it('keeps ssh2, a file of its own, out of the bundle and its cache: ssh2\'s cache is in ssh2-bundle/, made and read only by a run that loads ssh2', async () => {
    const bundleDir = path.dirname(CLI_MAIN);
    const part = await readFile(path.join(bundleDir, 'ssh2-bundle.cjs'), 'utf8');
    expect(part).to.include('ssh-userauth');
    expect(await readFile(path.join(bundleDir, 'sshpool-bundle.cjs'), 'utf8')).not.to.include('ssh-userauth');
    const cacheHome = path.join(dir, 'cache-part');
    const partCache = codeCachePath(path.join(cacheHome, 'sshpool', 'ssh2-bundle'), part, 'run');
    await runCliProcess(['config'], { env: env(cacheHome) });
    expect(await readdir(path.join(cacheHome, 'sshpool'))).to.have.length(1).and.not.include('ssh2-bundle');
    // A key to read loads ssh2 (its key parser), though the host's port is closed.
    const key = path.join(dir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const refused = ['run', '-i', '127.0.0.1:1,', '--identity', key, '--', 'true'];
    expect((await runCliProcess(refused, { env: env(cacheHome) })).stderr).to.match(/^127\.0\.0\.1: \[unreachable\] CONNECT_REFUSED/m);
    const written = await readFile(partCache);
    expect(written.length).to.be.greaterThan(1000);
    // V8 accepts it the next time: not rewritten.
    expect((await runCliProcess(refused, { env: env(cacheHome) })).stderr).to.match(/CONNECT_REFUSED/);
    expect((await readFile(partCache)).equals(written)).to.equal(true);
  });

  it('runs without a cache where none can be written (its directory would be under a file: even root cannot make it)', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    const result = await runCliProcess(['--version'], { env: env(path.join(file, 'cache')) });
    expect(result).to.deep.include({ code: 0, stderr: '' });
    expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });

  it('names the cache after the bundle and Node: another bundle never reads it', () => {
    const directory = '/cache/sshpool';
    expect(codeCachePath(directory, 'one bundle', 'run')).not.to.equal(codeCachePath(directory, 'another bundle', 'run'));
    expect(codeCachePath(directory, 'one bundle', 'run')).not.to.equal(codeCachePath(directory, 'one bundle', 'ping'));
    expect(codeCachePath(directory, 'one bundle', '../run')).to.match(/-other\.v8cache$/);
  });

  it('takes the bundle\'s hash from the last line its build wrote, the SHA-256 of everything before it', async () => {
    const source = await readFile(path.join(path.dirname(CLI_MAIN), 'sshpool-bundle.cjs'), 'utf8');
    const line = /\n\/\/# sshpool-bundle-sha256=([0-9a-f]{64})\n$/.exec(source);
    expect(line, 'the bundle ends with its hash').not.to.equal(null);
    const body = source.slice(0, source.length - (line?.[0].length ?? 0) + 1);
    expect(createHash('sha256').update(body).digest('hex')).to.equal(line?.[1]);
    // Read, not computed: two sources with one hash line share a cache, and a changed hash line is another cache.
    const hashLine = `//# sshpool-bundle-sha256=${'a'.repeat(64)}\n`;
    const directory = '/cache/sshpool';
    expect(codeCachePath(directory, `one;\n${hashLine}`, 'run')).to.equal(codeCachePath(directory, `two;\n${hashLine}`, 'run'));
    expect(codeCachePath(directory, `one;\n${hashLine}`, 'run')).not.to.equal(codeCachePath(directory, `one;\n${hashLine.replace('aaaa', 'bbbb')}`, 'run'));
  });

  it('finds the cache directory as XDG says: $XDG_CACHE_HOME/sshpool, else ~/.cache/sshpool; a relative XDG_CACHE_HOME is ignored', () => {
    expect(xdgDirectory('cache', { XDG_CACHE_HOME: '/x/cache' })).to.equal('/x/cache/sshpool');
    expect(xdgDirectory('cache', { XDG_CACHE_HOME: 'relative' })).to.match(/\/\.cache\/sshpool$/);
    expect(xdgDirectory('cache', { HOME: '/home/u' })).to.equal('/home/u/.cache/sshpool');
  });

  it('finds the state and config directories the same way, and none without an absolute home', () => {
    expect(xdgDirectory('state', { XDG_STATE_HOME: '/x/state' })).to.equal('/x/state/sshpool');
    expect(xdgDirectory('state', { XDG_STATE_HOME: 'relative', HOME: '/home/u' })).to.equal('/home/u/.local/state/sshpool');
    expect(xdgDirectory('config', { XDG_CONFIG_HOME: 'relative', HOME: '/home/u' })).to.equal('/home/u/.config/sshpool');
    expect(xdgDirectory('config', {}, 'relative-home')).to.equal(undefined);
  });
});

describe('the run path lays out no help text', () => {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, setExitCode: () => undefined };
  type Internals = { getInternalMethods(): { getUsageInstance(): { hasCachedHelpMessage(): boolean } } };
  const helpCached = (parser: Argv): boolean => (parser as unknown as Internals).getInternalMethods().getUsageInstance().hasCachedHelpMessage();

  it('a command handler runs without yargs rendering and caching the help (which it does by default)', async () => {
    const out: string[] = [];
    const parser = buildParser(['config', '--json'], { ...io, stdout: { write: (text: string) => out.push(text) } as unknown as CliIo['stdout'] });
    await parser.parseAsync();
    expect(JSON.parse(out.join(''))).to.have.property('forks');
    expect(helpCached(parser)).to.equal(false);
  });
});
