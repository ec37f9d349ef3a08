import { appendFile, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { attemptsToRetry, readResultsFile, ResultsFileError, ResultsFileWriter } from '../../src/output/results-file.js';
import type { ResultsDocument } from '../../src/output/results-file.js';
import { record } from '../helpers/records.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('the results file', () => {
  const tempDir = tempDirPerTest('sshpool-results-');
  const read = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as ResultsDocument;

  it('exists from the start with every host and no records; records are readable in host order while the run goes on', async () => {
    const file = path.join(tempDir(), 'r.json');
    const writer = await ResultsFileWriter.create(file, ['a', 'b', 'c']);
    expect(await read(file)).to.deep.equal({ complete: false, hosts: ['a', 'b', 'c'], results: [] });
    writer.add(record({ host: 'c' }));
    writer.add(record({ host: 'a', status: 'failed', exitCode: 2 }));
    const partial = await readResultsFile(file);
    expect(partial.complete).to.equal(false);
    expect(partial.results.map((r) => [r.host, r.status])).to.deep.equal([['a', 'failed'], ['c', 'ok']]);
    await writer.finish([record({ host: 'a' }), record({ host: 'b' }), record({ host: 'c' })]);
    const done = await read(file);
    expect(done.complete).to.equal(true);
    expect(done.results.map((r) => [r.host, r.status])).to.deep.equal([['a', 'ok'], ['b', 'ok'], ['c', 'ok']]);
    expect(await readdir(tempDir()), 'the journal is gone once the document is whole').to.deep.equal(['r.json']);
  });

  it('does not rewrite the file while hosts finish: each record is one line appended to the journal', async () => {
    const file = path.join(tempDir(), 'r.json');
    const hosts = Array.from({ length: 200 }, (_, i) => `h${i}`);
    const writer = await ResultsFileWriter.create(file, hosts);
    const before = await readFile(file, 'utf8');
    for (const host of hosts) writer.add(record({ host }));
    expect(await readFile(file, 'utf8'), 'the file as it was written at the start').to.equal(before);
    expect((await readFile(`${file}.journal`, 'utf8')).split('\n')).to.have.length(201);
    await writer.finish(hosts.map((host) => record({ host })));
    expect((await read(file)).results).to.have.length(200);
  });

  it('writes the same text as JSON.stringify of the whole document, one record at a time', async () => {
    const file = path.join(tempDir(), 'r.json');
    const results = [record({ host: 'a', stdout: 'x\ny' }), record({ host: 'b', truncated: { stdout: true, stderr: false } })];
    const writer = await ResultsFileWriter.create(file, ['a', 'b']);
    await writer.finish(results);
    expect(await readFile(file, 'utf8')).to.equal(`${JSON.stringify({ complete: true, hosts: ['a', 'b'], results }, null, 2)}\n`);
  });

  it('after a crash, reads the records of the journal, dropping a last line cut short, so --retry-failed works', async () => {
    const file = path.join(tempDir(), 'r.json');
    const writer = await ResultsFileWriter.create(file, ['a', 'b', 'c']);
    writer.add(record({ host: 'b', status: 'failed', exitCode: 1 }));
    writer.add(record({ host: 'a' }));
    // What a process killed in the middle of an append leaves behind; the writer is never finished.
    await appendFile(`${file}.journal`, '{"command":0,"record":{"host":"c","sta');
    const document = await readResultsFile(file);
    expect(document.results.map((r) => r.host)).to.deep.equal(['a', 'b']);
    expect([...attemptsToRetry(document)]).to.deep.equal([['b', 2], ['c', 2]]);
    await writeFile(`${file}.journal`, 'garbage\n{"command":0,"record":{}}\n');
    expect(await readResultsFile(file).catch((e: unknown) => e)).to.be.instanceOf(ResultsFileError).with.property('message').that.matches(/r\.json\.journal:1: not a journal line/);
  });

  it('refuses a directory as the results file before the run', async () => {
    const error = await ResultsFileWriter.create(tempDir(), ['a']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ResultsFileError).with.property('message').that.matches(/is a directory/);
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
    const writer = await ResultsFileWriter.create(file, ['a', 'b']);
    writer.add(record({ host: 'b', stdout: 'b1' }), 0);
    writer.add(record({ host: 'b', stdout: 'b2', status: 'failed', exitCode: 1 }), 1);
    writer.add(record({ host: 'a', stdout: 'a1' }), 0);
    const document = await readResultsFile(file);
    expect(document.results.map((r) => r.stdout)).to.deep.equal(['a1', 'b1', 'b2']);
    await writer.finish([]);
    expect([...attemptsToRetry(document)]).to.deep.equal([['a', 2], ['b', 2]]);
  });
});
