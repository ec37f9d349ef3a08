import { expect } from 'chai';
import { closedPort } from '../fleet/index.js';
import { fleetCli } from '../helpers/fleet-cli.js';

describe('scheduling policies through the real binary (--max-fail, --order, --batch) against a real sshd fleet', function () {
  this.timeout(60_000);
  const cli = fleetCli(3, 'sshpool-policies-');
  const { sshpool, inventory, base, records } = cli;

  it('--max-fail 0 -f 1 with a closed port first: no further host starts; they are skipped with MAX_FAIL saying the limit and the count; exit 4', async () => {
    const down = { ansible_host: '127.0.0.1', ansible_port: await closedPort() };
    const file = await inventory('max-fail', { down, ...cli.fleetHosts });
    const { code, stdout } = await sshpool(['run', ...base(file), '-f', '1', '--max-fail', '0', '--', 'echo ran']);
    expect(code).to.equal(4);
    const results = records(stdout);
    expect(results.map((result) => [result.host, result.status, result.error?.code ?? null, result.stdout])).to.deep.equal([
      ['down', 'unreachable', 'CONNECT_REFUSED', ''],
      ['h01', 'skipped', 'MAX_FAIL', ''],
      ['h02', 'skipped', 'MAX_FAIL', ''],
      ['h03', 'skipped', 'MAX_FAIL', ''],
    ]);
    expect(results[1]!.error!.message).to.equal('max-fail 0 exceeded: 1 of 4 hosts failed (the last down); no further host started');
  });

  it('without --max-fail every host runs after a failure (the default: no limit)', async () => {
    const down = { ansible_host: '127.0.0.1', ansible_port: await closedPort() };
    const file = await inventory('no-limit', { down, ...cli.fleetHosts });
    const { code, stdout } = await sshpool(['run', ...base(file), '-f', '1', '--', 'echo ran']);
    expect(code).to.equal(4);
    expect(records(stdout).map((result) => result.status)).to.deep.equal(['unreachable', 'ok', 'ok', 'ok']);
  });

  it('--max-fail 50%: one failure of 4 hosts is within it, every host runs', async () => {
    const down = { ansible_host: '127.0.0.1', ansible_port: await closedPort() };
    const file = await inventory('percent', { down, ...cli.fleetHosts });
    const { stdout } = await sshpool(['run', ...base(file), '-f', '1', '--max-fail', '50%', '--', 'echo ran']);
    expect(records(stdout).map((result) => result.status)).to.deep.equal(['unreachable', 'ok', 'ok', 'ok']);
  });

  it('--order sorted -f 1: hosts start in name order (startedAt), records come back in inventory order', async () => {
    const { h01, h02, h03 } = cli.fleetHosts;
    const file = await inventory('order', { h03: h03!, h01: h01!, h02: h02! });
    const { code, stdout } = await sshpool(['run', ...base(file), '-f', '1', '--order', 'sorted', '--', 'true']);
    expect(code).to.equal(0);
    const results = records(stdout);
    expect(results.map((result) => result.host)).to.deep.equal(['h03', 'h01', 'h02']);
    const started = [...results].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)).map((result) => result.host);
    expect(started).to.deep.equal(['h01', 'h02', 'h03']);
    const { stdout: inInventoryOrder } = await sshpool(['run', ...base(file), '-f', '1', '--', 'true']);
    const defaultStarts = [...records(inInventoryOrder)].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)).map((result) => result.host);
    expect(defaultStarts).to.deep.equal(['h03', 'h01', 'h02'], 'the default is inventory order');
  });

  it('--order shuffle says its seed on stderr unless --seed gives it; a bad --max-fail names the option (exit 2)', async () => {
    const { stderr } = await sshpool(['ping', ...base(cli.fleet.inventoryPath), '--order', 'shuffle']);
    const seed = /--order shuffle with seed (\d+) \(--seed \1 repeats this order\)/.exec(stderr);
    expect(seed, stderr).to.not.equal(null);
    const seeded = await sshpool(['ping', ...base(cli.fleet.inventoryPath), '--order', 'shuffle', '--seed', seed![1]!]);
    expect(seeded.code).to.equal(0);
    expect(seeded.stderr).to.not.match(/seed/);
    const bad = await sshpool(['ping', ...base(cli.fleet.inventoryPath), '--max-fail', '120%']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--max-fail: "120%" is not a percentage from 0% to 100%/);
  });

  it('--batch 1,2 -f 4: each batch starts once the one before has finished (records\' startedAt), the last size repeating', async () => {
    const { h01, h02, h03 } = cli.fleetHosts;
    const file = await inventory('batches', { h01: h01!, h02: h02!, h03: h03!, h01again: { ...h01! }, h02again: { ...h02! } });
    const { code, stdout } = await sshpool(['run', ...base(file), '-f', '4', '--batch', '1,2', '--', 'sleep 0.2']);
    expect(code).to.equal(0);
    const results = records(stdout);
    const startOf = (index: number): number => Date.parse(results[index]!.startedAt);
    const endOf = (index: number): number => startOf(index) + results[index]!.durationMs;
    const batchesRun = [[0], [1, 2], [3, 4]];
    for (const [earlier, later] of [[batchesRun[0]!, batchesRun[1]!], [batchesRun[1]!, batchesRun[2]!]] as const) {
      for (const before of earlier) for (const after of later) expect(startOf(after)).to.be.at.least(endOf(before), `${results[after]!.host} started before ${results[before]!.host} ended`);
    }
  });

  it('--batch 2 --max-fail 0: a failure in the first batch skips the later batches with MAX_FAIL', async () => {
    const down = { ansible_host: '127.0.0.1', ansible_port: await closedPort() };
    const { h01, h02, h03 } = cli.fleetHosts;
    const file = await inventory('batch-max-fail', { h01: h01!, down, h02: h02!, h03: h03! });
    const { code, stdout } = await sshpool(['run', ...base(file), '-f', '4', '--batch', '2', '--max-fail', '0', '--', 'true']);
    expect(code).to.equal(4);
    expect(records(stdout).map((result) => [result.host, result.status, result.error?.code ?? null])).to.deep.equal([
      ['h01', 'ok', null],
      ['down', 'unreachable', 'CONNECT_REFUSED'],
      ['h02', 'skipped', 'MAX_FAIL'],
      ['h03', 'skipped', 'MAX_FAIL'],
    ]);
  });
});
