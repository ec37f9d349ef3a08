import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { tempFiles } from './fixtures.js';

describe('connection vars from group_vars/ and host_vars/ (the real binary against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let inventory: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
    const [h01, h02] = fleet.hosts;
    // The inventory names the hosts only: how to reach them is all in the vars files.
    ({ dir: inventory, cleanup } = await tempFiles({
      'hosts.yml': 'all:\n  children:\n    fleet:\n      hosts:\n        h01:\n        h02:\n',
      'group_vars/all.yml': `ansible_user: ${fleet.user}\nansible_ssh_private_key_file: '${fleet.userKeyPath}'\n`,
      // A closed port for the whole group: each host's host_vars must beat it.
      'group_vars/fleet/connection.yml': `ansible_host: ${h01!.address}\nansible_port: 1\n`,
      'host_vars/h01.yml': `ansible_port: ${h01!.port}\n`,
      'host_vars/h02/port.yml': `ansible_port: ${h02!.port}\n`,
    }));
  });
  after(async () => {
    await fleet?.stop();
    await cleanup?.();
  });

  it('connects to each host on the port and as the user the vars files give', async () => {
    const args = ['run', '-i', `${inventory}/hosts.yml`, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '--', 'echo "$(id -un) ${SSH_CONNECTION##* }"'];
    const { code, stdout, stderr } = await runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' } });
    expect(code, stderr).to.equal(0);
    expect(stdout.split('\n').filter(Boolean).sort()).to.deep.equal(fleet.hosts.map((host) => `${host.name}: ${fleet.user} ${host.port}`));
  });
});
