import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisHosts } from '../../src/queue/redis-hosts.js';
import type { HostResult } from '../../src/run/host-result.js';
import { streamFiles } from '../../src/run/host-run.js';
import { copyTask } from '../../src/tasks/index.js';
import { closedPort } from '../fleet/index.js';
import { CLI_MAIN, cliCommand, runCliProcess } from '../helpers/cli-process.js';
import type { CliProcessResult } from '../helpers/cli-process.js';
import { fleetCli } from '../helpers/fleet-cli.js';
import { inventoryHostsFor } from '../helpers/fleet-hosts.js';
import { eventually } from '../helpers/processes.js';
import { RedisServer, skipWithoutRedisServer } from '../helpers/redis-server.js';

const exec = promisify(execFile);

/** The processes whose command line holds `marker` (a string only this test's commands contain). */
async function pidsOf(marker: string): Promise<number[]> {
  const { stdout } = await exec('pgrep', ['-f', marker]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number).filter((pid) => pid !== process.pid);
}

/** A `sshpool worker` process of the real bundle, its stderr kept. */
interface WorkerProcess {
  child: ChildProcess;
  log(): string;
}

describe('workers through Redis and BullMQ: sshpool worker processes (the real bundle), a real redis-server, the sshd fleet', function () {
  this.timeout(60_000);
  const cli = fleetCli(4, 'sshpool-queue-');
  let redis: RedisServer | undefined;
  const workers: WorkerProcess[] = [];
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, SSH_AUTH_SOCK: '' });

  before(async function () {
    await skipWithoutRedisServer(this);
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stopWorker));
  });

  const url = (): string => redis!.url;
  /** The fleet's key and known_hosts, no ssh_config: this worker's own; `extra` adds flags, or replaces those. */
  async function startWorker(extra: string[] = [], workerEnv: NodeJS.ProcessEnv = env()): Promise<WorkerProcess> {
    const defaults = { '--identity': cli.fleet.userKeyPath, '--known-hosts': cli.fleet.knownHostsPath, '-F': '/dev/null' };
    const args = [CLI_MAIN, 'worker', '--no-agent', ...Object.entries(defaults).flatMap(([flag, value]) => (extra.includes(flag) ? [] : [flag, value])), ...extra];
    if (!extra.includes('--redis') && workerEnv.SSHPOOL_REDIS === undefined) args.push('--redis', url());
    const child = spawn(process.execPath, args, { env: workerEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const worker = { child, log: () => log };
    workers.push(worker);
    expect(await eventually(async () => /taking .* from/.test(log) || child.exitCode !== null, 20_000), log).to.equal(true);
    expect(child.exitCode, log).to.equal(null);
    return worker;
  }
  async function stopWorker(worker: WorkerProcess): Promise<void> {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
    const exited = new Promise((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGTERM');
    await exited;
  }
  /** The controller, with no SSH settings of its own: the workers reach the hosts. */
  function controller(args: string[], onSpawn?: (child: ChildProcess) => void, controllerEnv: NodeJS.ProcessEnv = env()): Promise<CliProcessResult> {
    return runCliProcess(args, { env: controllerEnv, ...(onSpawn ? { onSpawn } : {}) });
  }
  /** A directory the fleet's login user can write to, for what the remote side did. */
  async function sharedDir(name: string): Promise<string> {
    const dir = path.join(cli.scratch, name);
    await mkdir(dir, { recursive: true });
    await chmod(cli.scratch, 0o711);
    await chmod(dir, 0o777);
    return dir;
  }
  const records = (stdout: string): HostResult[] => JSON.parse(stdout) as HostResult[];
  const brief = (results: HostResult[]) => results.map((result) => [result.host, result.status, result.exitCode, result.stdout, result.stderr, result.error?.code ?? null]);

  it('two workers: the same records as a local run, in submission order, and the same exit code (5)', async () => {
    await startWorker(['-f', '2']);
    await startWorker(['-f', '2']);
    const file = await cli.inventory('same', cli.fleetHosts);
    const command = ['--', 'echo "out $(whoami)"; echo err >&2; [ "$(hostname)" != x ] && exit 3'];
    const local = await cli.sshpool(['run', ...cli.base(file), ...command]);
    const remote = await controller(['run', '-i', file, '--redis', url(), '-o', 'json', '-f', '4', ...command]);
    expect(remote.code, remote.stderr).to.equal(5);
    expect(local.code).to.equal(5);
    expect(brief(records(remote.stdout))).to.deep.equal(brief(records(local.stdout)));
    expect(records(remote.stdout).map((result) => result.host)).to.deep.equal(['h01', 'h02', 'h03', 'h04']);
    expect(remote.stderr).to.match(/sshpool: run [0-9a-f]{16} through Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(should this controller stop, --attach [0-9a-f]{16}/);
  });

  it('text mode streams each line as it comes (host-prefixed, stderr apart), capped at --max-output as the record is; --results keeps the run id', async () => {
    await startWorker();
    const dir = await sharedDir('streaming');
    const file = await cli.inventory('streaming', { h01: cli.fleetHosts.h01! });
    const results = path.join(cli.scratch, 'streaming.json');
    let firstSeenBeforeSecond: boolean | undefined;
    const run = await controller(
      ['run', '-i', file, '--redis', url(), '--max-output', '1K', '--results', results, '--', `echo first; sleep 1; touch ${dir}/second; echo second; head -c 5000 /dev/zero | tr '\\0' a; echo oops >&2`],
      (child) =>
        child.stdout?.on('data', (chunk: Buffer) => {
          if (firstSeenBeforeSecond === undefined && chunk.toString().includes('h01: first')) {
            void readFile(`${dir}/second`).then(
              () => (firstSeenBeforeSecond = false),
              () => (firstSeenBeforeSecond = true),
            );
          }
        }),
    );
    expect(run.code, run.stderr).to.equal(0);
    expect(firstSeenBeforeSecond, 'the first line arrived while the command was still running').to.equal(true);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 2)).to.deep.equal(['h01: first', 'h01: second']);
    // 1024 bytes kept per stream: "first\nsecond\n" and 1011 of the 5000 a's.
    expect(run.stdout.split('a').length - 1).to.equal(1024 - 'first\nsecond\n'.length);
    expect(run.stderr).to.include('h01: oops');
    const document = JSON.parse(await readFile(results, 'utf8')) as { runId: string; results: HostResult[] };
    expect(document.runId).to.equal(/run ([0-9a-f]{16}) through Redis/.exec(run.stderr)![1]);
    expect(document.results[0]!.truncated.stdout).to.equal(true);
  });

  it('ndjson: one record per line as hosts finish, through a worker serving -f 1', async () => {
    await startWorker(['-f', '1']);
    const file = await cli.inventory('ndjson', { h01: cli.fleetHosts.h01!, h02: cli.fleetHosts.h02! });
    const run = await controller(['run', '-i', file, '--redis', url(), '-o', 'ndjson', '--', 'echo hi']);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as HostResult);
    expect(lines.map((result) => [result.host, result.stdout])).to.have.deep.members([
      ['h01', 'hi\n'],
      ['h02', 'hi\n'],
    ]);
  });

  it('tags: a host with sshpool_worker_tag goes only to workers of that --tag; untagged hosts to the workers without one', async () => {
    // The untagged worker has no key the fleet accepts: which worker ran a host shows in its record.
    await startWorker(['--identity', path.join(cli.scratch, 'no-such-key')]);
    await startWorker(['--tag', 'dc2']);
    const file = await cli.inventory('tags', { h01: { ...cli.fleetHosts.h01!, sshpool_worker_tag: 'dc2' }, h02: cli.fleetHosts.h02! });
    const run = await controller(['run', '-i', file, '--redis', url(), '-o', 'json', '--', 'echo tagged']);
    expect(run.code, run.stderr).to.equal(4);
    expect(brief(records(run.stdout)).map(([host, status]) => [host, status])).to.deep.equal([
      ['h01', 'ok'],
      ['h02', 'unreachable'],
    ]);
  });

  it('payloads carry no secrets: --ask-pass, --ask-become-pass, an inventory password and a Redis password on argv are refused (exit 2), nothing queued', async () => {
    const file = await cli.inventory('secrets', { h01: cli.fleetHosts.h01! });
    for (const flag of ['--ask-pass', '--ask-become-pass']) {
      const run = await controller(['run', '-i', file, '--redis', url(), flag, '--', 'true']);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.include('cannot be used with --redis: task payloads carry no secrets');
    }
    const withPassword = await cli.inventory('password', { h01: { ...cli.fleetHosts.h01!, ansible_password: 'hunter2' } });
    const inventoryPassword = await controller(['run', '-i', withPassword, '--redis', url(), '--', 'true']);
    expect(inventoryPassword.code, inventoryPassword.stderr).to.equal(2);
    expect(inventoryPassword.stderr).to.include("host 'h01': ansible_password (or its other names) cannot be sent to workers through --redis");
    expect(inventoryPassword.stderr).to.not.include('hunter2');
    const onArgv = await controller(['run', '-i', file, '--redis', 'redis://:hunter2@127.0.0.1:1', '--', 'true']);
    expect(onArgv.code).to.equal(2);
    expect(onArgv.stderr).to.include('a password on the command line is shown to every local user');
    expect(onArgv.stderr).to.not.include('hunter2');
  });

  it("the SSH side is the workers': a controller's --identity, -J or --known-hosts with --redis is refused (exit 2), naming the flag", async () => {
    const file = await cli.inventory('ssh-side', { h01: cli.fleetHosts.h01! });
    for (const [flag, value] of [['--identity', cli.fleet.userKeyPath], ['-J', 'bastion'], ['--known-hosts', cli.fleet.knownHostsPath]] as const) {
      const run = await controller(['run', '-i', file, '--redis', url(), flag, value, '--', 'true']);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(/sshpool: --(identity|jump|known-hosts) with --redis: keys, agent, known_hosts, ssh_config, jumps and connect timeouts are each worker's own/);
    }
  });

  it('Redis unreachable at start: a clear error naming it, exit 1, before anything is queued', async () => {
    const port = await closedPort();
    const file = await cli.inventory('unreachable', { h01: cli.fleetHosts.h01! });
    const run = await controller(['run', '-i', file, '--redis', `redis://127.0.0.1:${port}`, '--', 'true']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(new RegExp(`sshpool: Redis at redis://127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED.* \\[REDIS_UNAVAILABLE\\]`));
    expect(run.stdout).to.equal('');
  });

  it('Ctrl-C on the controller: the running host killed on the worker (ABORTED), the queued one removed and the rest skipped, every host recorded, exit 3', async () => {
    await startWorker(['-f', '1']);
    const marker = `sshpool-queue-interrupt-${process.pid}`;
    const dir = await sharedDir('interrupt');
    const file = await cli.inventory('interrupt', cli.fleetHosts);
    const run = await controller(['run', '-i', file, '--redis', url(), '-o', 'json', '-f', '2', '--vars', '--', `touch ${dir}/{{ inventory_hostname }}; exec sleep 30 # ${marker}`], (child) => {
      // h01 runs on the worker (it takes one host at a time), h02 waits in Redis behind it.
      void eventually(async () => (await readFile(`${dir}/h01`).then(() => true, () => false)), 20_000).then(() => child.kill('SIGINT'));
    });
    expect(run.code, run.stderr + run.stdout).to.equal(3);
    const results = records(run.stdout);
    expect(results.map((result) => [result.host, result.status, result.error?.code]), JSON.stringify(results.map((r) => r.error))).to.deep.equal([
      ['h01', 'failed', 'ABORTED'],
      ['h02', 'skipped', 'ABORTED'],
      ['h03', 'skipped', 'SKIPPED'],
      ['h04', 'skipped', 'SKIPPED'],
    ]);
    expect(await eventually(async () => (await pidsOf(marker)).length === 0, 5_000), 'the remote sleep is gone').to.equal(true);
  });

  it('a worker SIGKILLed mid-command: the host is WORKER_LOST (unreachable, exit 4), never run again; one killed while connecting: another worker runs it, once', async () => {
    const dir = await sharedDir('killed');
    const stalling = path.join(cli.scratch, 'stalling_config');
    // h02 is known by name alone: each worker reaches it through its own ssh_config. The doomed worker's holds it in a
    // ProxyCommand that never connects: killed there, no command of h02 has started.
    const proxyMarker = `59.${process.pid}`;
    const fleetConfig = await readFile(cli.fleet.sshConfigPath, 'utf8');
    await writeFile(stalling, `Host h02\n  ProxyCommand sleep ${proxyMarker}\n\n${fleetConfig}`);
    const doomed = await startWorker(['-f', '2', '-F', stalling]);
    const file = await cli.inventory('killed', { h01: cli.fleetHosts.h01!, h02: {} });
    const running = controller(['run', '-i', file, '--redis', url(), '-o', 'json', '--vars', '--', `echo ran >> ${dir}/{{ inventory_hostname }}; sleep 3; echo done`]);
    expect(await eventually(async () => (await readFile(`${dir}/h01`, 'utf8').catch(() => '')) === 'ran\n', 20_000), 'h01 started on the doomed worker').to.equal(true);
    expect(await eventually(async () => (await pidsOf(`sleep ${proxyMarker}`)).length > 0, 10_000), 'h02 stuck connecting').to.equal(true);
    doomed.child.kill('SIGKILL');
    // Its ProxyCommand outlives it (as ssh's would): ended by its pid.
    for (const pid of await pidsOf(`sleep ${proxyMarker}`)) process.kill(pid);
    await startWorker(['-f', '2', '-F', cli.fleet.sshConfigPath]);
    const run = await running;
    expect(run.code, run.stderr).to.equal(4);
    const results = records(run.stdout);
    expect(results.map((result) => [result.host, result.status, result.error?.code ?? null, result.stdout])).to.deep.equal([
      ['h01', 'unreachable', 'WORKER_LOST', ''],
      ['h02', 'ok', null, 'done\n'],
    ]);
    expect(results[0]!.error!.message).to.match(/worker .* was lost after it may have started the command; not run again/);
    expect(await readFile(`${dir}/h01`, 'utf8')).to.equal('ran\n', 'h01 ran once, on the lost worker');
    expect(await readFile(`${dir}/h02`, 'utf8')).to.equal('ran\n', 'h02 ran once, on the second worker');
  });

  it('the controller SIGKILLed mid-run: run --attach RUN_ID gathers what its workers finished; hosts it never queued are skipped (exit 1)', async () => {
    await startWorker(['-f', '2']);
    const dir = await sharedDir('attach');
    const file = await cli.inventory('attach', { h01: cli.fleetHosts.h01!, h02: cli.fleetHosts.h02!, h03: cli.fleetHosts.h03! });
    let runId: string | undefined;
    const killed = await controller(['run', '-i', file, '--redis', url(), '-f', '2', '--vars', '--', `touch ${dir}/{{ inventory_hostname }}; sleep 2; echo fin`], (child) => {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        runId ??= /run ([0-9a-f]{16}) through Redis/.exec(stderr)?.[1];
      });
      const bothStarted = async (): Promise<boolean> => (await Promise.all(['h01', 'h02'].map((host) => readFile(`${dir}/${host}`).then(() => true, () => false)))).every(Boolean);
      void eventually(bothStarted, 20_000).then(() => child.kill('SIGKILL'));
    });
    expect(killed.code).to.equal(null);
    expect(runId, killed.stderr).to.be.a('string');
    const attached = await controller(['run', '--redis', url(), '--attach', runId!, '-o', 'json']);
    expect(attached.code, attached.stderr).to.equal(1);
    expect(attached.stderr).to.include(`attached to run ${runId}`);
    expect(records(attached.stdout).map((result) => [result.host, result.status, result.stdout, result.error?.code ?? null])).to.deep.equal([
      ['h01', 'ok', 'fin\n', null],
      ['h02', 'ok', 'fin\n', null],
      ['h03', 'skipped', '', 'SKIPPED'],
    ]);
    const unknown = await controller(['run', '--redis', url(), '--attach', '0123456789abcdef']);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/--attach 0123456789abcdef: Redis at .* holds no such run .*\[RUN_NOT_FOUND\]/);
  });

  it('Redis lost during a run: the controller says so; workers keep the records they finish and deliver them when Redis is back', async () => {
    await startWorker(['-f', '2']);
    const dir = await sharedDir('outage');
    const file = await cli.inventory('outage', { h01: cli.fleetHosts.h01!, h02: cli.fleetHosts.h02! });
    let restarted: Promise<void> | undefined;
    const run = await controller(['run', '-i', file, '--redis', url(), '-o', 'json', '--vars', '--', `touch ${dir}/{{ inventory_hostname }}; sleep 1; echo fin`], () => {
      const bothStarted = async (): Promise<boolean> => (await Promise.all(['h01', 'h02'].map((host) => readFile(`${dir}/${host}`).then(() => true, () => false)))).every(Boolean);
      // Down while the commands run and while they finish: their records wait on the workers.
      restarted = eventually(bothStarted, 20_000).then(() => redis!.restart(2_000));
    });
    await restarted;
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/sshpool: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/?: waiting for it to come back/);
    expect(run.stderr).to.match(/sshpool: Redis at redis:\/\/127\.0\.0\.1:\d+\/? is back/);
    expect(records(run.stdout).map((result) => [result.host, result.status, result.stdout])).to.deep.equal([
      ['h01', 'ok', 'fin\n'],
      ['h02', 'ok', 'fin\n'],
    ]);
  });

  it('ping through two workers: the same records as a local ping, in submission order', async () => {
    await startWorker(['-f', '1']);
    await startWorker(['-f', '1']);
    const file = await cli.inventory('ping', { ...cli.fleetHosts, h05: { ansible_host: '127.0.0.1', ansible_port: await closedPort() } });
    const local = await cli.sshpool(['ping', ...cli.base(file)]);
    const remote = await controller(['ping', '-i', file, '--redis', url(), '-o', 'json']);
    expect(remote.code, remote.stderr).to.equal(4);
    const brief = (results: HostResult[]) => results.map((result) => [result.host, result.kind, result.status, result.error?.code ?? null]);
    expect(brief(records(remote.stdout))).to.deep.equal(brief(records(local.stdout)));
    expect(brief(records(remote.stdout)).map(([host, , status]) => [host, status])).to.deep.equal([
      ['h01', 'ok'],
      ['h02', 'ok'],
      ['h03', 'ok'],
      ['h04', 'ok'],
      ['h05', 'unreachable'],
    ]);
    // ping --attach gathers them again from Redis, with ping's own text lines.
    const runId = /run ([0-9a-f]{16}) through Redis/.exec(remote.stderr)![1]!;
    const attached = await controller(['ping', '--redis', url(), '--attach', runId]);
    expect(attached.code, attached.stderr).to.equal(4);
    expect(attached.stdout).to.match(/^h01: ok\b/m);
    expect(attached.stdout).to.match(/^h05: unreachable\b/m);
  });

  describe('copy through Redis: the contents stored once, each worker writes its own verified copy', () => {
    const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
    /** A tree with modes and a 20 MiB file, and a directory per host on the fleet side. */
    async function copyFixture(name: string): Promise<{ tree: string; big: string; bigBytes: Buffer; targets: string }> {
      const root = path.join(cli.scratch, name);
      const tree = path.join(root, 'tree');
      await mkdir(path.join(tree, 'bin'), { recursive: true });
      await writeFile(path.join(tree, 'app.conf'), 'port = 8080\n');
      await writeFile(path.join(tree, 'bin', 'start'), '#!/bin/sh\necho start\n');
      // The same content twice: stored once.
      await writeFile(path.join(tree, 'bin', 'start-copy'), '#!/bin/sh\necho start\n');
      await chmod(path.join(tree, 'app.conf'), 0o640);
      await chmod(path.join(tree, 'bin', 'start'), 0o755);
      await chmod(path.join(tree, 'bin'), 0o750);
      const big = path.join(root, 'big.bin');
      const bigBytes = randomBytes(20 * 1024 * 1024 + 12345);
      await writeFile(big, bigBytes);
      const targets = await sharedDir(`${name}-targets`);
      for (const host of ['h01', 'h02', 'h03', 'h04']) await sharedDir(`${name}-targets/${host}`);
      return { tree, big, bigBytes, targets };
    }
    async function workerTmp(): Promise<string> {
      return mkdtemp(path.join(cli.scratch, 'worker-tmp-'));
    }
    /** What the worker keeps below its TMPDIR: its own directory, and a directory per run inside. */
    async function privateDirs(tmp: string): Promise<string[]> {
      const own = await readdir(tmp);
      const runs = await Promise.all(own.map(async (dir) => (await readdir(path.join(tmp, dir))).map((run) => `${dir}/${run}`)));
      return [...own, ...runs.flat()];
    }
    async function contentKeys(): Promise<string[]> {
      const client = new Redis(url());
      try {
        return await client.keys('sshpool:run:*:content:*');
      } finally {
        client.disconnect();
      }
    }

    it('a tree with modes and a 20 MiB file to four hosts through two workers: the bytes and modes on every host; --checksum again: all unchanged; nothing left in Redis or on the workers', async () => {
      const tmps = [await workerTmp(), await workerTmp()];
      const started = await Promise.all(tmps.map((tmp) => startWorker(['-f', '2'], { ...env(), TMPDIR: tmp })));
      expect(await privateDirs(tmps[0]!)).to.have.length(1, 'the worker made its own directory, no run yet');
      const { tree, big, bigBytes, targets } = await copyFixture('copy');
      const file = await cli.inventory('copy', cli.fleetHosts);
      const copy = ['copy', '-i', file, '--redis', url(), '-o', 'json', '-f', '4', '-r', '--vars', '--checksum', tree, big, `${targets}/{{ inventory_hostname }}`];
      const first = await controller(copy);
      expect(first.code, first.stderr).to.equal(0);
      const firstRecords = records(first.stdout);
      expect(firstRecords.map((result) => [result.host, result.kind, result.status, result.detail])).to.deep.equal(
        ['h01', 'h02', 'h03', 'h04'].map((host) => [host, 'copy', 'ok', { files: 4, bytes: bigBytes.length + 12 + 2 * 21, unchanged: 0, skipped: 0, errors: [] }]),
      );
      for (const host of ['h01', 'h02', 'h03', 'h04']) {
        const into = path.join(targets, host);
        expect(sha256(await readFile(path.join(into, 'big.bin')))).to.equal(sha256(bigBytes), host);
        expect(await readFile(path.join(into, 'tree', 'app.conf'), 'utf8')).to.equal('port = 8080\n');
        expect(await readFile(path.join(into, 'tree', 'bin', 'start-copy'), 'utf8')).to.equal('#!/bin/sh\necho start\n');
        expect((await stat(path.join(into, 'tree', 'app.conf'))).mode & 0o7777).to.equal(0o640);
        expect((await stat(path.join(into, 'tree', 'bin', 'start'))).mode & 0o7777).to.equal(0o755);
        expect((await stat(path.join(into, 'tree', 'bin'))).mode & 0o7777).to.equal(0o750);
      }
      expect(await contentKeys(), "the run's contents left Redis with the run").to.deep.equal([]);
      // The controller's "run done" reaches the workers: each run's directory goes, the worker's own stays.
      for (const tmp of tmps) expect(await eventually(async () => (await privateDirs(tmp)).length === 1, 5_000), (await privateDirs(tmp)).join(' ')).to.equal(true);
      const own = path.join(tmps[0]!, (await readdir(tmps[0]!))[0]!);
      expect((await stat(own)).mode & 0o777).to.equal(0o700);

      const again = await controller(copy);
      expect(again.code, again.stderr).to.equal(0);
      expect(records(again.stdout).map((result) => result.detail)).to.deep.equal(Array(4).fill({ files: 0, bytes: 0, unchanged: 4, skipped: 0, errors: [] }));
      expect(await contentKeys()).to.deep.equal([]);
      await Promise.all(started.map(stopWorker));
      for (const tmp of tmps) expect(await readdir(tmp), 'a stopped worker leaves nothing').to.deep.equal([]);
    });

    it("a copy's bytes sent by the workers reach the controller's run as transfer events (the progress line's bytes), all of them", async () => {
      await startWorker(['-f', '2']);
      const { big, bigBytes, targets } = await copyFixture('progress');
      const remote = await RedisHosts.connect({ url: url() });
      const files = streamFiles(inventoryHostsFor(cli.fleet, cli.fleet.hosts.slice(0, 2)), await copyTask([big], `${targets}/h01/`, { sha256: true }), { remote });
      let bytes = 0;
      let events = 0;
      files.on('transfer', (event) => {
        bytes += event.bytes;
        events += 1;
      });
      const results = await files.results;
      expect(results.map((result) => [result.host, result.status])).to.deep.equal([
        ['h01', 'ok'],
        ['h02', 'ok'],
      ]);
      expect(bytes).to.equal(2 * bigBytes.length);
      // Summed on the worker: far fewer entries than the 255 KiB requests (82 per host).
      expect(events).to.be.within(2, 2 * 40);
    });

    it("the workers' copy is what they write: stored contents that are not the file's bytes fail the host (CONTENT_UNAVAILABLE), nothing written there", async () => {
      // The worker checks each content's SHA-256 as it writes it: here the stored chunk is altered between the store and the worker's read.
      await startWorker(['-f', '1']);
      const source = path.join(cli.scratch, 'tampered.txt');
      await writeFile(source, 'the real bytes\n');
      const targets = await sharedDir('tampered-targets');
      const file = await cli.inventory('tampered', { h01: cli.fleetHosts.h01! });
      const client = new Redis(url());
      const tamper = async (): Promise<void> => {
        for (;;) {
          const [key] = await client.keys('sshpool:run:*:content:*');
          if (key !== undefined) {
            await client.lset(key, 0, 'other bytes!!!\n');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      // The worker (one host at a time) is busy with a first run until the tampering is done: the copy waits in Redis.
      const dir = await sharedDir('tampered-gate');
      const gate = controller(['run', '-i', file, '--redis', url(), '--', `touch ${dir}/running; while [ ! -e ${dir}/open ]; do sleep 0.1; done`]);
      expect(await eventually(async () => readFile(`${dir}/running`).then(() => true, () => false), 20_000)).to.equal(true);
      const copy = controller(['copy', '-i', file, '--redis', url(), '-o', 'json', source, `${targets}/`]);
      await tamper();
      await writeFile(`${dir}/open`, '');
      client.disconnect();
      expect((await gate).code).to.equal(0);
      const run = await copy;
      expect(run.code, run.stderr).to.equal(5);
      const [record] = records(run.stdout);
      expect([record!.status, record!.error?.code]).to.deep.equal(['failed', 'CONTENT_UNAVAILABLE']);
      expect(record!.error!.message).to.match(/Redis holds 15 bytes that are not the file's \(15 bytes, SHA-256 [0-9a-f]{64}\)/);
      expect(await readdir(targets)).to.deep.equal([]);
    });

    it('above redis-max-upload the copy is refused before anything is stored or queued (exit 2, naming the setting)', async () => {
      const big = path.join(cli.scratch, 'capped.bin');
      await writeFile(big, randomBytes(2 * 1024 * 1024));
      const file = await cli.inventory('capped', { h01: cli.fleetHosts.h01! });
      const capped = await controller(['copy', '-i', file, '--redis', url(), '--redis-max-upload', '1M', big, '/tmp/']);
      expect(capped.code, capped.stderr).to.equal(2);
      expect(capped.stderr).to.match(/copy through Redis would store 2097152 bytes of file contents there \(1 distinct files\), more than redis-max-upload \(1048576 bytes\): raise --redis-max-upload \(or the settings key\), or copy without --redis$/m);
      expect(capped.stdout).to.equal('');
      const runId = /run ([0-9a-f]{16}) through Redis/.exec(capped.stderr)![1]!;
      const client = new Redis(url());
      try {
        expect(await client.keys(`sshpool:run:${runId}:*`), 'no plan, no contents, no job of the run').to.deep.equal([]);
        expect(await client.keys(`bull:*:${runId}-*`)).to.deep.equal([]);
      } finally {
        client.disconnect();
      }
    });

    /** A tree on the fleet side, made by its login user: a 0640 file, a 0750 directory and a 3000-byte file in it. */
    async function remoteTree(name: string): Promise<string> {
      const dir = await sharedDir(name);
      const file = await cli.inventory(`${name}-maker`, { h01: cli.fleetHosts.h01! });
      const made = await cli.sshpool(['run', ...cli.base(file), '--', `mkdir -p ${dir}/tree/sub && printf 'alpha\\n' > ${dir}/tree/a.txt && chmod 640 ${dir}/tree/a.txt && head -c 3000 /dev/urandom > ${dir}/tree/sub/big.bin && chmod 750 ${dir}/tree/sub`]);
      expect(made.code, made.stderr).to.equal(0);
      return `${dir}/tree`;
    }
    /** Every file and directory below `dir`: its path, mode and (for a file) SHA-256. */
    async function treeOf(dir: string): Promise<string[]> {
      const found: string[] = [];
      const walk = async (at: string, relative: string): Promise<void> => {
        for (const name of (await readdir(at)).sort()) {
          const child = path.join(at, name);
          const info = await stat(child);
          const below = `${relative}/${name}`;
          found.push(`${below} ${(info.mode & 0o777).toString(8)} ${info.isDirectory() ? 'dir' : sha256(await readFile(child))}`);
          if (info.isDirectory()) await walk(child, below);
        }
      };
      await walk(dir, '');
      return found;
    }

    it('fetch -r through two workers: LOCALDIR/<host>/<path> as a local fetch writes it (bytes and modes), the records alike; nothing left in Redis or on the workers', async () => {
      const tmps = [await workerTmp(), await workerTmp()];
      await Promise.all(tmps.map((tmp) => startWorker(['-f', '1'], { ...env(), TMPDIR: tmp })));
      const tree = await remoteTree('fetch-source');
      const file = await cli.inventory('fetch', cli.fleetHosts);
      const localDir = path.join(cli.scratch, 'fetched-here');
      const remoteDir = path.join(cli.scratch, 'fetched-through-redis');
      const local = await cli.sshpool(['fetch', ...cli.base(file), '-r', tree, localDir]);
      const remote = await controller(['fetch', '-i', file, '--redis', url(), '-o', 'json', '-r', tree, remoteDir]);
      expect(remote.code, remote.stderr).to.equal(0);
      expect(local.code, local.stderr).to.equal(0);
      const brief = (results: HostResult[]) => results.map((result) => [result.host, result.kind, result.status, result.detail]);
      expect(brief(records(remote.stdout))).to.deep.equal(brief(records(local.stdout)));
      expect(records(remote.stdout)[0]!.detail).to.deep.equal({ files: 2, bytes: 3006, unchanged: 0, skipped: 0, errors: [] });
      expect(await readdir(remoteDir)).to.deep.equal(['h01', 'h02', 'h03', 'h04']);
      for (const host of ['h01', 'h02', 'h03', 'h04']) expect(await treeOf(path.join(remoteDir, host)), host).to.deep.equal(await treeOf(path.join(localDir, host)));
      expect(await treeOf(path.join(remoteDir, 'h01'))).to.include.members([`${tree}/a.txt 640 ${sha256(Buffer.from('alpha\n'))}`, `${tree}/sub 750 dir`]);
      const client = new Redis(url());
      try {
        expect(await client.keys('sshpool:run:*:fetched:*'), 'the files left Redis once written here').to.deep.equal([]);
      } finally {
        client.disconnect();
      }
      for (const tmp of tmps) expect(await eventually(async () => (await privateDirs(tmp)).length === 1, 5_000), (await privateDirs(tmp)).join(' ')).to.equal(true);
    });

    it("fetch through Redis past redis-max-fetch: the host's file that does not fit is FILE_OVER_REDIS_LIMIT in its record (failed, exit 5), the others written", async () => {
      await startWorker(['-f', '2']);
      const tree = await remoteTree('fetch-capped');
      const file = await cli.inventory('fetch-capped', { h01: cli.fleetHosts.h01!, h02: cli.fleetHosts.h02! });
      const into = path.join(cli.scratch, 'fetched-capped');
      const run = await controller(['fetch', '-i', file, '--redis', url(), '-o', 'json', '--redis-max-fetch', '2K', '-r', tree, into]);
      expect(run.code, run.stderr).to.equal(5);
      for (const record of records(run.stdout)) {
        expect([record.status, record.error?.code, (record.detail as { files: number }).files]).to.deep.equal(['failed', 'FILE_OVER_REDIS_LIMIT', 1]);
        expect(record.error!.message).to.match(/sub\/big\.bin \(3000 bytes\) was fetched by the worker but not sent back: the host's files through Redis would pass redis-max-fetch \(2048 bytes\)/);
        expect(await readFile(path.join(into, record.host, tree, 'a.txt'), 'utf8')).to.equal('alpha\n');
        expect(await readdir(path.join(into, record.host, tree, 'sub'))).to.deep.equal([]);
      }
    });
  });

  it("--concurrency-per-host 1: another run's job on a host this worker is working on waits its turn (said in its log), then runs", async () => {
    const worker = await startWorker(['-f', '4', '--concurrency-per-host', '1']);
    const dir = await sharedDir('per-host');
    const exists = (name: string): Promise<boolean> => stat(path.join(dir, name)).then(() => true, () => false);
    const file = await cli.inventory('per-host', { h01: cli.fleetHosts.h01! });
    // The first run holds h01 until the test lets it go.
    const first = controller(['run', '-i', file, '--redis', url(), '-o', 'json', '--', `touch ${dir}/first; while [ ! -e ${dir}/go ]; do sleep 0.05; done`]);
    expect(await eventually(() => exists('first'), 20_000)).to.equal(true);
    const second = controller(['run', '-i', file, '--redis', url(), '-o', 'json', '--', `touch ${dir}/second`]);
    expect(await eventually(async () => /h01: waits, 1 job on 127\.0\.0\.1:\d+ already running here/.test(worker.log()), 20_000), worker.log()).to.equal(true);
    // The worker decided to wait before the second run's command: it has not run.
    expect(await exists('second')).to.equal(false);
    await writeFile(path.join(dir, 'go'), '');
    const [one, two] = await Promise.all([first, second]);
    expect([one.code, two.code], one.stderr + two.stderr).to.deep.equal([0, 0]);
    expect(records(two.stdout).map((result) => [result.host, result.status])).to.deep.equal([['h01', 'ok']]);
    expect(await exists('second')).to.equal(true);
  });

  it('SIGTERM to a worker: it takes no more hosts, finishes the running one (its record delivered) and exits 0', async () => {
    const worker = await startWorker(['-f', '1']);
    const dir = await sharedDir('sigterm');
    const file = await cli.inventory('sigterm', { h01: cli.fleetHosts.h01! });
    const run = await controller(['run', '-i', file, '--redis', url(), '-o', 'json', '--vars', '--', `touch ${dir}/{{ inventory_hostname }}; sleep 1; echo fin`], () => {
      void eventually(async () => readFile(`${dir}/h01`).then(() => true, () => false), 20_000).then(() => worker.child.kill('SIGTERM'));
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(records(run.stdout)[0]!.stdout).to.equal('fin\n');
    const code = worker.child.exitCode ?? ((await once(worker.child, 'exit')) as [number | null])[0];
    expect(code, worker.log()).to.equal(0);
    expect(worker.log()).to.match(/SIGTERM: taking no more hosts, finishing the running ones\n.*stopped/);
  });

  it('SIGTERM to a worker while Redis is down: it exits 0 once Redis is back, and prints no ioredis stack traces in the outage', async () => {
    const worker = await startWorker(['-f', '1']);
    await redis!.halt();
    try {
      // Its connections wait between reconnect attempts (most of the outage): BullMQ's close() asked
      // its blocking one to disconnect there, and unpatched ioredis never ended it (patches/ioredis+…).
      expect(await eventually(async () => /lost the connection to Redis/.test(worker.log()), 20_000), worker.log()).to.equal(true);
      worker.child.kill('SIGTERM');
      expect(await eventually(async () => /SIGTERM: taking no more hosts/.test(worker.log()), 20_000), worker.log()).to.equal(true);
    } finally {
      await redis!.launch();
    }
    const exited = worker.child.exitCode !== null ? worker.child.exitCode : await Promise.race([once(worker.child, 'exit').then(([code]) => code as number | null), new Promise((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000))]);
    expect(exited, worker.log()).to.equal(0);
    expect(worker.log()).to.match(/stopped\n$/);
    expect(worker.log()).not.to.include('Unhandled error event');
  });
});

describe('workers through a Redis with a password, and over TLS (rediss://)', function () {
  this.timeout(60_000);
  const cli = fleetCli(1, 'sshpool-queue-auth-');

  before(async function () {
    await skipWithoutRedisServer(this);
  });

  /** One host through one worker, both given the URL in SSHPOOL_REDIS (as a password is meant to be given). */
  /** A worker and a run through it, both started as `node dist/sshpool.cjs`, or with `bin` as the `sshpool` command. */
  async function throughWorker(workerUrl: string, controllerUrl: string, extraEnv: NodeJS.ProcessEnv = {}, bin = false): Promise<CliProcessResult> {
    const baseEnv = { ...process.env, SSH_AUTH_SOCK: '', ...extraEnv };
    const workerArgs = ['worker', '--identity', cli.fleet.userKeyPath, '--known-hosts', cli.fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
    const worker = spawn(...cliCommand(workerArgs, bin), {
      env: { ...baseEnv, SSHPOOL_REDIS: workerUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    worker.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      expect(await eventually(async () => /taking .* from/.test(log) || worker.exitCode !== null, 20_000), log).to.equal(true);
      const file = await cli.inventory('auth', { h01: cli.fleetHosts.h01! });
      return await runCliProcess(['run', '-i', file, '-o', 'json', '--', 'echo secured'], { env: { ...baseEnv, SSHPOOL_REDIS: controllerUrl }, bin });
    } finally {
      const exited = new Promise((resolve) => (worker.exitCode !== null ? resolve(undefined) : worker.once('exit', resolve)));
      worker.kill('SIGTERM');
      await exited;
    }
  }

  it('redis://:PASSWORD@: the right password runs the host; a wrong one is REDIS_UNAVAILABLE (exit 1), the password in no message', async () => {
    const redis = await RedisServer.start({ password: 's3cret pass' });
    try {
      const run = await throughWorker(redis.url, redis.url);
      expect(run.code, run.stderr).to.equal(0);
      expect((JSON.parse(run.stdout) as HostResult[])[0]!.stdout).to.equal('secured\n');
      expect(run.stderr).to.include('redis://:***@127.0.0.1');
      expect(run.stderr).to.not.include('s3cret');
      const wrong = await runCliProcess(['run', '-i', cli.fleet.inventoryPath, '--', 'true'], { env: { ...process.env, SSHPOOL_REDIS: `redis://:wrong@127.0.0.1:${redis.port}` } });
      expect(wrong.code).to.equal(1);
      expect(wrong.stderr).to.match(/Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: WRONGPASS.* \[REDIS_UNAVAILABLE\]/);
    } finally {
      await redis.stop();
    }
  });

  /** A Redis served over TLS only, with a certificate for 127.0.0.1 made here by openssl (`name`.crt, its own CA). */
  async function tlsRedis(name: string): Promise<{ certFile: string; redis: RedisServer }> {
    const certFile = path.join(cli.scratch, `${name}.crt`);
    const keyFile = path.join(cli.scratch, `${name}.key`);
    await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile]);
    return { certFile, redis: await RedisServer.start({ tls: { certFile, keyFile } }) };
  }

  it('rediss://: TLS with a certificate made here by openssl, trusted through NODE_EXTRA_CA_CERTS; untrusted, it is REDIS_UNAVAILABLE', async () => {
    const { certFile, redis } = await tlsRedis('redis');
    try {
      const run = await throughWorker(redis.url, redis.url, { NODE_EXTRA_CA_CERTS: certFile });
      expect(run.code, run.stderr).to.equal(0);
      expect((JSON.parse(run.stdout) as HostResult[])[0]!.stdout).to.equal('secured\n');
      expect(run.stderr).to.match(/through Redis at rediss:\/\/127\.0\.0\.1/);
      const untrusted = await runCliProcess(['run', '-i', cli.fleet.inventoryPath, '--', 'true'], { env: { ...process.env, SSHPOOL_REDIS: redis.url } });
      expect(untrusted.code).to.equal(1);
      expect(untrusted.stderr).to.match(/\[REDIS_UNAVAILABLE\]/);
    } finally {
      await redis.stop();
    }
  });

  it('rediss:// from the sshpool command, which starts Node without NODE_EXTRA_CA_CERTS: the CLI trusts the file itself; a missing file gets Node\'s warning', async () => {
    const { certFile, redis } = await tlsRedis('redis-bin');
    try {
      const run = await throughWorker(redis.url, redis.url, { NODE_EXTRA_CA_CERTS: certFile }, true);
      expect(run.code, run.stderr).to.equal(0);
      expect((JSON.parse(run.stdout) as HostResult[])[0]!.stdout).to.equal('secured\n');
      const missing = path.join(cli.scratch, 'no-such-ca.pem');
      const untrusted = await runCliProcess(['run', '-i', cli.fleet.inventoryPath, '--', 'true'], { env: { ...process.env, SSHPOOL_REDIS: redis.url, NODE_EXTRA_CA_CERTS: missing }, bin: true });
      expect(untrusted.code).to.equal(1);
      expect(untrusted.stderr).to.include(`Warning: Ignoring extra certs from \`${missing}\`, load failed: ENOENT`);
      expect(untrusted.stderr).to.match(/\[REDIS_UNAVAILABLE\]/);
    } finally {
      await redis.stop();
    }
  });
});
