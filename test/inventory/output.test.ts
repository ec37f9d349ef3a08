import { expect } from 'chai';
import { toAnsibleJson } from '../../src/inventory/index.js';
import { inventoryFrom } from './fixtures.js';

const YAML = `
all:
  vars: {region: eu}
  hosts:
    lone:
  children:
    web:
      vars: {ansible_group_priority: 3, tier: web}
      hosts:
        web1: {ansible_host: 127.0.0.1, tags: [a, "it's"], enabled: yes}
        web2:
      children:
        canary:
          hosts:
            web2:
    empty:
`;

describe('ansible-inventory output', () => {
  it('--list: groups with hosts and children, ungrouped under all, merged hostvars', async () => {
    const inventory = await inventoryFrom(YAML);
    expect(inventory.toAnsibleList()).to.deep.equal({
      _meta: {
        hostvars: {
          lone: { region: 'eu' },
          web1: { region: 'eu', tier: 'web', ansible_host: '127.0.0.1', tags: ['a', "it's"], enabled: true },
          web2: { region: 'eu', tier: 'web' },
        },
      },
      all: { children: ['ungrouped', 'web', 'empty'] },
      ungrouped: { hosts: ['lone'] },
      web: { hosts: ['web1', 'web2'], children: ['canary'] },
      canary: { hosts: ['web2'] },
    });
  });

  it('--list with a limit keeps only the selected hosts', async () => {
    const inventory = await inventoryFrom(YAML);
    const list = inventory.toAnsibleList(inventory.select('canary'));
    expect(list).to.deep.equal({
      _meta: { hostvars: { web2: { region: 'eu', tier: 'web' } } },
      all: { children: ['ungrouped', 'web', 'empty'] },
      web: { hosts: ['web2'], children: ['canary'] },
      canary: { hosts: ['web2'] },
    });
  });

  it('prints JSON as ansible-inventory: sorted keys, four-space indent', () => {
    expect(toAnsibleJson({ b: [1], a: { d: 1, c: null } })).to.equal(
      '{\n    "a": {\n        "c": null,\n        "d": 1\n    },\n    "b": [\n        1\n    ]\n}',
    );
  });

  it('--graph draws the tree; --vars adds vars in Python notation', async () => {
    const inventory = await inventoryFrom(YAML);
    expect(inventory.toGraph()).to.equal(
      ['@all:', '  |--@ungrouped:', '  |  |--lone', '  |--@web:', '  |  |--@canary:', '  |  |  |--web2',
        '  |  |--web1', '  |  |--web2', '  |--@empty:'].join('\n'),
    );
    expect(inventory.toGraph('web', { vars: true })).to.equal(
      ['@web:', '  |--@canary:', '  |  |--web2', '  |  |  |--{region = eu}', '  |  |  |--{tier = web}',
        '  |--web1', '  |  |--{ansible_host = 127.0.0.1}', '  |  |--{enabled = True}', '  |  |--{region = eu}',
        `  |  |--{tags = ['a', "it's"]}`, '  |  |--{tier = web}',
        '  |--web2', '  |  |--{region = eu}', '  |  |--{tier = web}',
        '  |--{ansible_group_priority = 3}', '  |--{tier = web}'].join('\n'),
    );
    expect(() => inventory.toGraph('nosuch')).to.throw(/no group has that name/);
  });
});
