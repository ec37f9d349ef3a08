import { expect } from 'chai';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { InventoryError, loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { tempFiles } from './fixtures.js';

/** Enough groups to see the merge order: web_eu under web; db1 in db and in cache, which has a priority. */
const HOSTS = `
all:
  vars: {level: inventory_all, from_all: inventory_all}
  children:
    web:
      vars: {level: inventory_web, web_var: inventory_web}
      hosts:
        web1: {level: inventory_host, own: inventory_host}
      children:
        web_eu:
          hosts:
            eu1:
    db:
      hosts:
        db1:
    cache:
      vars: {ansible_group_priority: 5}
      hosts:
        db1:
`;

async function load(files: Record<string, string>, sources = ['inv/hosts.yml']): Promise<Inventory> {
  const { dir, cleanup } = await tempFiles({ 'inv/hosts.yml': HOSTS, ...files });
  try {
    return await loadInventory(sources, { cwd: dir });
  } finally {
    await cleanup();
  }
}

async function loadError(files: Record<string, string>): Promise<InventoryError> {
  try {
    await load(files);
  } catch (error) {
    expect(error).to.be.instanceOf(InventoryError);
    return error as InventoryError;
  }
  throw new Error('expected the inventory to be rejected');
}

describe('group_vars/ and host_vars/', () => {
  describe('where they are found', () => {
    it("beside a file source, in a directory source itself, and not for a host list", async () => {
      const { dir, cleanup } = await tempFiles({
        'a/hosts.yml': 'all:\n  hosts:\n    h1:\n',
        'a/group_vars/all.yml': 'from_a: true\n',
        'b/hosts.yml': 'all:\n  hosts:\n    h2:\n',
        'b/group_vars/all.yml': 'from_b: true\n',
        'group_vars/all.yml': 'from_cwd: true\n',
      });
      try {
        const both = await loadInventory(['a/hosts.yml', 'b', 'h3,'], { cwd: dir });
        // Vars files apply to every host of the inventory, whichever source brought the host.
        expect(both.host('h3')!.vars).to.deep.equal({ from_a: true, from_b: true });
        const hostList = await loadInventory(['h3,'], { cwd: dir });
        expect(hostList.host('h3')!.vars).to.deep.equal({});
      } finally {
        await cleanup();
      }
    });

    it('reads NAME before NAME.yml, NAME.yaml and NAME.json, and only the first that exists', async () => {
      const inventory = await load({
        'inv/group_vars/web': 'pick: no_extension\n',
        'inv/group_vars/web.yml': 'pick: yml\nyml_read: true\n',
        'inv/group_vars/db.yaml': 'pick: yaml\n',
        'inv/group_vars/db.json': '{"pick": "json"}',
        'inv/group_vars/cache.json': '{"pick": "json", "list": [1, 2]}',
      });
      expect(inventory.groups.get('web')!.vars).to.include({ pick: 'no_extension' }).and.not.have.property('yml_read');
      expect(inventory.groups.get('db')!.vars).to.include({ pick: 'yaml' });
      expect(inventory.groups.get('cache')!.vars).to.deep.equal({ pick: 'json', list: [1, 2] });
    });

    it('reads a NAME/ directory in sorted order, entering subdirectories, skipping hidden, backup and other files', async () => {
      const inventory = await load({
        'inv/group_vars/all/b.yml': 'order: [b]\nb: true\n',
        'inv/group_vars/all/a.yml': 'order: [a]\na: true\n',
        'inv/group_vars/all/c/inner.yml': 'order: [c/inner]\ninner: true\n',
        'inv/group_vars/all/d': 'order: [d]\n',
        'inv/group_vars/all/.hidden.yml': 'hidden: true\n',
        'inv/group_vars/all/e.yml~': 'backup: true\n',
        'inv/group_vars/all/notes.txt': 'text: true\n',
        'inv/group_vars/all/skip.d/x.yml': 'dotted_dir: true\n',
      });
      expect(inventory.host('db1')!.vars).to.deep.equal({ order: ['d'], a: true, b: true, inner: true, level: 'inventory_all', from_all: 'inventory_all' });
      expect(inventory.host('db1')!.origins!.order).to.deep.equal({ file: join('inv', 'group_vars', 'all', 'd'), line: 1, column: 1 });
    });

    it('follows symbolic links, skips a dangling one and anything that is not a file', async () => {
      const { dir, cleanup } = await tempFiles({ 'inv/hosts.yml': HOSTS, 'shared/web.yml': 'linked: true\n', 'inv/group_vars/db.yml': 'db_file: true\n' });
      try {
        await symlink(join(dir, 'shared', 'web.yml'), join(dir, 'inv', 'group_vars', 'web.yml'));
        // A dangling `db` must not hide db.yml behind it.
        await symlink(join(dir, 'nowhere'), join(dir, 'inv', 'group_vars', 'db'));
        await mkdir(join(dir, 'inv', 'group_vars', 'cache'));
        await promisify(execFile)('mkfifo', [join(dir, 'inv', 'group_vars', 'cache', 'pipe.yml')]);
        const inventory = await loadInventory(['inv/hosts.yml'], { cwd: dir });
        expect(inventory.groups.get('web')!.vars).to.include({ linked: true });
        expect(inventory.groups.get('db')!.vars).to.include({ db_file: true });
        expect(inventory.groups.get('cache')!.vars).to.deep.equal({});
      } finally {
        await cleanup();
      }
    });

    it('ignores files for groups and hosts the inventory does not have, and names that are no file name', async () => {
      const inventory = await load({
        'inv/group_vars/nosuch.yml': 'x: 1\n',
        'inv/host_vars/nosuch.yml': 'y: 1\n',
        // Ansible would join these to the directory and read web.yml and h.yml.
        'inv/hosts2.yml': 'all:\n  children:\n    "../group_vars/web":\n      hosts:\n        "../host_vars/h":\n',
        'inv/group_vars/web.yml': 'z: 1\n',
        'inv/host_vars/h.yml': 'z: 1\n',
      }, ['inv/hosts.yml', 'inv/hosts2.yml']);
      for (const host of inventory.hosts) expect(host.vars, host.name).to.not.have.any.keys('x', 'y');
      expect(inventory.host('../host_vars/h')!.vars).to.deep.equal({ level: 'inventory_all', from_all: 'inventory_all' });
      expect(inventory.groups.get('../group_vars/web')!.vars).to.deep.equal({});
    });

    it('warns about a group_vars that is not a directory, and reads nothing from it', async () => {
      const inventory = await load({ 'inv/group_vars': 'level: file\n' });
      expect(inventory.host('db1')!.vars.level).to.equal('inventory_all');
      expect(inventory.warnings).to.deep.equal([`${join('inv', 'group_vars')}: not a directory, skipped`]);
    });
  });

  describe('precedence, as Ansible applies them', () => {
    it('group_vars beat inventory group vars, group_vars/all beats every group\'s inventory vars, host_vars beat the host\'s', async () => {
      const inventory = await load({
        'inv/group_vars/all.yml': 'level: group_vars_all\nfrom_all: group_vars_all\n',
        'inv/group_vars/web.yml': 'web_var: group_vars_web\n',
        'inv/host_vars/web1.yml': 'own: host_vars\n',
      });
      expect(inventory.host('web1')!.vars).to.deep.equal({
        // The host's own inventory var still beats every group_vars file.
        level: 'inventory_host',
        from_all: 'group_vars_all',
        web_var: 'group_vars_web',
        own: 'host_vars',
      });
      // Ansible's default VARIABLE_PRECEDENCE puts all_plugins_inventory after groups_inventory.
      expect(inventory.host('eu1')!.vars.level).to.equal('group_vars_all');
    });

    it('deeper groups beat shallower ones, then higher ansible_group_priority, then the later name', async () => {
      const inventory = await load({
        'inv/group_vars/web.yml': 'tier: web\n',
        'inv/group_vars/web_eu.yml': 'tier: web_eu\n',
        'inv/group_vars/db.yml': 'tier: db\n',
        'inv/group_vars/cache.yml': 'tier: cache\n',
      });
      expect(inventory.host('eu1')!.vars.tier).to.equal('web_eu');
      // cache has priority 5 in the inventory, db 1: cache wins although 'db' sorts after it.
      expect(inventory.host('db1')!.vars.tier).to.equal('cache');
    });

    it('takes ansible_group_priority in group_vars as a plain var, as Ansible does: it orders nothing', async () => {
      const inventory = await load({
        'inv/group_vars/db.yml': 'ansible_group_priority: 10\ntier: db\n',
        'inv/group_vars/cache.yml': 'tier: cache\n',
      });
      expect(inventory.host('db1')!.vars).to.include({ tier: 'cache', ansible_group_priority: 10 });
      expect(inventory.groups.get('db')!.priority).to.equal(1);
      expect(inventory.groups.get('db')!.vars).to.deep.equal({ ansible_group_priority: 10, tier: 'db' });
    });

    it('applies several sources source by source: a later source\'s shallow group beats an earlier one\'s deep group', async () => {
      const { dir, cleanup } = await tempFiles({
        'a/hosts.yml': 'all:\n  children:\n    web:\n      children:\n        web_eu:\n          hosts:\n            eu1:\n',
        'a/group_vars/web_eu.yml': 'level: a_web_eu\n',
        'a/host_vars/eu1.yml': 'host: a\n',
        'b/hosts.yml': 'all: {}\n',
        'b/group_vars/web.yml': 'level: b_web\n',
        'b/host_vars/eu1.yml': 'host: b\n',
      });
      try {
        const ab = await loadInventory(['a/hosts.yml', 'b/hosts.yml'], { cwd: dir });
        expect(ab.host('eu1')!.vars).to.deep.equal({ level: 'b_web', host: 'b' });
        // A source named again counts at its last place, as reading it again does in Ansible.
        const aba = await loadInventory(['a/hosts.yml', 'b/hosts.yml', 'a/hosts.yml'], { cwd: dir });
        expect(aba.host('eu1')!.vars).to.deep.equal({ level: 'a_web_eu', host: 'a' });
        // --graph --vars shows a group's inventory vars and its files' from every source.
        expect(ab.groups.get('web')!.vars).to.deep.equal({ level: 'b_web' });
      } finally {
        await cleanup();
      }
    });

    it('records the file, line and column of each winning value', async () => {
      const inventory = await load({ 'inv/group_vars/web.yml': '# comment\nweb_var: from_file\n', 'inv/host_vars/web1/x.yml': '\n  own: from_dir\n' });
      expect(inventory.host('web1')!.origins).to.deep.include({
        web_var: { file: join('inv', 'group_vars', 'web.yml'), line: 2, column: 1 },
        own: { file: join('inv', 'host_vars', 'web1', 'x.yml'), line: 2, column: 3 },
        level: { file: join('inv', 'hosts.yml'), line: 8, column: 16 },
      });
    });
  });

  describe('bad files', () => {
    it('a YAML error names the file, line and column', async () => {
      const error = await loadError({ 'inv/group_vars/web.yml': 'a: 1\n  b: [\n' });
      expect(error.code).to.equal('INVENTORY_SYNTAX');
      expect(error.message).to.match(/^inv\/group_vars\/web\.yml:\d+:\d+: YAML syntax error/);
    });

    it('a file that is not a mapping is an error naming it; an empty one, or an empty list, sets nothing', async () => {
      for (const [text, found] of [['- 1\n', 'a list'], ['just text\n', 'a string'], ['42\n', 'a number']]) {
        const error = await loadError({ 'inv/host_vars/web1/vars.yml': text! });
        expect(error.code, text).to.equal('INVENTORY_SHAPE');
        expect(error.message, text).to.match(new RegExp(`^inv/host_vars/web1/vars\\.yml:1:1: a vars file must be a mapping of variable names to values, found ${found}`));
      }
      const inventory = await load({ 'inv/group_vars/web.yml': '# nothing yet\n', 'inv/group_vars/db.yml': '[]\n', 'inv/group_vars/cache.yml': '' });
      expect(inventory.host('db1')!.vars).to.deep.equal({ level: 'inventory_all', from_all: 'inventory_all' });
    });

    it('a connection var of the wrong type names the file, line and column', async () => {
      const error = await loadError({ 'inv/host_vars/web1.yml': 'x: 1\nansible_port: [22]\n' });
      expect(error.code).to.equal('INVENTORY_SHAPE');
      expect(error.message).to.match(/^inv\/host_vars\/web1\.yml:2:15: ansible_port: ansible_port must be an integer/);
    });

    it('a whole file encrypted with Ansible Vault is refused by name, without its contents', async () => {
      const error = await loadError({ 'inv/group_vars/all/vault.yml': '$ANSIBLE_VAULT;1.1;AES256\n6162636465666768\n' });
      expect(error.code).to.equal('INVENTORY_READ');
      expect(error.message).to.contain("'inv/group_vars/all/vault.yml': it is encrypted with Ansible Vault").and.not.contain('6162');
    });

    it('a file that is not UTF-8 is refused by name', async () => {
      const { dir, cleanup } = await tempFiles({ 'inv/hosts.yml': HOSTS });
      try {
        await mkdir(join(dir, 'inv', 'host_vars'));
        await writeFile(join(dir, 'inv', 'host_vars', 'web1.yml'), Buffer.from('name: caf\xe9\n', 'latin1'));
        const error = await loadInventory(['inv/hosts.yml'], { cwd: dir }).catch((caught: unknown) => caught);
        // The one code for text that is not UTF-8, in inventories and vars files alike, at the first bad byte.
        expect(error).to.be.instanceOf(InventoryError).with.property('code', 'INVENTORY_ENCODING');
        expect(error).to.include({ file: join('inv', 'host_vars', 'web1.yml'), line: 1, column: 10 });
        expect((error as Error).message).to.match(/^inv\/host_vars\/web1\.yml:1:10: not UTF-8: byte 0xe9 /);
      } finally {
        await cleanup();
      }
    });

    it('the first bad file in reading order is the one reported', async () => {
      const files: Record<string, string> = {};
      for (let index = 0; index < 40; index += 1) files[`inv/group_vars/all/${String(index).padStart(2, '0')}.yml`] = index >= 20 ? '- bad\n' : `v${index}: 1\n`;
      expect((await loadError(files)).message).to.match(/^inv\/group_vars\/all\/20\.yml:/);
    });

    it('a duplicate key warns with its place, and the last value is used', async () => {
      const inventory = await load({ 'inv/group_vars/web.yml': 'k: 1\nk: 2\n' });
      expect(inventory.host('web1')!.vars.k).to.equal(2);
      expect(inventory.warnings.join('\n')).to.match(/inv\/group_vars\/web\.yml:2:1: duplicate key 'k'/);
    });
  });

  it('random vars files never make loading throw anything but InventoryError', async function () {
    this.timeout(60_000);
    const value = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -5, max: 70000 }), fc.string({ maxLength: 6 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }));
    const vars = fc.dictionary(fc.oneof(fc.constantFrom('ansible_port', 'ansible_host', 'ansible_group_priority', 'ansible_ssh_common_args'), fc.string({ maxLength: 6 })), value, { maxKeys: 3 });
    const text = fc.oneof(vars.map((mapping) => stringify(mapping)), value.map((scalar) => stringify(scalar)), fc.string({ maxLength: 40 }), fc.constantFrom('a: *x\n', '{a: [', '$ANSIBLE_VAULT;1.1;AES256\n00\n'));
    await fc.assert(
      fc.asyncProperty(text, text, async (groupVars, hostVars) => {
        try {
          await load({ 'inv/group_vars/all/x.yml': groupVars, 'inv/host_vars/web1': hostVars });
        } catch (error) {
          expect(error, String((error as Error)?.stack)).to.be.instanceOf(InventoryError);
        }
      }),
      { numRuns: 100 },
    );
  });
});
