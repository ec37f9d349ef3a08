import { readdir } from 'node:fs/promises';
import { expect } from 'chai';
import { RecordStore } from '../../src/output/record-store.js';
import { record } from '../helpers/records.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('RecordStore', () => {
  const tempDir = tempDirPerTest('sshpool-store-');

  it('gives records in run order (command by command, hosts in input order), a later record replacing an earlier', () => {
    const store = new RecordStore(['a', 'b', 'c'], { tmpDir: tempDir() });
    store.add(record({ host: 'c', stdout: 'c0' }), 0);
    store.add(record({ host: 'a', stdout: 'a1' }), 1);
    store.add(record({ host: 'a', stdout: 'a0' }), 0);
    store.add(record({ host: 'c', stdout: 'c0 again' }), 0);
    expect([...store.records()].map((r) => r.stdout)).to.deep.equal(['a0', 'c0 again', 'a1']);
    expect([...store.records(1)].map((r) => r.stdout)).to.deep.equal(['a1']);
    expect(store.record(0, 'b')).to.equal(undefined);
    store.close();
  });

  it('past its budget, keeps output in a private file and reads it back whole, byte for byte; close removes the file', async () => {
    const store = new RecordStore(['a', 'b', 'c'], { budgetBytes: 10, tmpDir: tempDir() });
    const big = 'é'.repeat(100) + '\u0000\u001b]52;c;x\u0007';
    store.add(record({ host: 'a', stdout: '12345' }));
    store.add(record({ host: 'b', stdout: big, stderr: 'warn\n' }));
    store.add(record({ host: 'c', stdout: '123456' }));
    const [spill] = await readdir(tempDir());
    expect(spill).to.match(/^sshpool-output-/);
    expect([...store.records()].map((r) => [r.host, r.stdout, r.stderr])).to.deep.equal([['a', '12345', ''], ['b', big, 'warn\n'], ['c', '123456', '']]);
    expect(store.record(0, 'c')!.stdout).to.equal('123456');
    expect(store.outlines().map((r) => [r.host, r.stdout, r.stderr, r.status])).to.deep.equal([['a', '', '', 'ok'], ['b', '', '', 'ok'], ['c', '', '', 'ok']]);
    store.close();
    expect(await readdir(tempDir())).to.deep.equal([]);
  });

  it('says once, at the first record past its budget, that the run prints more than it keeps', () => {
    const overBudget: string[] = [];
    const store = new RecordStore(['a', 'b', 'c', 'd'], { budgetBytes: 10, tmpDir: tempDir(), onOverBudget: () => overBudget.push('over') });
    store.add(record({ host: 'a', stdout: '1234567890' }));
    expect(overBudget).to.deep.equal([]);
    store.add(record({ host: 'b', stdout: 'x' }));
    store.add(record({ host: 'c', stdout: 'more' }));
    store.add(record({ host: 'd', stdout: 'and more' }));
    expect(overBudget).to.deep.equal(['over']);
    store.close();
  });

  it('keeps a copy: a record changed after it was added does not change the store', () => {
    const store = new RecordStore(['a']);
    const result = record({ host: 'a', stdout: 'x' });
    store.add(result);
    result.stdout = 'changed';
    expect(store.record(0, 'a')!.stdout).to.equal('x');
  });
});
