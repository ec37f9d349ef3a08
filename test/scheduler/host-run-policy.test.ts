import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { runCommand, streamCommand } from '../../src/run/host-run.js';
import type { HostResult } from '../../src/run/host-result.js';
import { CONTINUE, INPUT_ORDER } from '../../src/scheduler/index.js';
import type { SchedulePolicy } from '../../src/scheduler/index.js';
import { Fleet, closedPort } from '../fleet/index.js';
import { inventoryHost, inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

/** A test-only policy given to a real run: no host starts once one has failed (pdsh -k's shape). */
function stopAtFirstFailure(): SchedulePolicy<HostResult[]> {
  return {
    waves: INPUT_ORDER.waves,
    finished: (host, results) =>
      results.every((result) => result.status === 'ok') ? CONTINUE : { next: 'stop', reason: new SshpoolError('MAX_FAIL_TEST', `stopped after ${host.label} failed`) },
  };
}

describe('a run given a scheduling policy (HostRun unchanged)', function () {
  this.timeout(60_000);
  let fleet: Fleet;

  before(async () => {
    fleet = await Fleet.start({ hosts: 3 });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('starts no host after the policy stops; those are recorded skipped with its code, every record in input order', async () => {
    const [h01, h02, h03] = inventoryHostsFor(fleet);
    const down = inventoryHost('down', '127.0.0.1', await closedPort(), fleet);
    const hosts = [h01!, down, h02!, h03!];
    const results = await runCommand(hosts, ['echo one', 'echo two'], { ...isolatedOptions(fleet), forks: 1, policy: stopAtFirstFailure() });
    const names = hosts.map((host) => host.name);
    expect(results.map((result) => result.host)).to.deep.equal([...names, ...names]);
    expect(results.slice(0, 4).map((result) => [result.status, result.error?.code ?? null])).to.deep.equal([
      ['ok', null],
      ['unreachable', 'CONNECT_REFUSED'],
      ['skipped', 'MAX_FAIL_TEST'],
      ['skipped', 'MAX_FAIL_TEST'],
    ]);
    expect(results[2]!.error!.message).to.equal('stopped after down failed');
    expect(results.slice(4).map((result) => [result.command, result.status])).to.deep.equal([
      ['echo two', 'ok'],
      ['echo two', 'unreachable'],
      ['echo two', 'skipped'],
      ['echo two', 'skipped'],
    ]);
  });

  it('keepOutput false: the results keep no output, the hostDone events carry it whole', async () => {
    const hosts = inventoryHostsFor(fleet);
    const run = streamCommand(hosts, 'echo "out $PPID"; echo err >&2', { ...isolatedOptions(fleet), forks: 2, keepOutput: false });
    const done: HostResult[] = [];
    run.on('hostDone', (result) => done.push(result));
    const results = await run.results;
    expect(results.map((result) => [result.host, result.status, result.stdout, result.stderr])).to.deep.equal(hosts.map((host) => [host.name, 'ok', '', '']));
    expect(done).to.have.length(hosts.length);
    for (const result of done) expect([result.stdout, result.stderr]).to.satisfy(([out, err]: string[]) => /^out \d+\n$/.test(out!) && err === 'err\n');
  });
});
