import { inspect } from 'node:util';
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
    // The old name set on the host beats ansible_user from the all group: once merged, the old name wins wherever each was set.
    expect(connectionSettings(inventory.host('legacy')!)).to.deep.equal({ hostname: '127.0.0.3', port: 2200, user: 'old' });
    expect(connectionSettings(inventory.host('both')!).hostname).to.equal('127.0.0.5');
    expect(connectionSettings(inventory.host('bare')!)).to.deep.equal({ user: 'deploy' });
  });

  it('throws InventoryError naming the host and the var for a bad port', () => {
    const host = { name: 'h1', vars: { ansible_port: 'ssh' }, groups: ['all'] };
    expect(() => connectionSettings(host)).to.throw(InventoryError, /host 'h1': ansible_port must be an integer from 1 to 65535/);
    expect(() => connectionSettings({ ...host, vars: { ansible_ssh_port: 65536 } })).to.throw(InventoryError, /ansible_ssh_port/);
  });
});

describe('connectionSettings: old and new names of a var, as Ansible’s ssh plugin resolves them', () => {
  it('takes the old ansible_ssh_* name when both are set on a host, whichever comes first in the file', async () => {
    const inventory = await inventoryFrom(`
all:
  hosts:
    new_first:
      ansible_host: 127.0.0.2
      ansible_ssh_host: 127.0.0.3
      ansible_port: 2201
      ansible_ssh_port: 2202
      ansible_user: new
      ansible_ssh_user: old
      ansible_private_key_file: /keys/new
      ansible_ssh_private_key_file: /keys/old
      ansible_password: new-pw
      ansible_ssh_pass: old-pw
    old_first:
      ansible_ssh_host: 127.0.0.3
      ansible_host: 127.0.0.2
      ansible_ssh_port: 2202
      ansible_port: 2201
      ansible_ssh_user: old
      ansible_user: new
      ansible_ssh_private_key_file: /keys/old
      ansible_private_key_file: /keys/new
      ansible_ssh_pass: old-pw
      ansible_password: new-pw
`);
    for (const name of ['new_first', 'old_first']) {
      const settings = connectionSettings(inventory.host(name)!);
      expect(settings, name).to.include({ hostname: '127.0.0.3', port: 2202, user: 'old', identityFile: '/keys/old' });
      expect(settings.password?.reveal(), name).to.equal('old-pw');
    }
  });

  it('takes the old name when it is set in a group and the new one on the host, and the other way round', async () => {
    const inventory = await inventoryFrom(`
all:
  children:
    old_in_group:
      vars: {ansible_ssh_user: group-old, ansible_ssh_port: 2202, ansible_ssh_host: 127.0.0.3}
      hosts:
        a: {ansible_user: host-new, ansible_port: 2201, ansible_host: 127.0.0.2}
    new_in_group:
      vars: {ansible_user: group-new, ansible_port: 2201, ansible_host: 127.0.0.2}
      hosts:
        b: {ansible_ssh_user: host-old, ansible_ssh_port: 2203, ansible_ssh_host: 127.0.0.4}
`);
    expect(connectionSettings(inventory.host('a')!)).to.deep.equal({ hostname: '127.0.0.3', port: 2202, user: 'group-old' });
    expect(connectionSettings(inventory.host('b')!)).to.deep.equal({ hostname: '127.0.0.4', port: 2203, user: 'host-old' });
  });

  it('ranks the three password names as the plugin lists them: ansible_ssh_password > ansible_ssh_pass > ansible_password', () => {
    const password = (vars: Record<string, unknown>) => connectionSettings({ name: 'h', vars, groups: ['all'] }).password?.reveal();
    expect(password({ ansible_password: 'a', ansible_ssh_pass: 'b', ansible_ssh_password: 'c' })).to.equal('c');
    expect(password({ ansible_password: 'a', ansible_ssh_pass: 'b' })).to.equal('b');
    expect(password({ ansible_password: 'a' })).to.equal('a');
  });

  it('reads an empty winner as unset without falling back to the other name, and strips quotes as Ansible’s config does', () => {
    const settings = (vars: Record<string, unknown>) => connectionSettings({ name: 'h', vars, groups: ['all'] });
    expect(settings({ ansible_ssh_user: '', ansible_user: 'new' })).to.deep.equal({});
    // null is "not set" in Ansible's lookup, so the other name is used.
    expect(settings({ ansible_ssh_user: null, ansible_user: 'new' })).to.deep.equal({ user: 'new' });
    expect(settings({ ansible_user: "'quoted'", ansible_host: '"10.0.0.1"', ansible_ssh_private_key_file: "'/k'" })).to.deep.equal({
      user: 'quoted', hostname: '10.0.0.1', identityFile: '/k',
    });
    expect(settings({ ansible_user: "'half", ansible_host: 'a\\"b\\"' })).to.deep.equal({ user: "'half", hostname: 'a\\"b\\"' });
    expect(settings({ ansible_user: 1000 })).to.deep.equal({ user: '1000' });
  });
});

