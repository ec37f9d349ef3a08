import { expect } from 'chai';
import { InputError } from '../../src/errors.js';
import { InventoryError, loadInventory } from '../../src/inventory/index.js';
import { inventoryFrom, loadError, names, tempFiles } from './fixtures.js';

const SAMPLE = `
all:
  vars:
    level: all
    ansible_user: admin
  hosts:
    lone.example.com:
  children:
    web:
      vars: {level: web, web_only: true}
      hosts:
        web[01:03].example.com:
        "db-[a:b]:2200":
          role: db
      children:
        frontend:
          vars: {level: frontend}
          hosts:
            web01.example.com: {level: host}
            edge1:
    prod:
      vars: {level: prod, ansible_group_priority: 10}
      hosts:
        web02.example.com:
    staging:
      vars: {level: staging}
      hosts:
        web03.example.com:
`;

describe('loadInventory', () => {
  it('reads hosts in inventory order with ranges, and puts group-less hosts in ungrouped', async () => {
    const inventory = await inventoryFrom(SAMPLE);
    expect(names(inventory.hosts)).to.deep.equal([
      'lone.example.com', 'web01.example.com', 'web02.example.com', 'web03.example.com', 'db-a', 'db-b', 'edge1',
    ]);
    expect(inventory.groups.get('ungrouped')!.hosts).to.deep.equal(['lone.example.com']);
    expect(inventory.groups.get('all')!.children).to.deep.equal(['ungrouped', 'web', 'prod', 'staging']);
    expect(inventory.host('edge1')!.groups).to.deep.equal(['all', 'web', 'frontend']);
  });

  it('merges vars as Ansible: all < parent < child < host; same depth by priority, then name', async () => {
    const inventory = await inventoryFrom(SAMPLE);
    expect(inventory.host('web01.example.com')!.vars).to.include({ level: 'host', web_only: true, ansible_user: 'admin' });
    expect(inventory.host('edge1')!.vars.level).to.equal('frontend');
    // prod (priority 10) beats web although 'web' sorts after 'prod'.
    expect(inventory.host('web02.example.com')!.vars.level).to.equal('prod');
    // Equal priority: alphabetical, so 'web' beats 'staging'.
    expect(inventory.host('web03.example.com')!.vars.level).to.equal('web');
    expect(inventory.host('lone.example.com')!.vars).to.deep.equal({ level: 'all', ansible_user: 'admin' });
    expect(inventory.host('db-a')!.vars).to.include({ ansible_port: 2200, role: 'db' });
    expect(inventory.groups.get('prod')!.priority).to.equal(10);
    expect(inventory.groups.get('prod')!.vars).to.not.have.property('ansible_group_priority');
  });

  it('records where the winning value of each var was written', async () => {
    const inventory = await inventoryFrom(SAMPLE);
    const origins = inventory.host('web01.example.com')!.origins!;
    expect(origins.level).to.include({ line: 19, column: 33 });
    expect(origins.ansible_user).to.include({ line: 5, column: 5 });
    expect(origins.ansible_port).to.equal(undefined);
    expect(inventory.host('db-a')!.origins!.ansible_port).to.include({ line: 13, column: 9 });
    expect(origins.level!.file).to.match(/\.ya?ml$/);
  });

  it('merges a host listed twice: later vars win, groups add up', async () => {
    const inventory = await inventoryFrom(`
all:
  children:
    a:
      hosts:
        h1: {x: 1, y: 1}
    b:
      hosts:
        h1: {y: 2}
`);
    expect(inventory.host('h1')!.vars).to.deep.equal({ x: 1, y: 2 });
    expect(inventory.host('h1')!.groups).to.deep.equal(['all', 'a', 'b']);
  });

  it('reads YAML as PyYAML does: yes is a boolean, y is a string, merge keys apply', async () => {
    const inventory = await inventoryFrom(`
all:
  vars:
    base: &base {color: red, size: 1}
  hosts:
    h1:
      <<: *base
      size: 2
      flag: yes
      letter: y
`);
    expect(inventory.host('h1')!.vars).to.include({ color: 'red', size: 2, flag: true, letter: 'y' });
  });

  it('accepts a single name where Ansible allows one, and groups at the top level', async () => {
    const inventory = await inventoryFrom(`
web:
  hosts: web1
db:
  hosts:
    db1:
`);
    expect(inventory.groups.get('all')!.children).to.deep.equal(['ungrouped', 'web', 'db']);
    expect(inventory.host('web1')!.groups).to.deep.equal(['all', 'web']);
  });

  it('merges several sources in order, including a host list and a directory', async () => {
    const { dir, cleanup } = await tempFiles({
      'one.yml': 'all:\n  hosts:\n    h1: {x: one}\n',
      'inv/b.yaml': 'all:\n  children:\n    g:\n      hosts:\n        h2:\n        h1: {x: dir}\n',
      'inv/a': 'all:\n  hosts:\n    h3:\n',
      'inv/.hidden.yml': 'not: [valid',
      'inv/README.md': '# notes',
      // Not an inventory (Ansible skips group_vars/ in a directory source), and vars of a group the inventory does not have.
      'inv/group_vars/nosuch.yml': 'ignored: true',
      'inv/hosts.ini': '[web]\nweb1\n',
    });
    try {
      const inventory = await loadInventory(['one.yml', 'inv', 'web1,web2:2222,'], { cwd: dir });
      expect(names(inventory.hosts)).to.deep.equal(['h1', 'h3', 'h2', 'web1', 'web2']);
      expect(inventory.host('h1')!.vars).to.deep.equal({ x: 'dir' });
      expect(inventory.host('web2')!.vars).to.deep.equal({ ansible_port: 2222 });
      // As Ansible: the host list fills ungrouped at once, h3 joins it when the sources are reconciled.
      expect(inventory.groups.get('ungrouped')!.hosts).to.deep.equal(['web1', 'web2', 'h3']);
      expect(inventory.warnings).to.have.length(1);
      expect(inventory.warnings[0]).to.match(/hosts\.ini: skipped/);
    } finally {
      await cleanup();
    }
  });

  it('warns once about ssh(1) options it cannot honour, and keeps other vars', async () => {
    const inventory = await inventoryFrom(`
all:
  vars:
    ansible_ssh_common_args: -o ProxyCommand=none
  hosts:
    h1: {ansible_ssh_common_args: -C, custom: 1}
    h2: {ansible_ssh_extra_args: -v}
`);
    expect(inventory.warnings).to.have.length(2);
    expect(inventory.warnings[0]).to.match(/inventory\.yml:4:5 \(all\.vars\.ansible_ssh_common_args\): ansible_ssh_common_args is ignored/);
    expect(inventory.warnings[1]).to.match(/ansible_ssh_extra_args is ignored/);
    expect(inventory.host('h1')!.vars).to.include({ custom: 1 });
  });

  it('warns, as Ansible does, about a name that is both a host and a group', async () => {
    const inventory = await inventoryFrom('all:\n  hosts:\n    web:\n  children:\n    web:\n      hosts:\n        web1:\n');
    expect(inventory.warnings).to.deep.equal([
      "'web' names both a host and a group: the pattern 'web' selects the host, '&web' and '!web' the group",
    ]);
    expect(names(inventory.select('web'))).to.deep.equal(['web']);
    expect(names(inventory.select('all:!web'))).to.deep.equal(['web']);
  });

  it('fails on a missing source with INVENTORY_NOT_FOUND', async () => {
    const error = await loadInventory(['/nonexistent/inventory.yml']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InventoryError).and.to.include({ code: 'INVENTORY_NOT_FOUND' });
    expect(error).to.be.instanceOf(InputError);
  });
});

