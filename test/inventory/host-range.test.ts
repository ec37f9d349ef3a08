import { expect } from 'chai';
import { expandHostRange, HostRangeError } from '../../src/inventory/host-range.js';

describe('expandHostRange', () => {
  it('keeps zero padding', () => {
    expect(expandHostRange('web[08:11].example.com')).to.deep.equal([
      'web08.example.com', 'web09.example.com', 'web10.example.com', 'web11.example.com',
    ]);
  });

  it('expands letters, strides and an omitted begin', () => {
    expect(expandHostRange('db-[a:f:2]')).to.deep.equal(['db-a', 'db-c', 'db-e']);
    expect(expandHostRange('n[1:10:4]')).to.deep.equal(['n1', 'n5', 'n9']);
    expect(expandHostRange('n[:2]')).to.deep.equal(['n0', 'n1', 'n2']);
  });

  it('expands several ranges as a cartesian product, left range outermost', () => {
    expect(expandHostRange('r[1:2]-[a:b]')).to.deep.equal(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
  });

  it('leaves a name without brackets alone', () => {
    expect(expandHostRange('plain.example.com')).to.deep.equal(['plain.example.com']);
  });

  for (const [name, words] of [
    ['web[5:1]', /begin after its end/],
    ['web[01:x]', /two numbers or two single letters/],
    ['web[01:100]', /same length/],
    ['web[1:3', /unclosed/],
    ['web[1]', /begin:end/],
    ['web[1:]', /no end/],
    ['web[1:5:0]', /positive integer/],
    ['web[f:a]', /begin after its end/],
    ['web[1:100000000]', /more than/],
  ] as const) {
    it(`rejects ${name}`, () => {
      expect(() => expandHostRange(name)).to.throw(HostRangeError, words);
    });
  }
});