describe('connectionSettings: values of the wrong type', () => {
  it('names file, line, column, host and key for a list, a mapping or a boolean where a string belongs', async () => {
    const inventory = await inventoryFrom(`
all:
  vars:
    ansible_user: {name: deploy}
  hosts:
    listed:
      ansible_host: [1, 2]
    mapped:
    flagged:
      ansible_user: deploy
      ansible_ssh_private_key_file: true
`);
    const failure = (host: string) => {
      try {
        connectionSettings(inventory.host(host)!);
      } catch (error) {
        return error as InventoryError;
      }
      throw new Error(`${host} was accepted`);
    };
    const listed = failure('listed');
    expect(listed).to.be.instanceOf(InventoryError);
    expect(listed.code).to.equal('INVENTORY_VALUE');
    expect(listed.message).to.equal("inventory.yml:7:7: host 'listed': ansible_host must be a string, found a list");
    expect([listed.file, listed.line, listed.column]).to.deep.equal(['inventory.yml', 7, 7]);
    expect(failure('mapped').message).to.equal("inventory.yml:4:5: host 'mapped': ansible_user must be a string, found a mapping");
    expect(failure('flagged').message).to.equal("inventory.yml:11:7: host 'flagged': ansible_ssh_private_key_file must be a string, found the boolean true");
  });

  it('never puts a password in the message, whatever its type', async () => {
    const inventory = await inventoryFrom(`
all:
  hosts:
    h1: {ansible_password: [hunter2-in-a-list]}
    h2: {ansible_become_pass: {hunter2: hunter2-in-a-mapping}}
    h3: {ansible_ssh_pass: true}
`);
    for (const [host, kind] of [['h1', 'a list'], ['h2', 'a mapping'], ['h3', 'a boolean']] as const) {
      const message = (() => {
        try {
          connectionSettings(inventory.host(host)!);
          return 'accepted';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).to.match(new RegExp(`^inventory\\.yml:\\d+:\\d+: host '${host}': ansible_\\w+ must be a string, found ${kind}$`));
      expect(message).to.not.include('hunter2');
      expect(message).to.not.include('true');
    }
  });

  it('checks what the lookup returns, so a templated value is checked once rendered, at the place of its raw var', async () => {
    const inventory = await inventoryFrom(`
all:
  hosts:
    h1:
      ansible_port: "{{ base_port }}"
      ansible_user: "{{ users }}"
`);
    const host = inventory.host('h1')!;
    const rendered: Record<string, unknown> = { ansible_port: 2222, ansible_user: 'deploy' };
    expect(connectionSettings(host, (name) => rendered[name])).to.deep.equal({ port: 2222, user: 'deploy' });
    rendered.ansible_user = ['a', 'b'];
    expect(() => connectionSettings(host, (name) => rendered[name])).to.throw(
      InventoryError,
      /^inventory\.yml:6:7: host 'h1': ansible_user must be a string, found a list$/,
    );
    // Without a lookup the raw text is taken as it is.
    expect(() => connectionSettings(host)).to.throw(InventoryError, /ansible_port must be an integer from 1 to 65535, found "\{\{ base_port \}\}"/);
  });
});

describe('connectionSettings: ansible_connection', () => {
  const settings = (vars: Record<string, unknown>) => connectionSettings({ name: 'h', vars, groups: ['all'] });

  it('reads every SSH plugin name as ssh, and local as local', () => {
    for (const name of ['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh', 'ansible.legacy.paramiko_ssh']) {
      expect(settings({ ansible_connection: name }).connection, name).to.equal('ssh');
    }
    expect(settings({ ansible_connection: 'local' }).connection).to.equal('local');
    expect(settings({ ansible_connection: 'ansible.builtin.local' }).connection).to.equal('local');
    expect(settings({})).to.not.have.property('connection');
  });

  it('refuses any other type with CONNECTION_UNSUPPORTED, naming the type, the host and where it was set', async () => {
    const inventory = await inventoryFrom(`
all:
  children:
    windows:
      vars:
        ansible_connection: winrm
      hosts:
        win1:
  hosts:
    box: {ansible_connection: community.docker.docker}
`);
    expect(() => connectionSettings(inventory.host('win1')!)).to.throw(
      InventoryError,
      /^inventory\.yml:6:9: host 'win1': ansible_connection is 'winrm', which sshpool cannot use \(it connects over SSH: ssh, smart, paramiko; or runs commands here: local\); nothing was attempted on this host$/,
    );
    const error = (() => {
      try {
        connectionSettings(inventory.host('box')!);
      } catch (caught) {
        return caught as InventoryError;
      }
      throw new Error('accepted');
    })();
    expect(error.code).to.equal('CONNECTION_UNSUPPORTED');
    expect(error.message).to.include("host 'box': ansible_connection is 'community.docker.docker'");
  });
});

describe('connectionSettings: become', () => {
  const settings = (vars: Record<string, unknown>) => connectionSettings({ name: 'h', vars, groups: ['all'] });

  it('reads ansible_become and its companions, typed, only when one of them is set', () => {
    expect(settings({ ansible_user: 'deploy' })).to.not.have.property('become');
    const become = settings({
      ansible_become: 'yes',
      ansible_become_user: 'postgres',
      ansible_become_method: 'su',
      ansible_become_exe: '/bin/su',
      ansible_become_flags: '-l',
      ansible_become_password: 'older-name',
      ansible_become_pass: 'sudo-pw',
    }).become!;
    expect(become).to.deep.include({ enabled: true, user: 'postgres', method: 'su', exe: '/bin/su', flags: '-l' });
    // The become plugins list ansible_become_password before ansible_become_pass: the later one wins.
    expect(become.password?.reveal()).to.equal('sudo-pw');
    expect(settings({ ansible_become_user: 'root' }).become).to.deep.equal({ enabled: false, user: 'root' });
  });

  it('reads booleans as Ansible’s boolean() does, and names the var for anything else', () => {
    const enabled = (value: unknown) => settings({ ansible_become: value }).become?.enabled;
    for (const value of [true, 'yes', 'Y', ' on ', 'TRUE', 't', '1', 1]) expect(enabled(value), String(value)).to.equal(true);
    for (const value of [false, 'no', 'n', 'off', 'False', 'f', '0', 0]) expect(enabled(value), String(value)).to.equal(false);
    expect(() => enabled('maybe')).to.throw(InventoryError, /host 'h': ansible_become must be a boolean \(true\/false, yes\/no, on\/off, 1\/0\), found "maybe"/);
    expect(() => enabled(2)).to.throw(InventoryError, /found the number 2/);
  });
});

describe('Secret', () => {
  it('keeps a password out of JSON, string conversion and util.inspect of the settings that hold it', () => {
    const settings = connectionSettings({ name: 'h', vars: { ansible_password: 'pw-visible?', ansible_become_pass: 'become-visible?' }, groups: ['all'] });
    for (const shown of [JSON.stringify(settings), inspect(settings, { depth: 10, showHidden: true }), `${settings.password}`, String(settings.become?.password)]) {
      expect(shown).to.not.include('visible?');
      expect(shown).to.include('[secret]');
    }
  });
});
