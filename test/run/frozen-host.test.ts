import { expect } from 'chai';
import { commandTask, defaultExecutors } from '../../src/tasks/index.js';
import type { HostTask, TaskExecutor } from '../../src/tasks/index.js';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';
import { startHostTask } from '../helpers/host-task.js';

/**
 * A host that authenticated and then froze: its sshd connection process stopped with
 * SIGSTOP, so the kernel still holds the TCP connection but nothing answers on it. With
 * keepalives off nothing notices; only sshpool's own bounds (the connect timeout on every
 * channel open, the stop signal, the close grace) can end the host's task.
 */
describe('a host frozen after authentication (its sshd connection process stopped)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const stopped: number[] = [];

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
  });
  afterEach(() => {
    for (const pid of stopped.splice(0)) process.kill(pid, 'SIGKILL');
  });
  after(async () => {
    await fleet?.stop();
  });

  const options = () => ({ ...isolatedOptions(fleet), serverAliveIntervalMs: 0 });

  /** SIGSTOPs the host's one connection process (sshd names it a moment after authentication succeeded). */
  async function freeze(name: string): Promise<void> {
    const deadline = Date.now() + 5000;
    let pids = fleet.connectionPids(name);
    while (pids.length !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pids = fleet.connectionPids(name);
    }
    expect(pids, `one connection to ${name}`).to.have.length(1);
    process.kill(pids[0]!, 'SIGSTOP');
    stopped.push(pids[0]!);
  }

  /** A task that freezes the host it is connected to, between authentication and the next command; then, if asked, stops the run. */
  interface FreezeTask extends HostTask {
    kind: 'freeze';
    host: string;
    thenStop?: boolean;
  }
  let stopRun: (() => void) | undefined;
  const freezeExecutor: TaskExecutor<FreezeTask> = {
    commandLine: () => null,
    execute: async (task) => {
      await freeze(task.host);
      if (task.thenStop) setTimeout(() => stopRun?.(), 200);
      return { status: 'ok', exitCode: null, signal: null, stdout: '', stderr: '', truncated: { stdout: false, stderr: false }, error: null };
    },
  };
  const executors = defaultExecutors().register('freeze', freezeExecutor);
  const freezeHost = (name: string): FreezeTask => ({ kind: 'freeze', host: name });
  const echoNever = commandTask('echo never', { maxOutputBytes: 1024 });

  it('fails opening the exec channel with CHANNEL_TIMEOUT within the connect timeout, and the task ends', async () => {
    const [host] = inventoryHostsFor(fleet, [fleet.host('h01')]);
    const { results } = await startHostTask(host!, [freezeHost('h01'), echoNever], { ...options(), connectTimeoutMs: 1500 }, executors);
    const started = Date.now();
    const [, command] = await results;
    expect(Date.now() - started).to.be.within(1400, 4000);
    expect(command).to.include({ status: 'unreachable', stdout: '' });
    expect(command!.error!.code).to.equal('CHANNEL_TIMEOUT');
    expect(command!.error!.message).to.match(/^h01: .*1500 ms/);
  });

  it('gives up opening the channel at once when the run is stopped (Ctrl-C), long before the connect timeout', async () => {
    const [host] = inventoryHostsFor(fleet, [fleet.host('h01')]);
    const stopAfterFreeze: FreezeTask = { ...freezeHost('h01'), thenStop: true };
    const task = await startHostTask(host!, [stopAfterFreeze, echoNever], { ...options(), connectTimeoutMs: 30_000 }, executors);
    stopRun = () => void task.pool.terminate();
    const started = Date.now();
    const [, command] = await task.results;
    expect(Date.now() - started).to.be.below(3000);
    expect(command, JSON.stringify(command)).to.include({ status: "skipped" });
    expect(command!.error!.code).to.equal('ABORTED');
  });

  it('sshpool run: Ctrl-C ends a command on a host that froze mid-command, keepalives off; the process exits, exit 3', async () => {
    let frozeAt = 0;
    const args = ['run', '-i', fleet.inventoryPath, '-l', 'h02', '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '--server-alive-interval', '0', '--', 'echo ready; sleep 50'];
    const { code, stderr } = await runCliProcess(args, {
      env: { ...process.env, SSH_AUTH_SOCK: '' },
      onSpawn: (child) =>
        child.stdout?.on('data', (chunk: Buffer) => {
          if (frozeAt !== 0 || !chunk.toString().includes('h02: ready')) return;
          frozeAt = Date.now();
          void freeze('h02').then(() => child.kill('SIGINT'));
        }),
    });
    expect(frozeAt, 'the command started on h02').to.be.above(0);
    expect(Date.now() - frozeAt).to.be.below(8000);
    expect(code).to.equal(3);
    expect(stderr).to.match(/h02: \[failed\] ABORTED/);
  });
});
