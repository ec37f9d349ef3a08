import { expect } from 'chai';
import { chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InventoryError, loadVaultSecrets, toAnsibleJson, UnsafeText, VaultPasswordFileError, VaultText } from '../../src/inventory/index.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { inventoryFrom, loadError } from './fixtures.js';

describe('!unsafe and !vault values, and templated values at load time', () => {
  const dir = tempDirPerTest('sshpool-vault-files-');

  it('reads !unsafe as Ansible: a scalar as its text, every string inside a list or mapping', async () => {
    const inventory = await inventoryFrom(`
all:
  hosts:
    h:
      five: !unsafe 5
      list: !unsafe ["{{ a }}", 3]
      map: !unsafe {k: "{{ b }}"}
      secret: !vault |
        $ANSIBLE_VAULT;1.1;AES256
        3132
`);
    const vars = inventory.host('h')!.vars;
    expect(vars.five).to.deep.equal(new UnsafeText('5'));
    expect(vars.list).to.deep.equal([new UnsafeText('{{ a }}'), 3]);
    expect(vars.map).to.deep.equal({ k: new UnsafeText('{{ b }}') });
    expect(vars.secret).to.deep.equal(new VaultText('$ANSIBLE_VAULT;1.1;AES256\n3132\n'));
    expect(JSON.parse(toAnsibleJson(inventory.toAnsibleHost(inventory.host('h')!)))).to.deep.equal({
      five: { __ansible_unsafe: '5' },
      list: [{ __ansible_unsafe: '{{ a }}' }, 3],
      map: { k: { __ansible_unsafe: '{{ b }}' } },
      secret: { __ansible_vault: '$ANSIBLE_VAULT;1.1;AES256\n3132\n' },
    });
  });

  it('checks a templated or !vault port when its host is resolved, not when the file is read', async () => {
    const inventory = await inventoryFrom('all:\n  hosts:\n    h: {ansible_port: "{{ base + 1 }}", base: 2200}\n    v: {ansible_port: !vault "$ANSIBLE_VAULT;1.1;AES256\\n00"}\n');
    expect(inventory.host('h')!.vars.ansible_port).to.equal('{{ base + 1 }}');
    const error = (await loadError('all:\n  hosts:\n    h: {ansible_port: ssh}\n')) as InventoryError;
    expect(error).to.be.instanceOf(InventoryError).and.to.include({ code: 'INVENTORY_SHAPE', line: 3 });
  });

  it("reads a vault password file without its surrounding whitespace, runs an executable one, and rejects an empty one", async () => {
    const plain = path.join(dir(), 'plain');
    await writeFile(plain, '  hunter2 \n\n');
    const script = path.join(dir(), 'script');
    await writeFile(script, "#!/bin/sh\nprintf ' spaced \\n'\n");
    await chmod(script, 0o700);
    const empty = path.join(dir(), 'empty');
    await writeFile(empty, ' \n');
    const secrets = await loadVaultSecrets([plain, script]);
    expect(String(secrets)).to.equal('VaultSecrets(2 passwords)');
    const { Vault } = createRequire(import.meta.url)('ansible-vault') as { Vault: new (options: { password: string }) => { encryptSync(text: string): string } };
    expect(secrets.decrypt(new VaultText(new Vault({ password: 'hunter2' }).encryptSync('from the file')))).to.equal('from the file');
    // A script's output loses only its newlines, as Ansible strips b'\r\n' from it.
    expect(secrets.decrypt(new VaultText(new Vault({ password: ' spaced ' }).encryptSync('from the script')))).to.equal('from the script');
    expect(() => secrets.decrypt(new VaultText('$ANSIBLE_VAULT;1.1;AES256\nnot-hex\n'))).to.throw(/not a valid Ansible vault value/);
    let error: unknown;
    try {
      await loadVaultSecrets([empty]);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(VaultPasswordFileError).and.to.include({ code: 'VAULT_PASSWORD_FILE' });
    expect((error as Error).message).to.match(/vault password file '.*empty' gave an empty password/);
  });
});
