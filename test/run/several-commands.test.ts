import { expect } from 'chai';
import { runCommand, streamCommand } from '../../src/run/host-run.js';
import type { HostDoneDetail } from '../../src/run/host-run.js';
import type { HostResult } from '../../src/run/host-result.js';
import { SshContext } from '../../src/ssh/ssh-context.js';
import { resolveTarget } from '../../src/ssh/target-settings.js';
import { runRemoteCommand } from '../../src/ssh/remote-command.js';
import { Fleet, closedPort } from '../fleet/index.js';
import { inventoryHost, inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

describe('several commands per host over one connection', function () {
  this.timeout(60_000);
  let fleet: Fleet;

  before(async () => {
    fleet = await Fleet.start({ hosts: 4 });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('runs every command on one SSH connection per host: the client port is the same for all', async () => {
    const commands = ['echo "$SSH_CONNECTION"', 'echo "$SSH_CONNECTION"', 'echo "$SSH_CONNECTION"'];
    const hosts = inventoryHostsFor(fleet);
    const results = await runCommand(hosts, commands, { ...isolatedOptions(fleet), forks: 2 });
    expect(results).to.have.length(hosts.length * commands.length);
    const clientPorts = hosts.map((_, host) => {
      const own = commands.map((_, command) => results[command * hosts.length + host] as HostResult);
      for (const result of own) expect(result.status, JSON.stringify(result)).to.equal('ok');
      return new Set(own.map((result) => result.stdout.split(' ')[1]));
    });
    for (const ports of clientPorts) expect(ports.size).to.equal(1);
    // Different hosts were different connections, so the test would see a second connection per host.
    expect(new Set(clientPorts.map((ports) => [...ports][0])).size).to.equal(hosts.length);
  });

  it('orders records command by command, each in input order, and names the command in hostDone', async () => {
    const hosts = inventoryHostsFor(fleet);
    const seen: Array<[string, number]> = [];
    const run = streamCommand(hosts, ['echo one', 'exit 3', 'echo three'], { ...isolatedOptions(fleet), forks: 4 });
    run.on('hostDone', (result: HostResult, detail: HostDoneDetail) => seen.push([result.host, detail.command]));
    const results = await run.results;
    const names = hosts.map((host) => host.name);
    expect(results.map((r) => r.host)).to.deep.equal([...names, ...names, ...names]);
    expect(results.map((r) => r.command)).to.deep.equal(['echo one', 'exit 3', 'echo three'].flatMap((command) => names.map(() => command)));
    expect(results.slice(0, 4).map((r) => r.stdout)).to.deep.equal(['one\n', 'one\n', 'one\n', 'one\n']);
    // A failing command does not stop the ones after it, as separate runs would not.
    expect(results.slice(4, 8).map((r) => [r.status, r.exitCode])).to.deep.equal(names.map(() => ['failed', 3]));
    expect(results.slice(8).map((r) => r.stdout)).to.deep.equal(names.map(() => 'three\n'));
    expect(seen).to.have.deep.members(names.flatMap((name) => [0, 1, 2].map((command) => [name, command] as [string, number])));
  });

  it('removes each command’s loss handler when it ends: the count on the connection stays flat over many commands', async () => {
    const [host] = inventoryHostsFor(fleet, [fleet.host('h01')]);
    const options = isolatedOptions(fleet);
    const context = await SshContext.create(options);
    const counts: Array<{ running: number; after: number }> = [];
    const outputs: string[] = [];
    try {
      const target = resolveTarget(host!, options, context.sshConfig);
      if (target.kind !== 'ssh') throw new Error(`expected an SSH target, got ${target.kind}`);
      await context.prepare([target]);
      const connection = await context.connect(target, new AbortController().signal);
      for (let index = 0; index < 6; index += 1) {
        let running = -1;
        const outcome = await runRemoteCommand(connection, `echo ${index}`, { maxOutputBytes: 1024, onOutput: () => (running = connection.listenerCount('lost')) });
        counts.push({ running, after: connection.listenerCount('lost') });
        outputs.push(outcome.stdout.text());
      }
      connection.close();
    } finally {
      context.close();
    }
    expect(outputs).to.deep.equal(counts.map((_, index) => `${index}\n`));
    // One handler while a command runs (so a lost connection ends it), none left once it is done.
    expect(counts).to.deep.equal(outputs.map(() => ({ running: 1, after: 0 })));
  });

  it('gives an unreachable host one unreachable record per command', async () => {
    const down = inventoryHost('down', '127.0.0.1', await closedPort(), fleet);
    const results = await runCommand([down], ['true', 'true'], isolatedOptions(fleet));
    expect(results.map((r) => [r.host, r.status])).to.deep.equal([
      ['down', 'unreachable'],
      ['down', 'unreachable'],
    ]);
  });
});
