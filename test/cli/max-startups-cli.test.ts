import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';

const TARGETS = 30;

/**
 * sshd's MaxStartups behind a jump host, through the real binary: one sshd is both the jump host
 * (h01) and the 30 targets behind it (t01-t30: the same address and port, each its own connection), with
 * `MaxStartups 3:100:3`: a fourth connection not yet authenticated is dropped before the banner.
 * sshpool shares one connection to the jump, so only the forwarded target connections count.
 */
describe('MaxStartups 3:100:3 on the sshd behind a jump host, 30 hosts at once (--jump-startups, --retries)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let inventoryPath: string;

  before(async () => {
    fleet = await Fleet.start({ hosts: 1, sshdOptions: ['MaxStartups 3:100:3'] });
    const { address, port } = fleet.host('h01');
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-max-startups-'));
    const hosts = Object.fromEntries(
      Array.from({ length: TARGETS }, (_, index) => [`t${String(index + 1).padStart(2, '0')}`, { ansible_host: address, ansible_port: port, ansible_user: fleet.user, ansible_ssh_private_key_file: fleet.userKeyPath }]),
    );
    inventoryPath = path.join(scratch, 'behind-jump.yaml');
    await writeFile(inventoryPath, stringify({ all: { hosts } }));
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const run = async (...flags: string[]): Promise<{ code: number | null; results: HostResult[]; stderr: string }> => {
    const args = ['run', '-i', inventoryPath, '-F', fleet.sshConfigPath, '-J', 'h01', '--known-hosts', fleet.knownHostsPath, '--no-agent', '-o', 'json', '-f', String(TARGETS), ...flags, '--', 'true'];
    const { code, stdout, stderr } = await runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' } });
    return { code, results: JSON.parse(stdout) as HostResult[], stderr };
  };

  it('without a low enough limit (--jump-startups 30) hosts are dropped before the banner: unreachable, connectFailed, exit 4', async () => {
    const { code, results } = await run('--jump-startups', '30');
    const dropped = results.filter((result) => result.status !== 'ok');
    expect(dropped.length, 'MaxStartups dropped some').to.be.greaterThan(0);
    for (const result of dropped) {
      expect([result.status, result.connectFailed]).to.deep.equal(['unreachable', true]);
      expect(result.error!.code).to.be.oneOf(['CONNECT_RESET', 'HANDSHAKE_FAILED']);
    }
    expect(code).to.equal(4);
  });

  it('--jump-startups 1 (below MaxStartups 3, with room for sshd noticing an authentication late): every host succeeds on its first attempt', async () => {
    const { code, results, stderr } = await run('--jump-startups', '1');
    expect(results.filter((result) => result.status !== 'ok').map((result) => `${result.host}: ${result.error?.code}`), stderr).to.deep.equal([]);
    expect(results.every((result) => result.attempt === 1)).to.equal(true);
    expect(code).to.equal(0);
  });

  it('--jump-startups 30 with --retries 10: the hosts MaxStartups dropped are retried, not failed', async () => {
    const { code, results, stderr } = await run('--jump-startups', '30', '--retries', '10', '--retry-delay', '0.1');
    expect(results.filter((result) => result.status !== 'ok').map((result) => `${result.host}: ${result.error?.code}`), stderr).to.deep.equal([]);
    const retried = results.filter((result) => result.attempt > 1);
    expect(retried.length, 'some needed a retry').to.be.greaterThan(0);
    for (const result of retried) expect(result.previousErrors).to.have.length(result.attempt - 1);
    expect(code).to.equal(0);
  });
});
