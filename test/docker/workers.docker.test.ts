import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { HostResult } from '../../src/run/host-result.js';
import { generateKey, withoutComment } from '../fleet/keys.js';
import { closedPort } from '../fleet/ports.js';
import { runTool, runToolOk } from '../fleet/run-tool.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { eventually } from '../helpers/processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COMPOSE_FILE = path.join(ROOT, 'docker/compose.workers.yaml');
const INVENTORY = path.join(ROOT, 'config/docker-workers-inventory.yaml');
/** The worker image's user (docker/worker.Dockerfile), who must own the mounted ~/.ssh. */
const WORKER_UID = 1000;

/**
 * docker/compose.workers.yaml as its header says to bring it up: the worker image built from
 * docker/worker-context.sh's context, Redis with a password, two workers, three sshd targets that only
 * the workers can reach; the controller is this checkout's binary on this machine.
 */
describe('workers in containers: docker/compose.workers.yaml (Redis, two workers, three targets) and a controller here', function () {
  this.timeout(120_000);
  const project = `sshpool-workers-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let redisUrl: string;

  const compose = (args: string[], timeoutMs = 120_000): Promise<string> => runToolOk('docker-compose', ['-p', project, '-f', COMPOSE_FILE, ...args], { env, timeoutMs });
  const logsOf = (service: string): Promise<string> => compose(['logs', '--no-color', service]);
  const controller = (args: string[], onSpawn?: (child: ChildProcess) => void) =>
    runCliProcess(['run', '-i', INVENTORY, '-o', 'json', ...args], { env: { ...process.env, SSH_AUTH_SOCK: '', SSHPOOL_REDIS: redisUrl }, ...(onSpawn ? { onSpawn } : {}) });

  /** How many processes on the three targets have `command` in their command line. */
  const runningOnTargets = async (command: string): Promise<number> => {
    let count = 0;
    for (const target of ['target1', 'target2', 'target3']) {
      // docker top needs the pid column in what it asks ps for.
      const top = await runTool('docker', ['top', `${project}_${target}_1`, '-eo', 'pid,args'], { env });
      count += top.stdout.split('\n').filter((line) => line.trim().replace(/^\d+\s+/, '').startsWith(command)).length;
    }
    return count;
  };

  before(async function () {
    this.timeout(600_000);
    await runToolOk('bash', [path.join(ROOT, 'docker/worker-context.sh')], { timeoutMs: 300_000 });
    await runToolOk('docker', ['build', '-q', '-f', path.join(ROOT, 'docker/worker.Dockerfile'), '-t', 'sshpool-worker', path.join(ROOT, 'docker/worker-context')], { timeoutMs: 300_000 });
    dir = await mkdtemp(path.join(tmpdir(), 'sshpool-compose-'));
    // The workers' ~/.ssh: the login key and a known_hosts line for the targets' one host key.
    const ssh = path.join(dir, 'worker-ssh');
    await mkdir(ssh, { mode: 0o700 });
    const userKey = await generateKey(path.join(dir, 'user_key'), 'sshpool-compose-test');
    await copyFile(path.join(dir, 'user_key'), path.join(ssh, 'id_ed25519'));
    const hostKey = withoutComment(await generateKey(path.join(dir, 'target_host_key'), 'sshpool-compose-target'));
    await writeFile(path.join(ssh, 'known_hosts'), `target1,target2,target3 ${hostKey}\n`);
    for (const file of ['', 'id_ed25519', 'known_hosts']) await chown(path.join(ssh, file), WORKER_UID, WORKER_UID);
    await chmod(path.join(ssh, 'id_ed25519'), 0o600);
    const port = await closedPort();
    env = {
      ...process.env,
      SSHPOOL_REDIS_PASSWORD: password,
      SSHPOOL_REDIS_PORT: String(port),
      SSHPOOL_WORKER_SSH: ssh,
      SSHPOOL_AUTHORIZED_KEY: userKey,
      SSHPOOL_TARGET_HOST_KEY: path.join(dir, 'target_host_key'),
    };
    redisUrl = `redis://:${password}@127.0.0.1:${port}`;
    await compose(['up', '-d', '--no-build']);
    for (const worker of ['worker1', 'worker2']) {
      expect(await eventually(async () => /taking sshpool from/.test(await logsOf(worker)), 60_000), await logsOf(worker)).to.equal(true);
    }
  });
  after(async function () {
    this.timeout(120_000);
    if (env) await compose(['down', '--volumes', '--timeout', '5']).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the controller gets every target\'s record in inventory order, the hosts spread over both workers', async () => {
    // SSH_CLIENT's address is the worker's on the compose network: two addresses, two workers.
    const outcome = await controller(['--', 'echo "$(cat /etc/hostname) ${SSH_CLIENT%% *}"; sleep 2']);
    expect(outcome.code, outcome.stderr).to.equal(0);
    const records = JSON.parse(outcome.stdout) as HostResult[];
    expect(records.map((record) => [record.host, record.status])).to.deep.equal([
      ['target1', 'ok'],
      ['target2', 'ok'],
      ['target3', 'ok'],
    ]);
    expect(records.map((record) => record.stdout.split(' ')[0])).to.deep.equal(['target1', 'target2', 'target3']);
    expect(new Set(records.map((record) => record.stdout.trim().split(' ')[1])).size).to.equal(2, records.map((r) => r.stdout).join(''));
    expect(outcome.stderr + (await logsOf('redis')) + (await logsOf('worker1'))).to.not.include(password);
  });

  it('docker stop of a worker mid-run: it finishes its running hosts and exits 0; the other worker does the rest', async () => {
    let started = false;
    const run = controller(['--', 'sleep 4; echo done'], () => (started = true));
    expect(started).to.equal(true);
    // Once the three commands run, each worker holds at least one (two forks each): then stop one.
    expect(await eventually(async () => (await runningOnTargets('sleep 4')) === 3, 20_000)).to.equal(true);
    await compose(['stop', '--timeout', '30', 'worker1']);
    const exit = (await runToolOk('docker', ['inspect', '--format', '{{.State.ExitCode}}', `${project}_worker1_1`])).trim();
    expect(exit, await logsOf('worker1')).to.equal('0');
    const outcome = await run;
    expect(outcome.code, outcome.stderr).to.equal(0);
    const records = JSON.parse(outcome.stdout) as HostResult[];
    expect(records.map((record) => [record.host, record.status, record.stdout])).to.deep.equal([
      ['target1', 'ok', 'done\n'],
      ['target2', 'ok', 'done\n'],
      ['target3', 'ok', 'done\n'],
    ]);
    expect(await logsOf('worker1')).to.match(/SIGTERM: taking no more hosts, finishing the running ones[\s\S]*stopped/);
  });
});
