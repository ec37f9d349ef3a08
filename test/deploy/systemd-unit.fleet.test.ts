import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CLI_MAIN } from '../helpers/cli-process.js';
import { fleetCli } from '../helpers/fleet-cli.js';
import { eventually } from '../helpers/processes.js';
import { RedisServer, skipWithoutRedisServer } from '../helpers/redis-server.js';

const exec = promisify(execFile);
const UNIT = fileURLToPath(new URL('../../../deploy/systemd/sshpool-worker.service', import.meta.url));

/** A unit file's `[Service]` (or other section) entries, in order; systemd's own syntax, no continuation lines used. */
function section(unit: string, name: string): [string, string][] {
  const entries: [string, string][] = [];
  let current = '';
  for (const line of unit.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) current = header[1] as string;
    else if (current === name && /^[A-Za-z]+=/.test(line)) entries.push([line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  }
  return entries;
}

const value = (entries: readonly [string, string][], key: string): string => {
  const found = entries.find(([name]) => name === key);
  if (!found) throw new Error(`the unit has no ${key}=`);
  return found[1];
};

/**
 * deploy/systemd/sshpool-worker.service, checked by systemd's own verifier where it is installed and
 * run as systemd would run it: its ExecStart argv, its Environment= and an EnvironmentFile, then its
 * KillSignal while a host's command runs, against a real redis-server and the sshd fleet.
 */
describe('the systemd unit for workers (deploy/systemd/sshpool-worker.service), run as systemd runs it', function () {
  this.timeout(60_000);
  const cli = fleetCli(2, 'sshpool-unit-');
  let redis: RedisServer | undefined;

  before(async function () {
    await skipWithoutRedisServer(this);
    redis = await RedisServer.start({ password: 'unit-test-password' });
  });
  after(async () => {
    await redis?.stop();
  });

  it('passes systemd-analyze verify with no warning', async function () {
    const found = await exec('systemd-analyze', ['--version']).then(() => true, () => false);
    if (!found) {
      console.log('      skipped: systemd-analyze is not installed here (Debian: systemd)');
      this.skip();
    }
    const { stderr } = await exec('systemd-analyze', ['verify', UNIT]);
    expect(stderr).to.equal('');
  });

  it('its ExecStart, Environment and EnvironmentFile serve a run through Redis; its KillSignal lets the running host finish and exits 0', async () => {
    const service = section(await readFile(UNIT, 'utf8'), 'Service');
    const argv = value(service, 'ExecStart').split(' ');
    expect(argv.slice(0, 3)).to.deep.equal(['/usr/bin/env', 'sshpool', 'worker'], 'the test puts the checkout\'s binary first on PATH as `sshpool`');
    expect(value(service, 'User')).to.equal('sshpool');
    // What systemd gives the process: PATH with the binary, HOME, the Environment= lines, the EnvironmentFile's.
    const bin = path.join(cli.scratch, 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(CLI_MAIN, path.join(bin, 'sshpool'));
    await chmod(CLI_MAIN, 0o755);
    const cacheRoot = path.join(cli.scratch, 'var-cache');
    const environment = Object.fromEntries(service.filter(([key]) => key === 'Environment').map(([, entry]) => entry.split('=') as [string, string]));
    expect(environment).to.deep.equal({ XDG_CACHE_HOME: '/var/cache' });
    const envFile = [
      `SSHPOOL_REDIS=${redis!.url}`,
      `SSHPOOL_IDENTITY=${cli.fleet.userKeyPath}`,
      `SSHPOOL_KNOWN_HOSTS=${cli.fleet.knownHostsPath}`,
      'SSHPOOL_SSH_CONFIG=/dev/null',
      'SSHPOOL_AGENT=off',
      'SSHPOOL_FORKS=4',
    ];
    expect(value(service, 'EnvironmentFile')).to.equal('/etc/sshpool/worker.env');
    const env = {
      PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: cli.scratch,
      ...environment,
      XDG_CACHE_HOME: cacheRoot, // CacheDirectory=sshpool under it, made by systemd: the test's stand-in for /var/cache
      ...Object.fromEntries(envFile.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])),
    };
    await mkdir(path.join(cacheRoot, value(service, 'CacheDirectory')), { recursive: true });
    const [file, ...args] = argv as [string, ...string[]];
    const worker = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    worker.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      expect(await eventually(async () => /taking .* from/.test(log) || worker.exitCode !== null, 20_000), log).to.equal(true);
      expect(log, 'the password is never logged').to.not.include('unit-test-password');

      const inventory = await cli.inventory('unit', cli.fleetHosts);
      const marker = `unit-${process.pid}-${Date.now()}`;
      const controller = spawn(process.execPath, [CLI_MAIN, 'run', '-i', inventory, '-o', 'json', '--', `: ${marker}; sleep 2; echo served`], {
        env: { ...process.env, SSH_AUTH_SOCK: '', SSHPOOL_REDIS: redis!.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // Listened for now: it may exit while the test still waits for the worker.
      const controllerExit = once(controller, 'exit');
      let stdout = '';
      let controllerLog = '';
      controller.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      controller.stderr.on('data', (chunk: Buffer) => (controllerLog += chunk.toString()));
      // KillSignal once both hosts' commands run on the worker.
      expect(await eventually(async () => (await commandsWith(marker)) >= 2, 20_000), `${log}\n${controllerLog}`).to.equal(true);
      const stopped = once(worker, 'exit');
      worker.kill(value(service, 'KillSignal') as NodeJS.Signals);
      const [code] = (await stopped) as [number | null];
      expect(code, log).to.equal(0);
      const [controllerCode] = (await controllerExit) as [number | null];
      expect(controllerCode, controllerLog).to.equal(0);
      const records = JSON.parse(stdout) as { host: string; status: string; stdout: string }[];
      expect(records.map((record) => [record.host, record.status, record.stdout])).to.deep.equal(
        Object.keys(cli.fleetHosts).map((host) => [host, 'ok', 'served\n']),
      );
      expect(Number(value(service, 'TimeoutStopSec'))).to.be.at.least(60);
    } finally {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    }
  });
});

/** How many processes have `marker` in their command line: the hosts' shells, under the fleet's sshd. */
async function commandsWith(marker: string): Promise<number> {
  const { stdout } = await exec('pgrep', ['-f', `c : ${marker}`]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).length;
}
