import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { isIpAddress, parseAddress } from '../../src/inventory/address.js';
import { askPython } from '../helpers/python.js';

/** What ansible-core's parse_address makes of each input: [host, port] or null where it raises. */
const ANSIBLE_PARSE_ADDRESS = `
import json, sys
from ansible.errors import AnsibleError
from ansible.parsing.utils.addresses import parse_address
def parse(address):
    try:
        host, port = parse_address(address, allow_ranges=True)
        return [host, port]
    except AnsibleError:
        return None
print(json.dumps([parse(address) for address in json.load(sys.stdin)]))
`;

/** Whether ansible-core's patterns['ipv4'] or ['ipv6'] matches each input (what isIpAddress says). */
const ANSIBLE_IS_IP = `
import json, sys
from ansible.parsing.utils.addresses import patterns
print(json.dumps([bool(patterns['ipv4'].match(name) or patterns['ipv6'].match(name)) for name in json.load(sys.stdin)]))
`;

/**
 * Strings made of what addresses are made of (digits, hex and other letters, '_', '-', '.', ':',
 * brackets, a non-ASCII letter), from a fixed seed: each of parseAddress's shortcuts (an expression
 * tried only where it can match) is met on both sides of its condition.
 */
function generatedAddresses(count: number): string[] {
  const pieces = ['1', '9', '0', '25', '255', '256', 'a', 'f', 'F', 'g', 'z', '_', '-', '.', ':', '::', '[', ']', '[1:3]', '[a:c]', 'ü', 'web', 'fe80', ':22', '10.0.0.1', '1.2.3.', '::1', 'fe80::'];
  let seed = 17;
  const next = (below: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(8) }, () => pieces[next(pieces.length)]).join(''));
}

/** The interpreter ansible runs on ("  python version = 3.11.2 (main, ...) [GCC 12.2.0] (/usr/bin/python3)"), if ansible is installed. */
async function ansiblePython(): Promise<string | undefined> {
  const version = await promisify(execFile)('ansible', ['--version']).catch(() => undefined);
  return (version && /^ {2}python version = .* \((\/[^)]+)\)$/m.exec(version.stdout)?.[1]) || undefined;
}

/** Ansible's parse_address rules (lib/ansible/parsing/utils/addresses.py), ASCII names checked apart from Unicode ones. */
describe('parseAddress', () => {
  const cases: [string, ReturnType<typeof parseAddress>][] = [
    ['web-1.example.com:2222', { host: 'web-1.example.com', port: '2222' }],
    ['WEB_1.Example.COM', { host: 'WEB_1.Example.COM' }],
    ['db[01:10].example', { host: 'db[01:10].example' }],
    ['web[a:f]:22', { host: 'web[a:f]', port: '22' }],
    ['192.168.0.1:22', { host: '192.168.0.1', port: '22' }],
    ['[fe80::1]:22', { host: 'fe80::1', port: '22' }],
    ['fe80::1', { host: 'fe80::1' }],
    ['münchen.example:2222', { host: 'münchen.example', port: '2222' }],
    ['ΑΘΗΝΑ.example', { host: 'ΑΘΗΝΑ.example' }],
    ['東京-1', { host: '東京-1' }],
    // A label may not end in '-' or '_', nor hold other punctuation: no address, so the whole string is the name.
    ['web-:22', undefined],
    ['web_.example', undefined],
    ['bad!name', undefined],
    ['münchen-', undefined],
    ['a..b', undefined],
  ];
  for (const [address, expected] of cases) {
    it(`${address} → ${JSON.stringify(expected)}`, () => {
      expect(parseAddress(address, { allowRanges: true })).to.deep.equal(expected);
    });
  }

  it('says what ansible-core says of every case above (undefined where it raises)', async function () {
    const addresses = [...cases.map(([address]) => address), ...generatedAddresses(3000)];
    const python = await ansiblePython();
    if (!python) this.skip();
    const ansible = await askPython(ANSIBLE_PARSE_ADDRESS, addresses, python);
    const ours = addresses.map((address) => {
      const parsed = parseAddress(address, { allowRanges: true });
      return parsed === undefined ? null : [parsed.host, parsed.port === undefined ? null : Number(parsed.port)];
    });
    expect(ours).to.deep.equal(ansible);
    // Both kinds are among them: addresses, and strings that are none.
    expect(ours.filter((parsed) => parsed === null).length).to.be.within(100, addresses.length - 100);
  });

  it('isIpAddress says what ansible-core\'s ipv4 and ipv6 patterns say, of the cases above and generated ones', async function () {
    const names = [...cases.map(([address]) => address), 'fe80::1', '::ffff:10.0.0.1', '10.0.0.[1:9]', ...generatedAddresses(3000)];
    const python = await ansiblePython();
    if (!python) this.skip();
    const ours = names.map((name) => isIpAddress(name));
    expect(ours).to.deep.equal(await askPython(ANSIBLE_IS_IP, names, python));
    expect(ours.filter(Boolean).length).to.be.greaterThan(20);
  });

  it('takes no ranges in a -i host list', () => {
    expect(parseAddress('db[01:10]', { allowRanges: false })).to.equal(undefined);
    expect(parseAddress('db01:22', { allowRanges: false })).to.deep.equal({ host: 'db01', port: '22' });
  });
});
