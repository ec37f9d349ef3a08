import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';

/**
 * Loaded before the CLI: logs each V8 flag the process sets, with whether a host's line was already
 * written, and the code cache writes at exit (a cache file renamed into place), in order, on stderr.
 */
const LOG_FLAGS = `
const v8 = require('node:v8');
const fs = require('node:fs');
let printed = false;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => { if (/^h01: /m.test(String(chunk))) printed = true; return write(chunk, ...rest); };
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flag) => { process._rawDebug('flag ' + flag + (printed ? ' after the host' : ' before the host')); return setFlags(flag); };
const rename = fs.renameSync;
fs.renameSync = (from, to) => { if (String(to).endsWith('.v8cache')) process._rawDebug('cache written'); return rename(from, to); };
`;

/** Loaded before the CLI: says at exit whether promise hooks are on (a fresh promise then carries Node's async-id symbols). */
const REPORT_PROMISE_HOOKS = `
process.on('exit', () => process._rawDebug('promise hooks ' + (Object.getOwnPropertySymbols(Promise.resolve()).length > 0 ? 'on' : 'off')));
`;

describe('V8 flags: none before a run is under way, V8\'s defaults again before the code caches are written; promise hooks never on (the real binary, a real sshd)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let preload: string;
  let promiseHooksPreload: string;

  before(async () => {
    fleet = await Fleet.start({ hosts: 3 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-v8-flags-'));
    preload = path.join(scratch, 'log-flags.cjs');
    promiseHooksPreload = path.join(scratch, 'report-promise-hooks.cjs');
    await Promise.all([writeFile(preload, LOG_FLAGS), writeFile(promiseHooksPreload, REPORT_PROMISE_HOOKS)]);
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const events = (stderr: string): string[] => stderr.split('\n').filter((line) => /^(flag|cache written)/.test(line));
  const env = (cacheHome: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: scratch, XDG_CACHE_HOME: cacheHome, SSH_AUTH_SOCK: '', NODE_OPTIONS: `--require "${preload}"` });
  const runArgs = (command = 'echo ran', hosts = 'h01'): string[] => ['run', '-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '-l', hosts, '-f', '2', '--', command];
  /** Each cache file under the directory, with its modification time. */
  async function cacheFiles(directory: string): Promise<Record<string, number>> {
    const names = (await readdir(directory, { recursive: true })).filter((name) => name.endsWith('.v8cache')).sort();
    return Object.fromEntries(await Promise.all(names.map(async (name) => [name, (await stat(path.join(directory, name))).mtimeMs] as const)));
  }

  it('--version sets none; a run bounds the heap growth once its host is done, and puts the default back before writing its caches, which the next run then reads', async () => {
    const cacheHome = path.join(scratch, 'cache');
    const version = await runCliProcess(['--version'], { env: env(cacheHome) });
    expect(events(version.stderr)).to.deep.equal(['cache written']);

    const first = await runCliProcess(runArgs(), { env: env(cacheHome) });
    expect(first.stdout).to.equal('h01: ran\n');
    // The bundle's and ssh2's caches, both new for `run`.
    expect(events(first.stderr)).to.deep.equal(['flag --heap-growing-percent=50 after the host', 'flag --no-opt after the host', 'flag --heap-growing-percent=0 after the host', 'flag --opt after the host', 'cache written', 'cache written']);
    const written = await cacheFiles(path.join(cacheHome, 'sshpool'));
    expect(Object.keys(written)).to.have.length(3);

    // Under V8's default flags at the write, as at the next start: accepted, not written again.
    const second = await runCliProcess(runArgs(), { env: env(cacheHome) });
    expect(second.stdout).to.equal('h01: ran\n');
    expect(events(second.stderr)).to.deep.equal(['flag --heap-growing-percent=50 after the host', 'flag --no-opt after the host', 'flag --heap-growing-percent=0 after the host', 'flag --opt after the host']);
    expect(await cacheFiles(path.join(cacheHome, 'sshpool'))).to.deep.equal(written);
  });

  it('a run whose host prints in bulk (here 300 KB) before it is done keeps the optimising compiler', async () => {
    const bulk = await runCliProcess(runArgs('head -c 300000 /dev/zero | tr -c x x'), { env: env(path.join(scratch, 'bulk-cache')) });
    // Text output cuts a line that long into pieces, each with the host's prefix.
    expect(bulk.stdout.replace(/^h01: /gm, '').replaceAll('\n', '')).to.equal('x'.repeat(300_000));
    expect(events(bulk.stderr).filter((event) => event.startsWith('flag'))).to.deep.equal(['flag --heap-growing-percent=50 after the host', 'flag --heap-growing-percent=0 after the host']);
  });

  it('a run leaves Node\'s promise hooks off, which every promise and callback would pay for: 3 hosts on 2 forks, the third started as one ends', async () => {
    const result = await runCliProcess(runArgs('echo ran', 'all'), { env: { ...env(path.join(scratch, 'hooks-cache')), NODE_OPTIONS: `--require "${promiseHooksPreload}"` } });
    expect(result.stdout.split('\n').filter(Boolean).sort(), result.stderr).to.deep.equal(['h01: ran', 'h02: ran', 'h03: ran']);
    expect(result.stderr).to.match(/^promise hooks off$/m);
  });
});