describe('loadInventory on bad input', () => {
  it('reports a YAML syntax error with file, line, column and the line under a caret', async () => {
    const error = (await loadError('all:\n  hosts:\n    web1: {a: 1\n    web2:\n')) as InventoryError;
    expect(error).to.be.instanceOf(InventoryError);
    expect(error.code).to.equal('INVENTORY_SYNTAX');
    expect(error.file).to.equal('inventory.yml');
    expect(error.line).to.be.a('number');
    expect(error.message).to.match(/^inventory\.yml:\d+:\d+: YAML syntax error/);
    expect(error.message).to.match(/\n {2}\d+ \| .*\n {2} *\| *\^$/);
  });

  const shapes: Array<[string, string, string, number, number, string]> = [
    ['hosts as a list', 'all:\n  children:\n    web:\n      hosts:\n        - web1\n', 'INVENTORY_SHAPE', 5, 9, 'all.children.web.hosts'],
    ['vars not a mapping', 'all:\n  vars: [1, 2]\n', 'INVENTORY_SHAPE', 2, 9, 'all.vars'],
    ['a reversed range', 'all:\n  children:\n    web:\n      hosts:\n        web[5:1]:\n', 'INVENTORY_RANGE', 5, 9, 'all.children.web.hosts'],
    ['a range with a letter', 'all:\n  hosts:\n    web[01:x]:\n', 'INVENTORY_RANGE', 3, 5, 'all.hosts'],
    ['an unclosed range', 'all:\n  hosts:\n    "web[1:3":\n', 'INVENTORY_RANGE', 3, 5, 'all.hosts'],
    ['a port out of range in vars', 'all:\n  hosts:\n    web1:\n      ansible_port: 70000\n', 'INVENTORY_SHAPE', 4, 21, 'all.hosts.web1.ansible_port'],
    ['a port out of range in the name', 'all:\n  hosts:\n    "web1:0":\n', 'INVENTORY_SHAPE', 3, 5, 'all.hosts'],
    ['a group that is its own ancestor', 'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n', 'INVENTORY_CYCLE', 5, 9, 'all.children.a.children.b'],
    ['a numeric host name', 'all:\n  hosts:\n    42:\n', 'INVENTORY_SHAPE', 3, 5, 'all.hosts'],
    ['host vars as a list', 'all:\n  hosts:\n    web1: [a]\n', 'INVENTORY_SHAPE', 3, 11, 'all.hosts.web1'],
    ['a group as a list', 'all:\n  children:\n    web: [a]\n', 'INVENTORY_SHAPE', 3, 10, 'all.children.web'],
    ['a list at the top', '- all\n', 'INVENTORY_SHAPE', 1, 1, ''],
  ];
  for (const [what, yaml, code, line, column, path] of shapes) {
    it(`rejects ${what} naming file, line, column and path`, async () => {
      const error = (await loadError(yaml)) as InventoryError;
      expect(error, String(error)).to.be.instanceOf(InventoryError);
      expect(error).to.include({ code, file: 'inventory.yml', line, column });
      expect(error.path ?? '').to.equal(path);
      expect(error.message).to.contain(`inventory.yml:${line}:${column}: `);
    });
  }

  it('refuses an alias that nests a group inside itself', async () => {
    const error = await loadError('all:\n  children: &kids\n    a:\n      children: *kids\n');
    expect(error).to.be.instanceOf(InventoryError).and.to.include({ code: 'INVENTORY_CYCLE' });
  });

  it('warns about an empty file and an unexpected key, as Ansible does, without failing', async () => {
    const inventory = await inventoryFrom('all:\n  host:\n    web1:\n');
    expect(inventory.warnings[0]).to.match(/unexpected key 'host' in group 'all'/);
    expect((await inventoryFrom('')).warnings[0]).to.match(/empty inventory file/);
  });
});
