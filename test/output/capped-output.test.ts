import { expect } from 'chai';
import { CappedOutput } from '../../src/ssh/capped-output.js';

describe('CappedOutput', () => {
  it('keeps everything under the limit', () => {
    const output = new CappedOutput(10);
    output.push(Buffer.from('abc'));
    output.push(Buffer.from('def'));
    expect(output.text()).to.equal('abcdef');
    expect(output.truncated).to.equal(false);
    expect(output.totalBytes).to.equal(6);
  });

  it('keeps the first bytes up to the limit, counts the rest, and marks truncation', () => {
    const output = new CappedOutput(4);
    output.push(Buffer.from('abc'));
    output.push(Buffer.from('defgh'));
    output.push(Buffer.from('ijk'));
    expect(output.text()).to.equal('abcd');
    expect(output.truncated).to.equal(true);
    expect(output.totalBytes).to.equal(11);
  });

  it('is not truncated when the output is exactly the limit', () => {
    const output = new CappedOutput(3);
    output.push(Buffer.from('abc'));
    expect(output.truncated).to.equal(false);
  });
});
