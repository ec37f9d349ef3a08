import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parseAddress } from '../../src/inventory/address.js';
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
    const addresses = cases.map(([address]) => address);
    // The interpreter ansible runs on: "  python version = 3.11.2 (main, ...) [GCC 12.2.0] (/usr/bin/python3)".
    const version = await promisify(execFile)('ansible', ['--version']).catch(() => undefined);
    const python = version && /^ {2}python version = .* \((\/[^)]+)\)$/m.exec(version.stdout)?.[1];
    if (!python) this.skip();
    const ansible = await askPython(ANSIBLE_PARSE_ADDRESS, addresses, python);
    const ours = addresses.map((address) => {
      const parsed = parseAddress(address, { allowRanges: true });
      return parsed === undefined ? null : [parsed.host, parsed.port === undefined ? null : Number(parsed.port)];
    });
    expect(ours).to.deep.equal(ansible);
  });

  it('takes no ranges in a -i host list', () => {
    expect(parseAddress('db[01:10]', { allowRanges: false })).to.equal(undefined);
    expect(parseAddress('db01:22', { allowRanges: false })).to.deep.equal({ host: 'db01', port: '22' });
  });
});
