import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadInventory } from '../../src/inventory/index.js';
import { PoolClosedError, PoolStateError, PoolTerminatedError } from '../../src/pool/index.js';
import { HostPool, UnknownHostError } from '../../src/run/host-pool.js';
import { SessionCache } from '../../src/session/session-cache.js';
import { PING_TASK, UnknownTaskKindError } from '../../src/tasks/index.js';
import { Fleet, closedPort } from '../fleet/index.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';
import { eventually, processAlive } from '../helpers/processes.js';
import { rejectionOf } from '../helpers/rejection.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/** Prints the client's end of the SSH connection the command ran over, "127.0.0.1 41234". */
const CLIENT_END = 'echo ${SSH_CONNECTION% * *}';

describe('HostPool: the seed Pool over SSH, against a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let refusedPort: number;
  let pools: HostPool[];
  const tempDir = tempDirPerTest('sshpool-host-pool-');

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
    refusedPort = await closedPort();
  });
  after(async () => {
    await fleet?.stop();
  });
  beforeEach(() => {
    pools = [];
  });
  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.terminate()));
  });

  /** A pool over the fleet's inventory file, plus a host "down" whose port is closed. */
  async function poolOf(size: number): Promise<HostPool> {
    const file = path.join(tempDir(), 'inventory.yml');
    const down = { ansible_host: '127.0.0.1', ansible_port: refusedPort, ansible_user: fleet.user, ansible_ssh_private_key_file: fleet.userKeyPath };
    const fleetHosts = Object.fromEntries(fleet.hosts.map((host) => [host.name, { ansible_host: host.address, ansible_port: host.port, ansible_user: fleet.user, ansible_ssh_private_key_file: fleet.userKeyPath }]));
    await writeFile(file, stringify({ all: { hosts: { ...fleetHosts, down } } }));
    const pool = new HostPool({ size, inventory: await loadInventory([file]), settings: isolatedOptions(fleet) });
    pools.push(pool);
    return pool;
  }

  it('keeps each host\'s session across calls: a second task on the host runs over the same connection', async () => {
    const pool = await poolOf(2);
    const first = await pool.apply('h01', CLIENT_END);
    const serverProcesses = fleet.connectionPids('h01');
    const second = await pool.apply('h01', CLIENT_END);
    expect(first.status, JSON.stringify(first)).to.equal('ok');
    expect(second.stdout).to.equal(first.stdout);
    expect(fleet.connectionPids('h01')).to.deep.equal(serverProcesses);
    const other = await pool.apply('h02', CLIENT_END);
    expect(other.stdout).not.to.equal(first.stdout);
    pool.close();
    await pool.join();
    // join closes the pool's sessions: sshd's processes for them end.
    expect(await eventually(async () => fleet.connectionPids('h01').length === 0 && fleet.connectionPids('h02').length === 0, 5_000)).to.equal(true);
  });

  it('gives a failure on the host as its record, and map gives records in submission order', async () => {
    const pool = await poolOf(3);
    const records = await pool.map(['down', 'h02', 'h01'], 'echo hi; exit 3');
    expect(records.map((record) => record.host)).to.deep.equal(['down', 'h02', 'h01']);
    expect(records[0]).to.include({ status: 'unreachable', kind: 'command', command: 'echo hi; exit 3' });
    expect(records[0]!.error!.code).to.equal('CONNECT_REFUSED');
    for (const record of records.slice(1)) expect(record).to.include({ status: 'failed', exitCode: 3, stdout: 'hi\n' });
    const ordered = [];
    for await (const record of pool.imap(['h02', 'h01'], PING_TASK)) ordered.push(`${record.host} ${record.kind} ${record.status}`);
    expect(ordered).to.deep.equal(['h02 ping ok', 'h01 ping ok']);
    const called: string[] = [];
    const withCallback = pool.applyAsync('down', 'true', { callback: (record) => called.push(record.status), errorCallback: () => called.push('error') });
    expect((await withCallback.get()).status).to.equal('unreachable');
    expect(called).to.deep.equal(['unreachable']);
    const unordered = [];
    for await (const record of pool.imapUnordered(['h01', 'h02'], 'true')) unordered.push(record.host);
    expect(unordered.sort()).to.deep.equal(['h01', 'h02']);
  });

  it('refuses at the call, submitting nothing: a host the inventory lacks, an unknown task kind, a closed pool', async () => {
    const pool = await poolOf(2);
    let ran = 0;
    pool.on('output', () => ran++);
    const unknown = captured(() => pool.map(['h01', 'nope'], 'echo ran'));
    expect(unknown).to.be.instanceOf(UnknownHostError);
    expect(unknown).to.include({ code: 'HOST_UNKNOWN', host: 'nope' });
    expect((unknown as Error).message).to.contain('nope');
    expect(documentedErrorCodes()).to.include('HOST_UNKNOWN');
    expect(captured(() => pool.applyAsync('h01', { kind: 'upload' }))).to.be.instanceOf(UnknownTaskKindError);
    expect(captured(() => pool.join())).to.be.instanceOf(PoolStateError);
    pool.close();
    expect(captured(() => pool.applyAsync('h01', 'echo ran'))).to.be.instanceOf(PoolClosedError);
    await pool.join();
    expect(ran).to.equal(0);
  });

  it('streams live output per host, with the task\'s index', async () => {
    const pool = await poolOf(2);
    const heard: string[] = [];
    pool.on('output', ({ host, index, stream, chunk }) => heard.push(`${index} ${host} ${stream} ${chunk.toString().trim()}`));
    await pool.map(['h01', 'h02'], 'echo out; echo err >&2');
    expect(heard.sort()).to.deep.equal(['0 h01 stderr err', '0 h01 stdout out', '1 h02 stderr err', '1 h02 stdout out']);
  });

  it("over the caller's SessionCache (sessions): join and terminate leave its connections open for the next pool; closing the cache ends them", async () => {
    const options = isolatedOptions(fleet);
    const sessions = await SessionCache.create(options);
    try {
      const inventory = await loadInventory([fleet.inventoryPath]);
      const first = new HostPool({ size: 1, inventory, settings: options, sessions });
      const before = await first.apply('h01', CLIENT_END);
      const serverProcesses = fleet.connectionPids('h01');
      first.close();
      await first.join();
      const second = new HostPool({ size: 1, inventory, settings: options, sessions });
      const running = second.applyAsync('h01', 'echo started; exec sleep 30');
      await new Promise<void>((resolve) => second.once('output', () => resolve()));
      await second.terminate();
      expect((await running.get()).error?.code).to.equal('ABORTED');
      const third = new HostPool({ size: 1, inventory, settings: options, sessions });
      const after = await third.apply('h01', CLIENT_END);
      expect(before.status, JSON.stringify(before)).to.equal('ok');
      expect(after.stdout).to.equal(before.stdout);
      expect(fleet.connectionPids('h01')).to.deep.equal(serverProcesses);
      third.close();
      await third.join();
      expect(fleet.connectionPids('h01')).to.deep.equal(serverProcesses);
    } finally {
      sessions.close();
    }
    expect(await eventually(async () => fleet.connectionPids('h01').length === 0, 5_000)).to.equal(true);
  });

  it('terminate kills the running remote commands, drops pending tasks, and closes the sessions', async () => {
    const pool = await poolOf(1);
    // A sleep with a marker of its own on its command line, so that pgrep finds this one remote process.
    const marker = `sshpool-host-pool-${process.pid}`;
    const started = new Promise<void>((resolve) => pool.once('output', () => resolve()));
    const running = pool.applyAsync('h01', `echo started; exec sh -c 'sleep 30; : ${marker}'`);
    const pending = pool.applyAsync('h02', 'echo never');
    await started;
    expect(await processAlive(marker)).to.equal(true);
    await pool.terminate();
    expect(await eventually(async () => !(await processAlive(marker)), 5_000), `${marker} still alive`).to.equal(true);
    const record = await running.get();
    expect(record.status, JSON.stringify(record)).not.to.equal('ok');
    expect(record.error!.code).to.equal('ABORTED');
    expect(await rejectionOf(pending.get())).to.be.instanceOf(PoolTerminatedError);
    expect(await eventually(async () => fleet.connectionPids('h01').length === 0, 5_000)).to.equal(true);
    expect(fleet.connectionPids('h02')).to.deep.equal([]);
  });

  it('terminates when the settings\' signal is aborted: the running command killed, pending tasks dropped', async () => {
    const controller = new AbortController();
    const pool = new HostPool({ size: 1, settings: { ...isolatedOptions(fleet), signal: controller.signal } });
    pools.push(pool);
    const [h01, h02] = inventoryHostsFor(fleet);
    const started = new Promise<void>((resolve) => pool.once('output', () => resolve()));
    const running = pool.applyAsync(h01!, 'echo started; sleep 30');
    const pending = pool.applyAsync(h02!, 'echo never');
    await started;
    controller.abort();
    expect((await running.get()).error!.code).to.equal('ABORTED');
    expect(await rejectionOf(pending.get())).to.be.instanceOf(PoolTerminatedError);
    expect(captured(() => pool.applyAsync(h01!, 'true'))).to.be.instanceOf(PoolClosedError);
  });

  it('takes plain names without an inventory, resolved through ssh_config as runCommand takes them', async () => {
    const pool = new HostPool({ size: 2, settings: { agentSocket: null, sshConfigFile: fleet.sshConfigPath } });
    pools.push(pool);
    const records = await pool.map(['h02', 'h01'], 'echo hi');
    expect(records.map((record) => [record.host, record.status, record.stdout, record.port])).to.deep.equal([
      ['h02', 'ok', 'hi\n', fleet.host('h02').port],
      ['h01', 'ok', 'hi\n', fleet.host('h01').port],
    ]);
  });

  it('says each ssh_config warning once, as the pool reads its ssh_config', async () => {
    const config = path.join(tempDir(), 'ssh_config');
    await writeFile(config, 'UseKeychain yes\n');
    const pool = new HostPool({ size: 2, settings: { ...isolatedOptions(fleet), sshConfigFile: config } });
    pools.push(pool);
    const warnings: string[] = [];
    pool.on('warning', (warning) => warnings.push(warning));
    const records = await pool.map(inventoryHostsFor(fleet), 'true');
    expect(records.map((record) => record.status)).to.deep.equal(['ok', 'ok']);
    expect(warnings).to.deep.equal([`${config}:1: unknown keyword UseKeychain; ignored (ssh would refuse the file unless IgnoreUnknown names it)`]);
  });
});

function captured(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}
