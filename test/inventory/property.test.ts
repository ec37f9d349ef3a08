import { expect } from 'chai';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { InputError } from '../../src/errors.js';
import { InventoryError } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { inventoryFrom, loadFiles } from './fixtures.js';

const name = fc.oneof(
  fc.constantFrom('all', 'web', 'db', 'ungrouped', 'hosts', 'vars', 'children', 'web[1:3]', 'db-[a:c]', 'x[5:1]', 'h:22', 'h:0', '[::1]:22'),
  fc.string({ maxLength: 8 }),
);
const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -5, max: 70000 }), name);
const vars = fc.dictionary(fc.oneof(fc.constantFrom('ansible_port', 'ansible_host', 'ansible_group_priority', 'ansible_ssh_common_args'), name), scalar, { maxKeys: 3 });

/** Inventory-shaped values, with wrong shapes mixed in at every level. */
const { group } = fc.letrec<{ group: unknown }>((tie) => ({
  group: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(scalar, { maxLength: 2 }),
    fc.record(
      {
        hosts: fc.oneof(fc.dictionary(name, fc.oneof(fc.constant(null), vars, scalar), { maxKeys: 4 }), scalar, fc.array(name, { maxLength: 2 })),
        children: fc.oneof(fc.dictionary(name, tie('group'), { maxKeys: 3 }), scalar),
        vars: fc.oneof(vars, scalar),
      },
      { requiredKeys: [] },
    ),
  ),
}));
const inventoryText = fc.oneof(
  fc.dictionary(name, group, { maxKeys: 3 }).map((value) => stringify(value)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('all: {hosts: [', 'a: &a\n  children: *a\n', 'all:\n  hosts:\n    "web[01:x]":\n', '- - -', 'a: *missing\n'),
);
const pattern = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(name, fc.constantFrom('*', '~w.*', '~(', '&web', '!db', 'web[0]', 'web[-1]', 'web[1:]', 'web[:2]', 'all[9]', 'x[2:1]')), { maxLength: 4 }).map((parts) => parts.join(':')),
);

describe('inventory property tests', () => {
  it('loading never throws anything but InventoryError; selecting nothing but InputError', async () => {
    await fc.assert(
      fc.asyncProperty(inventoryText, fc.array(pattern, { maxLength: 3 }), async (text, patterns) => {
        let inventory: Inventory;
        try {
          inventory = await inventoryFrom(text);
        } catch (error) {
          expect(error, String((error as Error)?.stack)).to.be.instanceOf(InventoryError);
          return;
        }
        for (const p of patterns) {
          try {
            const hosts = inventory.select(p);
            expect(new Set(hosts).size).to.equal(hosts.length);
          } catch (error) {
            expect(error, String((error as Error)?.stack)).to.be.instanceOf(InputError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** INI-shaped lines: headers right and wrong, host lines with ranges, ports and quoted key=value words, :vars lines, junk. */
const iniWord = fc.oneof(
  fc.constantFrom('web', 'db', 'all', 'ungrouped', 'web[01:03]', 'db-[a:c]', 'x[5:1]', 'h:22', 'h:0', 'h:', '[::1]:22', '---', '""', "'a b'", '"q\\"', '\\', '#c', ';c'),
  fc.string({ maxLength: 6 }),
);
const iniValue = fc.oneof(
  fc.constantFrom('5', "'5'", '"\'x y\'"', 'True', 'None', '[1, 2]', "{'a': 1}", '{[1]: 2}', '{1, 2}', '1+2j', '...', '0x1F', '08', "b'\\xff'", "'\\N{BULLET}'", '(1,', '"unclosed'),
  fc.string({ maxLength: 6 }),
);
const iniVariable = fc.tuple(fc.oneof(fc.constantFrom('ansible_port', 'ansible_group_priority', 'ansible_ssh_common_args', ''), fc.string({ maxLength: 5 })), iniValue).map(([key, value]) => `${key}=${value}`);
const iniLine = fc.oneof(
  fc.tuple(iniWord, fc.constantFrom('', ':vars', ':children', ':hosts', ':other', ' x', ']')).map(([group, type]) => `[${group}${type}]`),
  fc.tuple(iniWord, fc.array(iniVariable, { maxLength: 3 })).map(([host, vars]) => [host, ...vars].join(' ')),
  iniVariable.map((variable) => variable.replace('=', ' = ')),
  iniWord,
  fc.constantFrom('', '# comment', '; comment', '\ufeff[web]', '\t  web1  ', '[web] # ok', '[web] ; not ok', 'a\fb', 'x\u2028y'),
);
const iniText = fc.array(iniLine, { maxLength: 8 }).map((lines) => lines.join('\n'));

describe('INI inventory property tests', () => {
  it('loading INI-shaped text never throws anything but InventoryError', async () => {
    await fc.assert(
      fc.asyncProperty(iniText, fc.boolean(), async (text, asIni) => {
        // hosts.ini is read as INI only; hosts (no extension) goes through YAML first, as Ansible does.
        const name = asIni ? 'hosts.ini' : 'hosts';
        const result = await loadFiles({ [name]: text }, [name]);
        if (result instanceof InventoryError) return;
        for (const host of result.hosts) expect(host.name).to.be.a('string');
      }),
      { numRuns: 300 },
    );
  });
});
