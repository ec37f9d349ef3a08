import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { stringify } from 'yaml';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet } from '../fleet/index.js';
import type { FleetHost } from '../fleet/index.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const WEB = ['web1', 'web2', 'web3', 'web4', 'web5', 'web6'];
const DB = ['db1', 'db2', 'db3'];

/** The largest number of records running at one instant, from their start times and durations (half-open intervals). */
function mostAtOnce(records: readonly HostResult[]): number {
  const spans = records.map((record) => ({ start: Date.parse(record.startedAt), end: Date.parse(record.startedAt) + record.durationMs }));
  return Math.max(...spans.map(({ start }) => spans.filter((other) => other.start <= start && start < other.end).length));
}

function expectSlotsBelow(records: readonly HostResult[], size: number): void {
  for (const record of records) expect(record.slot).to.be.within(0, size - 1);
}

describe('the HostPool examples (the seed\'s four), run against a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let inventoryFile: string;
  const tempDir = tempDirPerTest('sshpool-host-pool-examples-');

  before(async () => {
    fleet = await Fleet.start({ hosts: WEB.length + DB.length });
  });
  after(async () => {
    await fleet?.stop();
  });
  beforeEach(async () => {
    inventoryFile = path.join(tempDir(), 'inventory.yml');
    const vars = (host: FleetHost) => ({ ansible_host: host.address, ansible_port: host.port, ansible_user: fleet.user, ansible_ssh_private_key_file: fleet.userKeyPath });
    const group = (names: string[], offset: number) => ({ hosts: Object.fromEntries(names.map((name, i) => [name, vars(fleet.hosts[offset + i]!)])) });
    await writeFile(inventoryFile, stringify({ all: { children: { web: group(WEB, 0), db: group(DB, WEB.length) } } }));
  });

  /** Runs the compiled example as a child process; its stdout lines and the records it wrote. */
  async function runExample<R>(name: string): Promise<{ lines: string[]; records: R }> {
    const recordsFile = path.join(tempDir(), 'records.json');
    const args = [path.join(EXAMPLES, `${name}.js`), '--inventory', inventoryFile, '--known-hosts', fleet.knownHostsPath, '--records', recordsFile];
    // No agent and no ~/.ssh/config of this machine's user: only the inventory's key.
    const env = { ...process.env, SSH_AUTH_SOCK: '', HOME: tempDir() };
    const { stdout } = await run(process.execPath, args, { env, timeout: 50_000 });
    return { lines: stdout.trimEnd().split('\n'), records: JSON.parse(await readFile(recordsFile, 'utf8')) as R };
  }

  it('1, applyAsync: "Mark~" before any host\'s "end", at most 3 hosts at once, the 4th after one ended, "done" last', async () => {
    const { lines, records } = await runExample<HostResult[]>('host-pool-1-apply-async');
    const mark = lines.indexOf('Mark~ Mark~ Mark~~~~~~~~~~~~~~~~~~~~~~');
    const firstEnd = lines.findIndex((line) => line.endsWith(': end'));
    expect(mark, lines.join('\n')).to.be.at.least(0);
    expect(mark).to.be.below(firstEnd);
    expect(lines.filter((line) => line.endsWith(': end'))).to.have.length(4);
    expect(lines.at(-1)).to.equal('Sub-process(es) done.');
    expect(lines.indexOf('web4: msg: hello 3')).to.be.above(firstEnd);
    expect(records.map((record) => [record.host, record.status])).to.deep.equal(WEB.slice(0, 4).map((host) => [host, 'ok']));
    expect(mostAtOnce(records)).to.be.at.most(3);
    expectSlotsBelow(records, 3);
    const fourthStart = Date.parse(records[3]!.startedAt);
    expect(records.slice(0, 3).some((record) => Date.parse(record.startedAt) + record.durationMs <= fourthStart)).to.equal(true);
  });

  it('2, apply: each host\'s output complete before the next one starts, "Mark~" after all', async () => {
    const { lines, records } = await runExample<HostResult[]>('host-pool-2-apply');
    const expected = WEB.slice(0, 4).flatMap((host, i) => [`${host}: msg: hello ${i}`, `${host}: end`]);
    expect(lines).to.deep.equal([...expected, 'Mark~ Mark~ Mark~~~~~~~~~~~~~~~~~~~~~~', 'Sub-process(es) done.']);
    expect(mostAtOnce(records)).to.equal(1);
    for (const [i, record] of records.entries()) {
      expect(record.status).to.equal('ok');
      if (i > 0) expect(Date.parse(record.startedAt)).to.be.at.least(Date.parse(records[i - 1]!.startedAt) + records[i - 1]!.durationMs);
    }
  });

  it('3, results with get(): the ":::" lines in submission order, after every host ended', async () => {
    const { lines, records } = await runExample<HostResult[]>('host-pool-3-results');
    const results = lines.filter((line) => line.startsWith(':::'));
    expect(results).to.deep.equal(WEB.slice(0, 3).map((host, i) => `::: ${host} command ok: msg: hello ${i} / end`));
    expect(lines.indexOf(results[0]!)).to.be.above(lines.findLastIndex((line) => line.endsWith(': end')));
    expect(lines.at(-1)).to.equal('Sub-process(es) done.');
    expect(mostAtOnce(records)).to.be.at.most(4);
  });

  it('4, two pools side by side with several kinds of task: both pools\' records, never more than 10 and 2 at once', async () => {
    const { lines, records } = await runExample<{ web: HostResult[]; db: HostResult[] }>('host-pool-4-several-pools');
    expect(records.web.map((record) => `${record.host} ${record.kind} ${record.status}`)).to.deep.equal(WEB.flatMap((host) => [`${host} command ok`, `${host} ping ok`]));
    expect(records.db.map((record) => `${record.host} ${record.kind} ${record.status}`)).to.deep.equal(DB.map((host) => `${host} command ok`));
    expect(mostAtOnce(records.web)).to.be.at.most(10);
    expect(mostAtOnce(records.db)).to.be.at.most(2);
    expectSlotsBelow(records.web, 10);
    expectSlotsBelow(records.db, 2);
    expect(lines.filter((line) => line.startsWith('::: web pool:'))).to.have.length(12);
    expect(lines.filter((line) => line.startsWith('::: db pool:'))).to.deep.equal(DB.map((host, i) => `::: db pool: ${host} command ok: msg: db ${i} / end`));
    expect(lines.at(-1)).to.equal('Sub-process(es) done.');
  });
});
