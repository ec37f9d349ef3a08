import { expect } from 'chai';
import { LineSplitter } from '../../src/output/line-splitter.js';

const text = (lines: Buffer[]) => lines.map((line) => line.toString());

describe('LineSplitter', () => {
  it('carries a partial line across chunks and returns whole lines only', () => {
    const splitter = new LineSplitter();
    expect(text(splitter.push(Buffer.from('one\ntw')))).to.deep.equal(['one']);
    expect(text(splitter.push(Buffer.from('o')))).to.deep.equal([]);
    expect(text(splitter.push(Buffer.from('\nthree\n\nfour')))).to.deep.equal(['two', 'three', '']);
    expect(splitter.flush()?.toString()).to.equal('four');
    expect(splitter.flush()).to.equal(null);
  });

  it('cuts a line longer than its limit into pieces instead of growing', () => {
    const splitter = new LineSplitter(4);
    expect(text(splitter.push(Buffer.from('abcdefghij')))).to.deep.equal(['abcd', 'efgh']);
    expect(text(splitter.push(Buffer.from('kl')))).to.deep.equal([]);
    expect(text(splitter.push(Buffer.from('m\n')))).to.deep.equal(['ijkl', 'm']);
    expect(splitter.flush()).to.equal(null);
  });

  it('keeps a multi-byte character whole when it is split across chunks', () => {
    const splitter = new LineSplitter();
    const euro = Buffer.from('€\n');
    splitter.push(euro.subarray(0, 1));
    expect(text(splitter.push(euro.subarray(1)))).to.deep.equal(['€']);
  });
});
