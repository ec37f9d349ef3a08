import { expect } from 'chai';
import fc from 'fast-check';
import { HostSet } from '../../src/output/host-set.js';

const fold = (names: string[]) => new HostSet(names).toString();

describe('HostSet (ClusterShell NodeSet folding)', () => {
  it('folds numeric runs of one pattern into ranges, keeping padding and the suffix', () => {
    expect(fold(['web01.example.com', 'web02.example.com', 'web03.example.com', 'web07.example.com'])).to.equal('web[01-03,07].example.com');
  });

  it('leaves a lone name of a pattern unbracketed, and joins patterns with commas in sorted order', () => {
    expect(fold(['web02', 'db1', 'web01'])).to.equal('db1,web[01-02]');
    expect(fold(['web5'])).to.equal('web5');
  });

  it('keeps padded and unpadded numbers apart, but runs 9 into 10 when both are written alike', () => {
    expect(fold(['web9', 'web10'])).to.equal('web[9-10]');
    expect(fold(['web09', 'web10'])).to.equal('web[09-10]');
    expect(fold(['web9', 'web09', 'web10'])).to.equal('web[9,09-10]');
    expect(fold(['web1', 'web01'])).to.equal('web[1,01]');
    expect(fold(['web99', 'web100'])).to.equal('web[99-100]');
    expect(fold(['web098', 'web099', 'web100'])).to.equal('web[098-100]');
  });

  it('does not let a padded range grow past its width', () => {
    expect(fold(Array.from({ length: 93 }, (_, i) => `n${String(i + 8).padStart(2, '0')}`))).to.equal('n[08-99,100]');
    expect(fold(['n98', 'n99', 'n100'])).to.equal('n[98-100]');
    expect(fold(['n08', 'n09', 'n10', 'n99', 'n100'])).to.equal('n[08-10,99-100]');
    expect(fold(['n098', 'n099', 'n100', 'n0100'])).to.equal('n[098-100,0100]');
  });

  it('folds names with several numbers on the last one only', () => {
    expect(fold(['rack1-node1', 'rack1-node2', 'rack2-node1', 'rack2-node2'])).to.equal('rack1-node[1-2],rack2-node[1-2]');
    expect(fold(['10.0.0.1', '10.0.0.2', '10.0.0.3'])).to.equal('10.0.0.[1-3]');
  });

  it('keeps names without numbers as they are', () => {
    expect(fold(['beta', 'alpha', 'alpha'])).to.equal('alpha,beta');
    expect(fold(['db', 'db1', 'db2'])).to.equal('db,db[1-2]');
  });

  it('counts and lists each name once, in folded order', () => {
    const set = new HostSet(['web10', 'web2', 'web2', 'db1', 'web1']);
    expect(set.size).to.equal(4);
    expect([...set]).to.deep.equal(['db1', 'web1', 'web2', 'web10']);
    expect(JSON.stringify({ hosts: set })).to.equal('{"hosts":"db1,web[1-2,10]"}');
  });

  it('sorts numerically, not as text, and handles numbers beyond 2^53', () => {
    expect(fold(['h10', 'h9', 'h100', 'h11'])).to.equal('h[9-11,100]');
    expect(fold(['h90071992547409930', 'h90071992547409931'])).to.equal('h[90071992547409930-90071992547409931]');
  });

  it('expands back to exactly the names it was given (property)', () => {
    const name = fc.tuple(fc.constantFrom('web', 'db', 'rack1-n', ''), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom('', '.lan'));
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 30 }), (parts) => {
        const names = parts.map(([prefix, n, pad, suffix]) => `${prefix}${String(n).padStart(pad, '0')}${suffix}`);
        expect(expand(fold(names)).sort()).to.deep.equal([...new Set(names)].sort());
      }),
    );
  });
});

/** A reference expander for the folded syntax (the inverse the property test checks against). */
function expand(folded: string): string[] {
  const names: string[] = [];
  for (const part of folded.match(/[^,[]*(\[[^\]]*\])?[^,]*/g)!.filter(Boolean)) {
    const match = /^(.*)\[(.*)\](.*)$/.exec(part);
    if (!match) {
      names.push(part);
      continue;
    }
    const [, prefix, ranges, suffix] = match as unknown as [string, string, string, string];
    for (const range of ranges.split(',')) {
      const [start, end = start] = range.split('-') as [string, string?];
      for (let n = Number(start); n <= Number(end); n += 1) names.push(`${prefix}${String(n).padStart(start.length, '0')}${suffix}`);
    }
  }
  return names;
}
