import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet, closedPort, startAgent } from '../fleet/index.js';
import { generateKey } from '../fleet/keys.js';
import { runTool } from '../fleet/run-tool.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';
import { inventoryHost } from '../helpers/fleet-hosts.js';
import { hostBlock, loginSettings, runSsh, writeSshConfig } from '../helpers/openssh.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const EMFILE_CHILD = fileURLToPath(new URL('./emfile-child.js', import.meta.url));

describe('error codes of real connection failures', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const tempDir = tempDirPerTest('sshpool-codes-');

  before(async () => {
    fleet = await Fleet.start({ hosts: 1, sshdOptions: ['MaxAuthTries 3'] });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('reports "Too many authentication failures" (sshd MaxAuthTries, used up by agent keys) as AUTH_FAILED, where ssh gives up too', async () => {
    const strangers = await Promise.all([1, 2, 3, 4].map((n) => generateKey(path.join(tempDir(), `stranger${n}`), `stranger${n}`).then(() => path.join(tempDir(), `stranger${n}`))));
    // The agent offers the four strangers first; the user's own key comes too late.
    const agent = await startAgent([...strangers, fleet.userKeyPath]);
    try {
      const settings = [`UserKnownHostsFile ${fleet.knownHostsPath}`, 'GlobalKnownHostsFile /dev/null', `IdentityAgent ${agent.socket}`];
      const file = await writeSshConfig(tempDir(), [hostBlock('target', fleet.hosts[0]!, fleet.user, settings)]);
      const [result] = await runCommand(['target'], 'true', { sshConfigFile: file });
      expect(result!.status).to.equal('unreachable');
      expect(result!.error!.code).to.equal('AUTH_FAILED');
      expect(result!.error!.message).to.match(/^target: authentication failed \(server disconnected: Too many authentication failures\)/);

      const ssh = await runSsh(file, 'target', 'true');
      expect(ssh.exitCode).to.equal(255);
      expect(ssh.stderr).to.include('Too many authentication failures');
    } finally {
      await agent.stop();
    }
  });

  it('reports running out of file descriptors as LOCAL_RESOURCE, naming ulimit -n, not as a fault of the host', async () => {
    const host = fleet.hosts[0]!;
    // A child with a small descriptor limit fills it, then connects: the socket() call itself fails.
    const child = await runTool('prlimit', ['--nofile=64:64', process.execPath, EMFILE_CHILD, host.address, String(host.port)]);
    expect(child.exitCode, child.stderr).to.equal(0);
    const error = JSON.parse(child.stdout) as { code: string; message: string };
    expect(error.code).to.equal('LOCAL_RESOURCE');
    expect(error.message).to.match(/too many open files in this process \(ulimit -n\).*\(EMFILE\)/);
    expect(documentedErrorCodes()).to.include('LOCAL_RESOURCE');
  });

  it("names the peer of a socket error in OpenSSH's [host]:port form", async () => {
    const port = await closedPort();
    const [result] = await runCommand([inventoryHost('closed', '127.0.0.1', port, fleet)], 'true', { knownHostsFiles: [fleet.knownHostsPath], sshConfigFile: '/dev/null', agentSocket: null });
    expect(result!.error).to.deep.equal({ code: 'CONNECT_REFUSED', message: `closed: connect to [127.0.0.1]:${port}: connection refused (ECONNREFUSED)` });
  });

  it('names the target a jump host could not reach in the [host]:port form', async () => {
    const port = await closedPort();
    const jump = hostBlock('jump', fleet.hosts[0]!, fleet.user, [...loginSettings(fleet), 'IdentityAgent none']);
    const dead = hostBlock('dead', { ...fleet.hosts[0]!, port }, fleet.user, [...loginSettings(fleet), 'IdentityAgent none', 'ProxyJump jump']);
    const [result] = await runCommand(['dead'], 'true', { sshConfigFile: await writeSshConfig(tempDir(), [jump, dead]) });
    expect(result!.error!.code).to.equal('PROXY_JUMP_FAILED');
    expect(result!.error!.message).to.include(`could not forward to [127.0.0.1]:${port}`);
  });

  it('documents every code these records carry', () => {
    const documented = documentedErrorCodes();
    for (const code of ['AUTH_FAILED', 'LOCAL_RESOURCE', 'CONNECT_FAILED', 'CONNECT_REFUSED', 'HOSTKEY_MISMATCH', 'HOSTKEY_UNKNOWN', 'HOSTKEY_NOT_RECORDED']) {
      expect(documented, code).to.include(code);
    }
    expect(documented).to.not.include('SSH_ERROR');
  });
});
