import { expect } from 'chai';
import { connectionSettings, InventoryError } from '../../src/inventory/index.js';
import { inventoryFrom } from './fixtures.js';

describe('connectionSettings', () => {
  it('reads ansible_* vars and their ansible_ssh_* aliases', async () => {
    const inventory = await inventoryFrom(`
all:
  vars: {ansible_user: deploy}
  hosts:
    modern: {ansible_host: 127.0.0.2, ansible_port: 2222, ansible_ssh_private_key_file: ~/.ssh/id_test}
    legacy: {ansible_ssh_host: 127.0.0.3, ansible_ssh_port: "2200", ansible_ssh_user: old}
    both: {ansible_host: 127.0.0.4, ansible_ssh_host: 127.0.0.5}
    bare:
`);
    expect(connectionSettings(inventory.host('modern')!)).to.deep.equal({
      hostname: '127.0.0.2', port: 2222, user: 'deploy', identityFile: '~/.ssh/id_test',
    });
    // ansible_user from the all group beats the legacy alias set on the host, as the modern name always wins.
    expect(connectionSettings(inventory.host('legacy')!)).to.deep.equal({ hostname: '127.0.0.3', port: 2200, user: 'deploy' });
    expect(connectionSettings(inventory.host('both')!).hostname).to.equal('127.0.0.4');
    expect(connectionSettings(inventory.host('bare')!)).to.deep.equal({ user: 'deploy' });
  });

  it('throws InventoryError naming the host and the var for a bad port', () => {
    const host = { name: 'h1', vars: { ansible_port: 'ssh' }, groups: ['all'] };
    expect(() => connectionSettings(host)).to.throw(InventoryError, /host 'h1': ansible_port must be an integer from 1 to 65535/);
    expect(() => connectionSettings({ ...host, vars: { ansible_ssh_port: 65536 } })).to.throw(InventoryError, /ansible_ssh_port/);
  });
});
