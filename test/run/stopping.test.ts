import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { pingHosts, runCommand, streamCommand } from '../../src/run/host-run.js';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet, silentPort } from '../fleet/index.js';
import { inventoryHost, inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

/** Resolves once `check` holds; polled, since a server accepting a TCP connection is not an event the run emits. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('stopping a run: the signal given to runCommand, streamCommand and pingHosts', function () {
  this.timeout(30_000);
  let fleet: Fleet;
  let silent: Awaited<ReturnType<typeof silentPort>>;

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
    silent = await silentPort();
  });
  after(async () => {
    await silent?.close();
    await fleet?.stop();
  });

  const hosts = () => [...inventoryHostsFor(fleet), inventoryHost('silent', '127.0.0.1', silent.port, fleet)];
  const expectAllAborted = (results: readonly HostResult[], count: number) => {
    expect(results).to.have.length(count);
    for (const result of results) {
      expect(result, JSON.stringify(result)).to.include({ status: 'skipped' });
      expect(result.error!.code).to.equal('ABORTED');
    }
  };

  it('skips every host, contacting none, when the signal is already aborted as the run starts', async () => {
    const marker = `/tmp/sshpool-aborted-run-${process.pid}`;
    const signal = AbortSignal.abort();
    const before = silent.accepted();
    expectAllAborted(await runCommand(hosts(), `touch ${marker}`, { ...isolatedOptions(fleet), signal }), 3);
    expectAllAborted(await pingHosts(hosts(), { ...isolatedOptions(fleet), signal }), 3);
    const stream = streamCommand(hosts(), ['true', 'true'], { ...isolatedOptions(fleet), signal });
    const done: string[] = [];
    stream.on('hostDone', (result) => done.push(result.host));
    expectAllAborted(await stream.results, 6);
    expect(done).to.have.length(6);
    expect(silent.accepted()).to.equal(before);
    expect(await readFile(marker).then(() => true, () => false)).to.equal(false);
  });

  it('records hosts still connecting when the signal aborts as ABORTED, at once, not as CONNECT_TIMEOUT later', async () => {
    const controller = new AbortController();
    const before = silent.accepted();
    const stream = streamCommand([inventoryHost('silent', '127.0.0.1', silent.port, fleet)], 'true', { ...isolatedOptions(fleet), connectTimeoutMs: 20_000, signal: controller.signal });
    // The TCP connect is made early, before the host starts (while keys are read): the host is connecting once it started too.
    await new Promise((resolve) => stream.once('hostStart', resolve));
    await until(() => silent.accepted() > before);
    const stopped = Date.now();
    controller.abort();
    const [result] = await stream.results;
    expect(Date.now() - stopped).to.be.below(1000);
    expectAllAborted([result!], 1);
    expect(result!.error!.message).to.equal('silent: run stopped while connecting');
  });
});
