import { expect } from 'chai';
import { fnmatchToRegExp } from '../../src/inventory/fnmatch.js';

describe('fnmatchToRegExp (Python fnmatch.translate)', () => {
  const matches = (pattern: string, name: string) => fnmatchToRegExp(pattern).test(name);

  it('matches whole names with *, ? and classes, case-sensitively', () => {
    expect(matches('web*', 'web01')).to.equal(true);
    expect(matches('web*', 'xweb01')).to.equal(false);
    expect(matches('web?', 'web1')).to.equal(true);
    expect(matches('web[!1]', 'web1')).to.equal(false);
    expect(matches('web[!1]', 'web2')).to.equal(true);
    expect(matches('Web*', 'web1')).to.equal(false);
    expect(matches('a.b', 'axb')).to.equal(false);
  });

  it('treats an unclosed [ as literal and drops reversed ranges as CPython does', () => {
    expect(matches('web[1', 'web[1')).to.equal(true);
    expect(matches('x[z-a]', 'xa')).to.equal(false);
    expect(matches('x[!z-a]', 'xq')).to.equal(true);
    expect(matches('x[a-c-e]', 'x-')).to.equal(true);
    expect(matches('x[]]', 'x]')).to.equal(true);
  });
});
