import { expect } from 'chai';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { InventoryError, InventoryUnparsedError, loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { names, tempFiles } from './fixtures.js';

const INI = '[web]\nweb1 ansible_port=2201\n';
const YAML = 'web:\n  hosts:\n    web1:\n      ansible_port: 2201\n';

/** Loads `source` from a temp directory of `files`, after making `executable` files executable. */
async function load(files: Record<string, string>, source: string, executable: string[] = []): Promise<Inventory | InventoryError> {
  const { dir, cleanup } = await tempFiles(files);
  try {
    for (const name of executable) await chmod(join(dir, name), 0o755);
    return await loadInventory([source], { cwd: dir });
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  } finally {
    await cleanup();
  }
}

function inventoryOf(result: Inventory | InventoryError): Inventory {
  if (result instanceof InventoryError) throw result;
  return result;
}

describe('inventory formats, chosen as Ansible chooses them', () => {
  it('reads INI from a file without extension, and from a .yml file holding INI, after YAML failed', async () => {
    for (const name of ['hosts', 'hosts.yml', 'hosts.cfg']) {
      const inventory = inventoryOf(await load({ [name]: INI }, name));
      expect(inventory.host('web1')!.vars, name).to.deep.equal({ ansible_port: 2201 });
      expect(inventory.warnings, name).to.deep.equal([]);
    }
  });

  it('reads YAML from a file without extension, and never as YAML a file with another extension', async () => {
    expect(inventoryOf(await load({ hosts: YAML }, 'hosts')).host('web1')!.vars).to.deep.equal({ ansible_port: 2201 });
    const error = await load({ 'hosts.ini': YAML }, 'hosts.ini');
    // Only INI was tried, so its error comes alone.
    expect(error).to.be.instanceOf(InventoryError).and.not.to.be.instanceOf(InventoryUnparsedError);
    expect(error).to.include({ code: 'INVENTORY_SYNTAX', line: 1 });
  });

  it('reads an executable YAML file without #! as YAML (it is not run)', async () => {
    const inventory = inventoryOf(await load({ 'hosts.yml': `${YAML}# rm would run if /bin/sh read this\n` }, 'hosts.yml', ['hosts.yml']));
    expect(names(inventory.hosts)).to.deep.equal(['web1']);
  });

  it('names every format tried when none reads a file, with the code and place of the one it is written in', async () => {
    const yamlShaped = (await load({ 'bad.yml': 'all:\n  hosts:\n    - web1\n' }, 'bad.yml')) as InventoryUnparsedError;
    expect(yamlShaped).to.be.instanceOf(InventoryUnparsedError).and.include({ code: 'INVENTORY_SHAPE', file: 'bad.yml', line: 3, column: 5 });
    expect(yamlShaped.attempts.map((attempt) => attempt.format)).to.deep.equal(['YAML', 'INI']);
    expect(yamlShaped.message).to.match(/^bad\.yml:3:5: all\.hosts: 'hosts' of group 'all' must be a mapping.* \(not INI either: line 1, column 1: host 'all:' ends in ':'/);
    expect(yamlShaped.message).to.match(/\n {2}3 \| {5}- web1\n/);

    const iniShaped = (await load({ hosts: '[web]\nweb1 port=1 oops\n' }, 'hosts')) as InventoryUnparsedError;
    expect(iniShaped).to.include({ code: 'INVENTORY_SYNTAX', line: 2, column: 13 });
    expect(iniShaped.message).to.match(/^hosts:2:13: expected key=value .*\(not YAML either: line 2, column 1: YAML syntax error/);
  });

  it('refuses a YAML inventory plugin configuration without trying INI', async () => {
    const error = await load({ 'aws_ec2.yml': 'plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n' }, 'aws_ec2.yml');
    expect(error).to.be.instanceOf(InventoryError).and.not.to.be.instanceOf(InventoryUnparsedError);
    expect(error).to.include({ code: 'INVENTORY_PLUGIN', line: 1 });
  });

  it('says it does not read TOML, after trying INI as Ansible does', async () => {
    const error = (await load({ 'hosts.toml': '[web.hosts.web1]\nansible_port = 22\n' }, 'hosts.toml')) as InventoryUnparsedError;
    expect(error.attempts.map((attempt) => [attempt.format, attempt.error.code])).to.deep.equal([['INI', 'INVENTORY_SYNTAX'], ['TOML', 'INVENTORY_UNSUPPORTED']]);
    expect(error.message).to.contain('not TOML either: sshpool does not read TOML inventories');
  });

  it('refuses a file that is not UTF-8 once, naming the file, line, column and byte', async () => {
    const { dir, cleanup } = await tempFiles({});
    try {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(dir, 'hosts'), Buffer.from('[web]\nweb1 owner=Jos\xe9\n', 'latin1'));
      const error = await loadInventory(['hosts'], { cwd: dir }).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(InventoryError).and.not.to.be.instanceOf(InventoryUnparsedError);
      expect(error).to.include({ code: 'INVENTORY_ENCODING', file: 'hosts', line: 2, column: 15 });
      expect((error as Error).message).to.match(/^hosts:2:15: not UTF-8: byte 0xe9/);
    } finally {
      await cleanup();
    }
  });

  it('reads in a directory what Ansible reads: INI without extension, YAML, scripts; skips .ini with a warning', async () => {
    const inventory = inventoryOf(
      await load(
        {
          'inv/hosts': INI,
          'inv/more.yaml': 'web:\n  hosts:\n    web2:\n',
          'inv/old.ini': '[never]\nread\n',
          'inv/notes.txt': 'not read',
          'inv/zz-dynamic': '#!/bin/sh\necho \'{"dyn": ["d1"]}\'\n',
        },
        'inv',
        ['inv/zz-dynamic'],
      ),
    );
    expect(names(inventory.hosts)).to.deep.equal(['web1', 'web2', 'd1']);
    expect(inventory.warnings).to.deep.equal([join('inv', 'old.ini') + ': skipped, as Ansible skips .ini files in an inventory directory (its INVENTORY_IGNORE_EXTS)']);
  });

  it('warns about a directory with no inventory in it, and loads it as an empty inventory', async () => {
    const inventory = inventoryOf(await load({ 'inv/README.md': '# nothing', 'inv/sub/notes.txt': 'x' }, 'inv'));
    expect(inventory.hosts).to.have.length(0);
    expect(inventory.warnings).to.deep.equal([`${join('inv', 'sub')}: no inventory in this directory`, 'inv: no inventory in this directory']);
  });

  it('reads an empty INI file as an empty inventory, without a warning', async () => {
    const inventory = inventoryOf(await load({ 'empty.ini': '# just a comment\n' }, 'empty.ini'));
    expect(inventory.hosts).to.have.length(0);
    expect(inventory.warnings).to.deep.equal([]);
  });
});
