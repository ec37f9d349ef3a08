import { expect } from 'chai';
import fc from 'fast-check';
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

  it('cuts an overlong line between UTF-8 characters, never inside one', () => {
    const splitter = new LineSplitter(5);
    // "a€€" is 7 bytes: a 5-byte piece would end in the middle of the second €.
    expect(text(splitter.push(Buffer.from('a€€€\n')))).to.deep.equal(['a€', '€', '€']);
    expect(text(splitter.push(Buffer.from('🎉🎉')))).to.deep.equal(['🎉']);
    expect(splitter.flush()?.toString()).to.equal('🎉');
  });

  it('property: however the bytes arrive, every piece decodes to the characters sent, and none is longer than the limit', () => {
    const character = fc.constantFrom('a', 'é', '€', '中', '🎉', '\n');
    fc.assert(
      fc.property(fc.array(character, { maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 4, max: 12 }), (characters, sizes, limit) => {
        const sent = Buffer.from(characters.join(''));
        const splitter = new LineSplitter(limit);
        const pieces: Buffer[] = [];
        for (let offset = 0, turn = 0; offset < sent.length; turn += 1) {
          const size = sizes[turn % sizes.length] as number;
          pieces.push(...splitter.push(sent.subarray(offset, offset + size)));
          offset += size;
        }
        const rest = splitter.flush();
        if (rest) pieces.push(rest);
        for (const piece of pieces) {
          expect(piece.length).to.be.at.most(limit);
          expect(Buffer.from(piece.toString('utf8'))).to.deep.equal(piece);
        }
        expect(pieces.map((piece) => piece.toString()).join('')).to.equal(characters.filter((c) => c !== '\n').join(''));
      }),
    );
  });

  it('cuts bytes that are not UTF-8 anywhere, still within the limit', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x0a])).map((line) => line.length)).to.deep.equal([4, 1]);
    expect(splitter.push(Buffer.from([0x41, 0x41, 0x41, 0xe2, 0x41, 0x0a])).map((line) => line.length)).to.deep.equal([3, 2]);
  });
});
