import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { pingHosts, runCommand, streamCommand } from '../../src/run/host-run.js';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet, closedPort, silentPort, startAgent } from '../fleet/index.js';
import { inventoryHost, inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';
import { eventually, processAlive } from '../helpers/processes.js';
import { rejectionOf } from '../helpers/rejection.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { UsageError } from '../../src/errors.js';

const run = promisify(execFile);

describe('runCommand against a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;

  before(async () => {
    // h01-h10 are healthy, h11 serves a wrong host key, h12 refuses our key, h13 gets killed mid-run.
    fleet = await Fleet.start({ hosts: 13, wrongHostKey: ['h11'], refuseUserKey: ['h12'] });
  });
  after(async () => {
    await fleet?.stop();
  });

  const good = () => inventoryHostsFor(fleet, fleet.hosts.slice(0, 10));

  it('returns one record per host in input order, each from its own host', async () => {
    // Later hosts finish first: the sleep shrinks with the sshd port, so completion order is not input order.
    const hosts = good();
    const ports = fleet.hosts.slice(0, 10).map((h) => h.port);
    const maxPort = Math.max(...ports);
    const command = `p=\${SSH_CONNECTION##* }; sleep 0.$(( (${maxPort} - p) % 10 )); echo "port $p"`;
    const finished: string[] = [];
    const stream = streamCommand(hosts, command, { ...isolatedOptions(fleet), forks: 10 });
    stream.on('hostDone', (r) => finished.push(r.host));
    const results = await stream.results;
    expect(results.map((r) => r.host)).to.deep.equal(hosts.map((h) => h.name));
    results.forEach((r, i) => {
      expect(r.status, JSON.stringify(r)).to.equal('ok');
      expect(r.stdout).to.equal(`port ${ports[i]}\n`);
      expect(r.command).to.equal(command);
      expect(r.exitCode).to.equal(0);
      expect(r.user).to.equal(fleet.user);
    });
    expect(finished).to.have.members(hosts.map((h) => h.name));
    expect(finished).to.not.deep.equal(hosts.map((h) => h.name));
  });

  it('never runs more hosts at once than forks, and records the slot', async () => {
    const results = await runCommand(good(), 'sleep 0.2', { ...isolatedOptions(fleet), forks: 3 });
    expect(results.every((r) => r.status === 'ok')).to.equal(true);
    expect(new Set(results.map((r) => r.slot))).to.deep.equal(new Set([0, 1, 2]));
    const spans = results.map((r) => [Date.parse(r.startedAt), Date.parse(r.startedAt) + r.durationMs] as const);
    const maxOverlap = Math.max(...spans.map(([start]) => spans.filter(([s, e]) => s <= start && start < e).length));
    expect(maxOverlap).to.be.at.most(3);
  });

  it('keeps stdout and stderr apart and records exit codes and signals', async () => {
    const [hostA, hostB, hostC] = good();
    const [a] = await runCommand([hostA!], 'echo out; echo err >&2; exit 3', isolatedOptions(fleet));
    expect(a).to.include({ status: 'failed', exitCode: 3, stdout: 'out\n', stderr: 'err\n', signal: null });
    const [b] = await runCommand([hostB!], 'kill -TERM $$', isolatedOptions(fleet));
    expect(b).to.include({ status: 'failed', exitCode: null, signal: 'SIGTERM' });
    const [c] = await runCommand([hostC!], 'true', isolatedOptions(fleet));
    expect(c).to.include({ status: 'ok', exitCode: 0, stdout: '', stderr: '' });
  });

  it('streams output as it arrives and caps what it keeps', async () => {
    const [host] = good();
    const stream = streamCommand([host!], "head -c 3000000 /dev/zero | tr '\\0' a; echo tail >&2", { ...isolatedOptions(fleet), maxOutputBytes: 1024 });
    let streamed = 0;
    stream.on('output', ({ stream: name, chunk }) => {
      if (name === 'stdout') streamed += chunk.length;
    });
    const [result] = await stream.results;
    expect(streamed).to.equal(3_000_000);
    expect(result!.stdout).to.have.length(1024);
    expect(result!.truncated).to.deep.equal({ stdout: true, stderr: false });
    expect(result!.stderr).to.equal('tail\n');
  });

  it('kills the remote command and its children when it times out', async () => {
    const [host] = good();
    // Distinct sleep lengths mark this test's processes: a foreground child, a background one and a pipeline.
    const tag = 3000 + (process.pid % 900);
    const markers = [`sleep ${tag}1`, `sleep ${tag}2`, `sleep ${tag}3`];
    const command = `${markers[1]} & ${markers[2]} | cat; ${markers[0]}`;
    const started = Date.now();
    const [result] = await runCommand([host!], command, { ...isolatedOptions(fleet), commandTimeoutMs: 700 });
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(result!.status).to.equal('timeout');
    expect(result!.error!.code).to.equal('COMMAND_TIMEOUT');
    for (const marker of markers) {
      expect(await eventually(async () => !(await processAlive(marker)), 3000), `${marker} still alive`).to.equal(true);
    }
  });

  it('sees the remote process alive while it runs (so the kill check above can fail)', async () => {
    const [host] = good();
    const marker = `sleep ${4000 + (process.pid % 900)}9`;
    const stream = streamCommand([host!], `echo go; ${marker}`, { ...isolatedOptions(fleet), commandTimeoutMs: 3000 });
    const seen = new Promise<boolean>((resolve) => stream.once('output', () => resolve(eventually(() => processAlive(marker), 2000))));
    expect(await seen).to.equal(true);
    stream.stop();
    const [result] = await stream.results;
    expect(result!.error!.code).to.equal('ABORTED');
  });

  it('reports a closed port as CONNECT_REFUSED and a silent port as CONNECT_TIMEOUT within the bound', async () => {
    const refused = await closedPort();
    const silent = await silentPort();
    try {
      const hosts = [inventoryHost('closed', '127.0.0.1', refused, fleet), inventoryHost('silent', '127.0.0.1', silent.port, fleet), ...good().slice(0, 1)];
      const started = Date.now();
      const results = await runCommand(hosts, 'echo hi', { ...isolatedOptions(fleet), connectTimeoutMs: 1000 });
      expect(Date.now() - started).to.be.lessThan(4000);
      expect(results.map((r) => [r.status, r.error?.code ?? null])).to.deep.equal([
        ['unreachable', 'CONNECT_REFUSED'],
        ['unreachable', 'CONNECT_TIMEOUT'],
        ['ok', null],
      ]);
    } finally {
      await silent.close();
    }
  });

  it('refuses a timer option a timer cannot hold, naming it, before contacting any host', async () => {
    const silent = await silentPort();
    try {
      const hosts = [inventoryHost('silent', '127.0.0.1', silent.port, fleet)];
      for (const [name, value] of [['commandTimeoutMs', 2 ** 31], ['connectTimeoutMs', 0.5], ['serverAliveIntervalMs', 3e12], ['commandTimeoutMs', -1]] as const) {
        const error = await rejectionOf(runCommand(hosts, 'true', { ...isolatedOptions(fleet), [name]: value }), UsageError);
        expect(error.message).to.match(new RegExp(`^${name}: ${value} \\(ms\\) is`));
      }
      expect(silent.accepted()).to.equal(0);
    } finally {
      await silent.close();
    }
  });

  it('refuses a changed host key and runs nothing there', async () => {
    const [mismatch] = inventoryHostsFor(fleet, [fleet.host('h11')]);
    const marker = `/tmp/sshpool-should-not-exist-${process.pid}`;
    const [result] = await runCommand([mismatch!], `touch ${marker}`, isolatedOptions(fleet));
    expect(result!.status).to.equal('unreachable');
    expect(result!.error!.code).to.equal('HOSTKEY_MISMATCH');
    expect(result!.error!.message).to.match(/SHA256:/);
    const exists = await readFile(marker).then(() => true, () => false);
    expect(exists).to.equal(false);
  });

  it('reports a refused key as AUTH_FAILED', async () => {
    const [refusing] = inventoryHostsFor(fleet, [fleet.host('h12')]);
    const [result] = await runCommand([refusing!], 'true', isolatedOptions(fleet));
    expect(result!.status).to.equal('unreachable');
    expect(result!.error!.code).to.equal('AUTH_FAILED');
  });

  describe('unknown host keys', () => {
    const tempDir = tempDirPerTest('sshpool-kh-');

    it('fails unknown hosts under yes', async () => {
      const knownHosts = path.join(tempDir(), 'known_hosts');
      const results = await runCommand(good().slice(0, 2), 'true', { ...isolatedOptions(fleet), knownHostsFiles: [knownHosts] });
      expect(results.map((r) => r.error?.code)).to.deep.equal(['HOSTKEY_UNKNOWN', 'HOSTKEY_UNKNOWN']);
    });

    it('records new keys under accept-new, once each, even when all hosts finish together', async () => {
      const knownHosts = path.join(tempDir(), 'known_hosts');
      const options = { ...isolatedOptions(fleet), knownHostsFiles: [knownHosts], forks: 10 };
      const first = await runCommand(good(), 'true', { ...options, strictHostKeyChecking: 'accept-new' });
      expect(first.every((r) => r.status === 'ok')).to.equal(true);
      const lines = (await readFile(knownHosts, 'utf8')).trim().split('\n');
      expect(lines).to.have.length(10);
      for (const host of fleet.hosts.slice(0, 10)) {
        const { stdout } = await run('ssh-keygen', ['-F', `[127.0.0.1]:${host.port}`, '-f', knownHosts]);
        expect(stdout).to.include(host.hostKeyPublic.split(' ')[1]);
      }
      const second = await runCommand(good(), 'true', { ...options, strictHostKeyChecking: 'yes' });
      expect(second.every((r) => r.status === 'ok')).to.equal(true);
    });

    it('still refuses a changed key under accept-new', async () => {
      const [mismatch] = inventoryHostsFor(fleet, [fleet.host('h11')]);
      const [result] = await runCommand([mismatch!], 'true', { ...isolatedOptions(fleet), strictHostKeyChecking: 'accept-new' });
      expect(result!.error!.code).to.equal('HOSTKEY_MISMATCH');
    });
  });

  it('authenticates through ssh-agent', async () => {
    const agent = await startAgent([fleet.userKeyPath]);
    try {
      const hosts = good()
        .slice(0, 2)
        .map((h) => ({ ...h, vars: { ...h.vars, ansible_ssh_private_key_file: undefined } }));
      const results = await runCommand(hosts, 'echo via-agent', { ...isolatedOptions(fleet), agentSocket: agent.socket, identityFiles: [] });
      expect(results.map((r) => [r.status, r.stdout])).to.deep.equal([
        ['ok', 'via-agent\n'],
        ['ok', 'via-agent\n'],
      ]);
      const without = await runCommand(hosts.slice(0, 1), 'true', { ...isolatedOptions(fleet), identityFiles: [] });
      expect(without[0]!.error!.code).to.equal('AUTH_FAILED');
    } finally {
      await agent.stop();
    }
  });

  it('resolves hosts through ssh_config (-F) and reaches one host through another with ProxyJump', async () => {
    const options = { sshConfigFile: fleet.sshConfigPath, agentSocket: null };
    const direct = await runCommand(['h01', 'h02'], 'echo ${SSH_CONNECTION##* }', options);
    expect(direct.map((r) => r.stdout)).to.deep.equal([`${fleet.host('h01').port}\n`, `${fleet.host('h02').port}\n`]);
    expect(direct.map((r) => r.address)).to.deep.equal(['127.0.0.1', '127.0.0.1']);

    const jumped = await runCommand(['h02', 'h03'], 'echo ${SSH_CONNECTION##* }', { ...options, proxyJump: 'h01' });
    expect(jumped.map((r) => [r.status, r.stdout])).to.deep.equal([
      ['ok', `${fleet.host('h02').port}\n`],
      ['ok', `${fleet.host('h03').port}\n`],
    ]);
  });

  it('pings: connects and authenticates only', async () => {
    const results = await pingHosts([...good().slice(0, 2), ...inventoryHostsFor(fleet, [fleet.host('h12')])], isolatedOptions(fleet));
    expect(results.map((r) => r.status)).to.deep.equal(['ok', 'ok', 'unreachable']);
    expect(results.map((r) => r.command)).to.deep.equal([null, null, null]);
  });

  it('keeps the other hosts going when one sshd dies mid-run', async () => {
    const victim = fleet.host('h13');
    const hosts = [...good().slice(0, 2), ...inventoryHostsFor(fleet, [victim])];
    const stream = streamCommand(hosts, 'echo started; sleep 3; echo finished', isolatedOptions(fleet));
    const startedOn = new Set<string>();
    const killed = new Promise<void>((resolve) => {
      stream.on('output', ({ host }) => {
        startedOn.add(host);
        if (startedOn.size === 3) resolve(fleet.kill(victim.name));
      });
    });
    const results: HostResult[] = await stream.results;
    await killed;
    expect(results.map((r) => r.status)).to.deep.equal(['ok', 'ok', 'unreachable']);
    expect(results[2]!.error!.code).to.be.oneOf(['CONNECTION_LOST', 'CONNECT_RESET']);
    expect(results[2]!.stdout).to.equal('started\n');
  });
});

