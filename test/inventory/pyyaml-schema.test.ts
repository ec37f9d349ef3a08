import { expect } from 'chai';
import { InventoryError } from '../../src/inventory/index.js';
import { inventoryFrom, loadError } from './fixtures.js';

/** The value a plain scalar gets as a host var. */
async function scalar(text: string): Promise<unknown> {
  const inventory = await inventoryFrom(`all:\n  hosts:\n    h:\n      v: ${text}\n`);
  return inventory.host('h')!.vars.v;
}

describe('YAML scalars as PyYAML (and so Ansible) reads them', () => {
  it('keeps as strings what PyYAML does not take for numbers', async () => {
    for (const text of ['1e3', '1234e56', '1.0e3', '-.5', '08', '0:30', '00:11:22:33:44:55', 'y', 'n', 'Y', '2024-1-31', '0o17']) {
      expect(await scalar(text), text).to.equal(text);
    }
  });

  it('reads the numbers and booleans PyYAML reads', async () => {
    const expected: Array<[string, unknown]> = [
      ['1.0e+3', 1000], ['.5', 0.5], ['3.', 3], ['1_000', 1000], ['017', 15], ['0x1F', 31], ['0b101', 5],
      ['1:30', 90], ['1:30.5', 90.5], ['-.inf', -Infinity], ['yes', true], ['Off', false], ['~', null],
    ];
    for (const [text, value] of expected) expect(await scalar(text), text).to.equal(value);
  });

  it("gives timestamps as Python's isoformat() strings, the way ansible-inventory prints them", async () => {
    expect(await scalar('2024-01-31')).to.equal('2024-01-31');
    expect(await scalar('2024-01-31 10:20:30')).to.equal('2024-01-31T10:20:30');
    expect(await scalar('2024-1-3t1:02:03.5Z')).to.equal('2024-01-03T01:02:03.500000+00:00');
    expect(await scalar('2001-12-14 21:59:43.1234567 -5')).to.equal('2001-12-14T21:59:43.123456-05:00');
  });

  it('rejects a timestamp that is no date, as PyYAML does, naming the place', async () => {
    for (const text of ['2024-02-30', '2023-02-29 10:00:00', '2024-01-31 24:00:00']) {
      const error = (await loadError(`all:\n  hosts:\n    h:\n      v: ${text}\n`)) as InventoryError;
      expect(error, text).to.be.instanceOf(InventoryError).and.to.include({ code: 'INVENTORY_SYNTAX', line: 4, column: 10 });
    }
    expect(await scalar('2024-02-29')).to.equal('2024-02-29');
  });
});
