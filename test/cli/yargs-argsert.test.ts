import { expect } from 'chai';
import yargs from 'yargs';

/**
 * patches/yargs+18.2.0+002+argsert-parsed-once.patch: yargs checks each call of its API against a
 * usage string ("<string|object> [object]"), now parsed once per string. The checks must still say
 * what they said, every time, for every string.
 */
describe('yargs argsert, each usage string parsed once (patched): its checks of yargs\' own API still warn, every time', () => {
  let warnings: string[];
  let originalWarn: typeof console.warn;
  beforeEach(() => {
    warnings = [];
    originalWarn = console.warn;
    console.warn = (message: unknown) => void warnings.push(String(message));
  });
  afterEach(() => {
    console.warn = originalWarn;
  });

  it('warns of a wrong argument type on each call, a right one never, through calls that share a usage string and calls that do not', () => {
    const parser = yargs([]);
    const misuse = parser as unknown as { epilogue(text: unknown): unknown; wrap(columns: unknown): unknown };
    // epilogue's usage string is '<string>', wrap's '<number|null|undefined>'.
    misuse.epilogue(5);
    parser.epilogue('fine');
    misuse.epilogue(6);
    misuse.wrap('wide');
    parser.wrap(80).option('fine', { type: 'string', alias: 'f' });
    expect(warnings).to.have.length(3);
    expect(warnings[0]).to.match(/Invalid first argument\. Expected string but received number\./);
    expect(warnings[1]!.split('\n')[0]).to.equal(warnings[0]!.split('\n')[0]);
    expect(warnings[2]).to.match(/Invalid first argument\. Expected number or null or undefined but received string\./);
    // The right calls took effect.
    expect(parser.parseSync(['-f', 'x'])).to.include({ fine: 'x' });
  });

  it('still counts the arguments: too many is a warning', () => {
    (yargs([]) as unknown as { version(...args: unknown[]): unknown }).version('a', 'b', 'c', 'd');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/Too many arguments provided\. Expected max 3 but received 4\./);
  });
});
