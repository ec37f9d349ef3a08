import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { runCliProcess } from '../helpers/cli-process.js';
import { tempFiles } from './fixtures.js';

describe('sshpool inventory without -i (the real binary)', function () {
  this.timeout(60_000);
  let root: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ dir: root, cleanup } = await tempFiles({
      'home/.keep': '',
      'work/ansible.cfg': '[defaults]\ninventory = inv/hosts.yml\n',
      'work/inv/hosts.yml': 'all:\n  hosts:\n    from_cfg:\n',
      'work/inv/group_vars/all.yml': 'from_group_vars: true\n',
      'other/env.yml': 'all:\n  hosts:\n    from_env:\n',
      'broken/ansible.cfg': '[defaults]\ninventory = nosuch.yml\n',
      'empty/.keep': '',
    }));
    root = await realpath(root);
  });
  after(() => cleanup());

  /** HOME and the working directory in the temp dir, and none of this machine's SSHPOOL_/ANSIBLE_ variables. */
  const sshpool = (cwd: string, env: NodeJS.ProcessEnv = {}) =>
    runCliProcess(['inventory', '--list'], { cwd: join(root, cwd), env: { PATH: process.env.PATH, HOME: join(root, 'home'), ...env } });

  it("reads the inventory named in ./ansible.cfg, relative to it, with that inventory's group_vars", async () => {
    const { code, stdout, stderr } = await sshpool('work');
    expect(code, stderr).to.equal(0);
    expect(JSON.parse(stdout)._meta.hostvars).to.deep.equal({ from_cfg: { from_group_vars: true } });
  });

  it('takes $ANSIBLE_INVENTORY before ansible.cfg, and $SSHPOOL_INVENTORY before both', async () => {
    const fromEnv = await sshpool('work', { ANSIBLE_INVENTORY: '../other/env.yml' });
    expect(fromEnv.code, fromEnv.stderr).to.equal(0);
    expect(JSON.parse(fromEnv.stdout).ungrouped.hosts).to.deep.equal(['from_env']);
    const own = await sshpool('work', { ANSIBLE_INVENTORY: '../other/env.yml', SSHPOOL_INVENTORY: 'web1,web2,' });
    expect(JSON.parse(own.stdout).ungrouped.hosts).to.deep.equal(['web1', 'web2']);
  });

  it('says which ansible.cfg named a source that does not exist', async () => {
    const { code, stderr } = await sshpool('broken');
    expect(code).to.equal(2);
    expect(stderr).to.contain(`inventory source '${join(root, 'broken', 'nosuch.yml')}' does not exist (named by inventory in [defaults] of ${join(root, 'broken', 'ansible.cfg')})`);
  });

  it('exits 2 naming every place it looked when nothing names an inventory', async function () {
    // This machine's own Ansible configuration would be found, as Ansible would find it.
    if (existsSync('/etc/ansible')) this.skip();
    const { code, stdout, stderr } = await sshpool('empty');
    expect(code).to.equal(2);
    expect(stdout).to.equal('');
    expect(stderr).to.contain(
      `sshpool: no inventory: give -i/--inventory (looked at $SSHPOOL_INVENTORY (unset), $ANSIBLE_INVENTORY (unset), $ANSIBLE_CONFIG (unset), ${join(root, 'empty', 'ansible.cfg')} (not found), ${join(root, 'home', '.ansible.cfg')} (not found), /etc/ansible/ansible.cfg (not found), /etc/ansible/hosts (not found))`,
    );
  });
});
