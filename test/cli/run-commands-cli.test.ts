import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';

describe('sshpool run -c (several commands, the real binary against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const base = () => ['-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const sshpool = (args: string[]) => runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' } });

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('runs each -c in turn on every host over one connection (same client port), exit code from all of them', async () => {
    const show = 'echo "$SSH_CONNECTION" | cut -d" " -f2';
    const { code, stdout } = await sshpool(['run', ...base(), '-c', show, '-c', show, '-c', 'exit 5']);
    expect(code).to.equal(5);
    const lines = stdout.split('\n').filter(Boolean);
    for (const host of ['h01', 'h02']) {
      const ports = lines.filter((line) => line.startsWith(`${host}: `)).map((line) => line.slice(host.length + 2));
      expect(ports).to.have.length(2);
      expect(ports[0]).to.match(/^\d+$/);
      expect(ports[1]).to.equal(ports[0]);
    }
  });

  it('refuses -c together with words after --', async () => {
    const { code, stderr } = await sshpool(['run', ...base(), '-c', 'true', '--', 'uptime']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('either with -c');
  });
});
