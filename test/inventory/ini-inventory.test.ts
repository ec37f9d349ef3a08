import { expect } from 'chai';
import { Inventory, InventoryError } from '../../src/inventory/index.js';
import { loadFiles, names } from './fixtures.js';

/** Loads one INI text as `hosts.ini` (only the INI reader takes that name). */
async function ini(text: string | Uint8Array): Promise<Inventory> {
  const result = await loadFiles({ 'hosts.ini': text }, ['hosts.ini']);
  if (result instanceof InventoryError) throw result;
  return result;
}

async function iniError(text: string | Uint8Array): Promise<InventoryError> {
  const result = await loadFiles({ 'hosts.ini': text }, ['hosts.ini']);
  if (!(result instanceof InventoryError)) throw new Error('expected the inventory to be rejected');
  return result;
}

describe('INI inventories (Ansible ini plugin rules)', () => {
  it('puts hosts before any section in ungrouped, and reads [group], ranges and host:port', async () => {
    const inventory = await ini('lone\n[web]\nweb[1:2].example.com\nweb3:2222\n[db]\ndb-[a:b]\n');
    expect(names(inventory.hosts)).to.deep.equal(['lone', 'web1.example.com', 'web2.example.com', 'web3', 'db-a', 'db-b']);
    expect(inventory.groups.get('ungrouped')!.hosts).to.deep.equal(['lone']);
    expect(inventory.groups.get('all')!.children).to.deep.equal(['ungrouped', 'web', 'db']);
    expect(inventory.host('web3')!.vars).to.deep.equal({ ansible_port: 2222 });
  });

  it('skips blank lines and # and ; comments, also indented, and a # comment after a header', async () => {
    const inventory = await ini('# one\n  ; two\n\n[web]   # the web tier\n  web1\n');
    expect(names(inventory.hosts)).to.deep.equal(['web1']);
  });

  it('reads host vars as shlex words and Python literals: quotes go, ints, bools, lists and dicts stay typed', async () => {
    const inventory = await ini(`[web]\nweb1 a=5 b='5' c="'5'" d=True e=[1,2] f="{'k': 1}" g=deploy h="two words" i=x#comment\n`);
    expect(inventory.host('web1')!.vars).to.deep.equal({ a: 5, b: 5, c: '5', d: true, e: [1, 2], f: { k: 1 }, g: 'deploy', h: 'two words', i: 'x' });
  });

  it('reads :vars values as Python literals too (as ansible-core 2.14 does), the rest of the line being the value', async () => {
    const inventory = await ini('[web]\nweb1\n[web:vars]\nport_n = 8080\nname = my app\nq=\'x y\'\ntail=word # not a comment\nempty=\neq=a=b\n');
    expect(inventory.groups.get('web')!.vars).to.deep.equal({ port_n: 8080, name: 'my app', q: 'x y', tail: 'word # not a comment', empty: '', eq: 'a=b' });
  });

  it('takes [group:vars] and a [group:children] entry before the group is declared, and nests children', async () => {
    const inventory = await ini('[web:vars]\nx=1\n[prod:children]\nweb\ndb\n[web]\nweb1\n[db:children]\nreplicas\n[replicas]\nr1\n');
    expect(inventory.groups.get('prod')!.children).to.deep.equal(['web', 'db']);
    expect(inventory.groups.get('db')!.children).to.deep.equal(['replicas']);
    expect(inventory.host('r1')!.groups).to.deep.equal(['all', 'prod', 'db', 'replicas']);
    expect(inventory.host('web1')!.vars).to.deep.equal({ x: 1 });
  });

  it('merges vars with group depth and ansible_group_priority from :vars', async () => {
    const inventory = await ini('[a]\nh1\n[b]\nh1\n[a:vars]\nlevel=a\nansible_group_priority=5\n[b:vars]\nlevel=b\n[all:vars]\nlevel=all\nntp=ntp1\n');
    expect(inventory.host('h1')!.vars).to.deep.equal({ level: 'a', ntp: 'ntp1' });
    expect(inventory.groups.get('a')!.priority).to.equal(5);
  });

  it('records where each var was set: file, line and column of its key', async () => {
    const inventory = await ini('[web]\n  web1 x=1  y=2\n[web:vars]\nz=3\n');
    const origins = inventory.host('web1')!.origins!;
    expect(origins.x).to.deep.equal({ file: 'hosts.ini', line: 2, column: 8 });
    expect(origins.y).to.include({ line: 2, column: 13 });
    expect(origins.z).to.include({ line: 4, column: 1 });
  });

  it('warns, naming the place, about ssh(1) options it cannot honour', async () => {
    const inventory = await ini('[web]\nweb1 ansible_ssh_common_args="-o Foo=bar"\n');
    expect(inventory.warnings).to.deep.equal(['hosts.ini:2:6: ansible_ssh_common_args is ignored: sshpool does not run ssh(1), so its command-line options do not apply']);
  });

  it('reads lines as Python splits them (form feed and U+2028 end a line), and strips Unicode spaces', async () => {
    const inventory = await ini('[web]\nweb1\fweb2\u2028\u00a0web3\u3000\n');
    expect(names(inventory.hosts)).to.deep.equal(['web1', 'web2', 'web3']);
  });

  it('accepts any bytes in a comment line that is not UTF-8 (ansible#17593), not elsewhere', async () => {
    const latin1 = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));
    expect(names((await ini(latin1('# caf\xe9\n[web]\nweb1\n'))).hosts)).to.deep.equal(['web1']);
    const error = await iniError(latin1('[web]\nweb1 x=caf\xe9\n'));
    expect(error).to.include({ code: 'INVENTORY_ENCODING', file: 'hosts.ini', line: 2, column: 11 });
    expect(error.message).to.contain('byte 0xe9');
  });

  const errors: Array<[string, string, string, number, number, RegExp]> = [
    ['an unknown section type', '[web]\nw1\n[web:other]\n', 'INVENTORY_SYNTAX', 3, 6, /unknown type 'other'/],
    ['a header with a space', '[web stuff]\n', 'INVENTORY_SYNTAX', 1, 1, /invalid section header/],
    ['a header followed by a ; comment', '[web] ; note\n', 'INVENTORY_SYNTAX', 1, 6, /only a # comment may follow/],
    ['an unclosed quote', '[web]\nw1 x="open\n', 'INVENTORY_SYNTAX', 2, 6, /no closing quotation/],
    ['a word without =', '[web]\nw1 x=1 oops\n', 'INVENTORY_SYNTAX', 2, 8, /expected key=value .* 'oops'/],
    ['a host ending in :', '[web]\nw1:\n', 'INVENTORY_SYNTAX', 2, 1, /ends in ':'/],
    ['a YAML document', '---\nall:\n', 'INVENTORY_SYNTAX', 1, 1, /YAML/],
    ['a bad range', '[web]\n  w[1:x]\n', 'INVENTORY_RANGE', 2, 3, /two numbers or two single letters/],
    ['a :vars line without =', '[web]\nw1\n[web:vars]\nx\n', 'INVENTORY_SYNTAX', 4, 1, /expected key=value in section \[web:vars\]/],
    ['a bad child name', '[web:children]\na b\n', 'INVENTORY_SYNTAX', 2, 1, /expected a group name/],
    ['a child never declared', '[web]\nw1\n[p:children]\nweb\nnope\n', 'INVENTORY_SHAPE', 5, 1, /\[p:children\] names group 'nope', which is never declared/],
    ['vars for a group never declared', '[g:vars]\nx=1\n', 'INVENTORY_SHAPE', 1, 1, /\[g:vars\] is for group 'g', which is never declared/],
    ['a child named only, with vars', '[all:children]\nweb\n[web:vars]\nx=1\n', 'INVENTORY_SHAPE', 2, 1, /names group 'web'/],
    ['a cycle', '[a:children]\nb\n[b:children]\na\n', 'INVENTORY_CYCLE', 4, 1, /its own ancestor/],
    ['a group its own child', '[a:children]\na\n', 'INVENTORY_CYCLE', 2, 1, /its own ancestor/],
    ['a list as a dict key', '[web]\nw1 x={[1]:2}\n', 'INVENTORY_SHAPE', 2, 7, /unhashable type: 'list'/],
    ['a set', '[web]\nw1 x={1,2}\n', 'INVENTORY_SHAPE', 2, 6, /a Python set cannot be an inventory value/],
    ['a port out of range', '[web]\nw1 ansible_port=99999\n', 'INVENTORY_SHAPE', 2, 17, /ansible_port must be an integer from 1 to 65535/],
    ['a port 0 in the name', '[web]\nw1:0\n', 'INVENTORY_SHAPE', 2, 1, /ansible_port/],
    ['a priority that is no integer', '[g]\n[g:vars]\nansible_group_priority=high\n', 'INVENTORY_SHAPE', 3, 24, /ansible_group_priority must be an integer/],
    ['an empty host name', '[web]\n"" x=1\n', 'INVENTORY_SYNTAX', 2, 1, /must start with a host name/],
    ['a byte order mark', '\ufeff[web]\nw1\n', 'INVENTORY_ENCODING', 1, 1, /byte order mark/],
  ];
  for (const [what, text, code, line, column, reason] of errors) {
    it(`refuses ${what}, naming file, line and column and quoting the line`, async () => {
      const error = await iniError(text);
      expect(error, error.message).to.include({ code, file: 'hosts.ini', line, column });
      expect(error.reason).to.match(reason);
      expect(error.message).to.contain(`hosts.ini:${line}:${column}: `);
      expect(error.message).to.contain(`\n  ${line} | ${text.split('\n')[line - 1]}`);
    });
  }
});
