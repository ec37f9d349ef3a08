import { expect } from 'chai';
import { InputError } from '../../src/errors.js';
import { checkDescriptorLimit } from '../../src/run/fd-limit.js';

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 4096                 files\n`;

describe('checkDescriptorLimit', () => {
  it('lets a fanout through that fits under the soft limit', () => {
    expect(() => checkDescriptorLimit(32, 1, limits('1024'))).to.not.throw();
    expect(() => checkDescriptorLimit(960, 1, limits('1024'))).to.not.throw();
  });

  it('refuses one that does not, naming --forks, the numbers and what to do', () => {
    let error: unknown;
    try {
      checkDescriptorLimit(1000, 1, limits('1024'));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).to.be.instanceOf(InputError);
    expect((error as InputError).code).to.equal('FD_LIMIT');
    expect((error as Error).message).to.equal('--forks 1000 needs about 1064 open files, but this process may open 1024 (ulimit -n): raise it (ulimit -n 1064) or lower --forks to 960');
  });

  it('counts every descriptor a running host holds', () => {
    expect(() => checkDescriptorLimit(400, 3, limits('1024'))).to.throw(InputError, '--forks 400');
    expect(() => checkDescriptorLimit(300, 3, limits('1024'))).to.not.throw();
  });

  it('skips the check when the limit is unknown or unlimited', () => {
    expect(() => checkDescriptorLimit(100_000, 3, limits('unlimited'))).to.not.throw();
    expect(() => checkDescriptorLimit(100_000, 3, 'nothing useful')).to.not.throw();
  });

  it('reads this process’s own limit by default', () => {
    expect(() => checkDescriptorLimit(1, 1)).to.not.throw();
  });
});
