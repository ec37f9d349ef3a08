import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { attemptsToRetry, readResultsFile, ResultsFileError, ResultsFileWriter } from '../../src/output/results-file.js';
import type { ResultsDocument } from '../../src/output/results-file.js';
import { record } from '../helpers/records.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('the results file', () => {
  const tempDir = tempDirPerTest('sshpool-results-');
  const read = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as ResultsDocument;

  it('exists from the start with every host and no records, then gains records in host order', async () => {
    const file = path.join(tempDir(), 'r.json');
    const writer = await ResultsFileWriter.create(file, ['a', 'b', 'c'], { intervalMs: 20 });
    expect(await read(file)).to.deep.equal({ complete: false, hosts: ['a', 'b', 'c'], results: [] });
    writer.add(record({ host: 'c' }));
    writer.add(record({ host: 'a', status: 'failed', exitCode: 2 }));
    await waitFor(async () => (await read(file)).results.length === 2);
    const partial = await read(file);
    expect(partial.complete).to.equal(false);
    expect(partial.results.map((r) => r.host)).to.deep.equal(['a', 'c']);
    await writer.finish([record({ host: 'a' }), record({ host: 'b' }), record({ host: 'c' })]);
    const done = await read(file);
    expect(done.complete).to.equal(true);
    expect(done.results.map((r) => [r.host, r.status])).to.deep.equal([['a', 'ok'], ['b', 'ok'], ['c', 'ok']]);
    expect(await readdir(tempDir())).to.deep.equal(['r.json']);
  });

  it('rewrites at most once per interval however many hosts finish, and the final write is not delayed', async () => {
    const file = path.join(tempDir(), 'r.json');
    const hosts = Array.from({ length: 200 }, (_, i) => `h${i}`);
    const writer = await ResultsFileWriter.create(file, hosts, { intervalMs: 10_000 });
    for (const host of hosts) writer.add(record({ host }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await read(file)).results, 'no rewrite within the interval of the first write').to.have.length(0);
    const started = Date.now();
    await writer.finish(hosts.map((host) => record({ host })));
    expect(Date.now() - started).to.be.below(2000);
    expect((await read(file)).results).to.have.length(200);
  });

  it('fails before the run when the file cannot be written', async () => {
    const error = await ResultsFileWriter.create(path.join(tempDir(), 'missing', 'r.json'), ['a']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ResultsFileError);
    expect((error as ResultsFileError).code).to.equal('RESULTS_FILE');
  });

  it('reads a results file back, rejecting what is not one', async () => {
    const file = path.join(tempDir(), 'r.json');
    const writer = await ResultsFileWriter.create(file, ['a']);
    await writer.finish([record({ host: 'a' })]);
    expect((await readResultsFile(file)).results[0]?.host).to.equal('a');
    await writeFile(path.join(tempDir(), 'bad.json'), '[1, 2]');
    await writeFile(path.join(tempDir(), 'broken.json'), '{"complete": tr');
    for (const name of ['bad.json', 'broken.json', 'none.json']) {
      const error = await readResultsFile(path.join(tempDir(), name)).catch((e: unknown) => e);
      expect(error, name).to.be.instanceOf(ResultsFileError);
    }
  });

  it('retries every host that did not end ok, one attempt later; hosts without a record as attempt 2', () => {
    const attempts = attemptsToRetry({
      complete: false,
      hosts: ['ok1', 'failed1', 'skipped1', 'missing', 'again'],
      results: [
        record({ host: 'ok1' }),
        record({ host: 'failed1', status: 'failed', exitCode: 1 }),
        record({ host: 'skipped1', status: 'skipped', slot: -1 }),
        record({ host: 'again', status: 'unreachable', attempt: 3 }),
      ],
    });
    expect([...attempts]).to.deep.equal([['failed1', 2], ['skipped1', 2], ['missing', 2], ['again', 4]]);
  });

  it('with several commands, keeps their records apart in run order and retries a host any of whose commands failed', async () => {
    const file = path.join(tempDir(), 'r.json');
    const writer = await ResultsFileWriter.create(file, ['a', 'b'], { intervalMs: 10 });
    writer.add(record({ host: 'b', stdout: 'b1' }), 0);
    writer.add(record({ host: 'b', stdout: 'b2', status: 'failed', exitCode: 1 }), 1);
    writer.add(record({ host: 'a', stdout: 'a1' }), 0);
    await waitFor(async () => (await read(file)).results.length === 3);
    const document = await read(file);
    expect(document.results.map((r) => r.stdout)).to.deep.equal(['a1', 'b1', 'b2']);
    await writer.finish([]);
    expect([...attemptsToRetry(document)]).to.deep.equal([['a', 2], ['b', 2]]);
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met within 2 s');
}

