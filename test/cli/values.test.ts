import { expect } from 'chai';
import { repeatable } from '../../src/cli/options/values.js';
import { parseBytes, parsePositiveInteger, parseSeconds } from '../../src/settings/values.js';
import { UsageError } from '../../src/errors.js';

describe('option values', () => {
  it('reads seconds as milliseconds and names the option when it cannot', () => {
    expect(parseSeconds('10', '--timeout', { allowZero: false })).to.equal(10_000);
    expect(parseSeconds('0.25', '--timeout', { allowZero: false })).to.equal(250);
    expect(parseSeconds('0', '--server-alive-interval', { allowZero: true })).to.equal(0);
    for (const bad of ['', 'soon', '-1', 'Infinity']) {
      expect(() => parseSeconds(bad, '--timeout', { allowZero: true }), bad).to.throw(UsageError, '--timeout');
    }
    expect(() => parseSeconds('0', '--connect-timeout', { allowZero: false })).to.throw(UsageError, '--connect-timeout');
  });

  it('refuses what a timer cannot wait for instead of firing at once or never (Node timers hold at most 2^31-1 ms)', () => {
    expect(parseSeconds('2147483.647', '--timeout', { allowZero: true })).to.equal(2 ** 31 - 1);
    expect(parseSeconds('0.001', '--timeout', { allowZero: true })).to.equal(1);
    expect(() => parseSeconds('3000000', '--timeout', { allowZero: true })).to.throw(UsageError, /^--timeout: "3000000" is more than 2147483.647 s/);
    expect(() => parseSeconds('2147483.648', '--connect-timeout', { allowZero: false })).to.throw(UsageError, '--connect-timeout');
    for (const tiny of ['0.0001', '0.0004', '1e-9']) {
      expect(() => parseSeconds(tiny, '--timeout', { allowZero: true }), tiny).to.throw(UsageError, /--timeout: .* is less than 1 ms/);
    }
  });

  it('reads sizes with K/M/G suffixes', () => {
    expect(parseBytes('1048576', '--max-output')).to.equal(1048576);
    expect(parseBytes('512K', '--max-output')).to.equal(512 * 1024);
    expect(parseBytes('1M', '--max-output')).to.equal(1024 * 1024);
    expect(parseBytes('2mib', '--max-output')).to.equal(2 * 1024 * 1024);
    expect(() => parseBytes('lots', '--max-output')).to.throw(UsageError, '--max-output');
  });

  it('accepts whole numbers of at least 1, and repeated options as a list', () => {
    expect(parsePositiveInteger(32, '--forks')).to.equal(32);
    for (const bad of [0, -3, 1.5, Number.NaN]) expect(() => parsePositiveInteger(bad, '--forks')).to.throw(UsageError, '--forks');
    expect(repeatable('a')).to.deep.equal(['a']);
    expect(repeatable(['a', 'b'])).to.deep.equal(['a', 'b']);
  });
});
