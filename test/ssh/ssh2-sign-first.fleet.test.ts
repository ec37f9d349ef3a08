import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet, startAgent } from '../fleet/index.js';
import type { FleetHost } from '../fleet/index.js';
import { generateKey } from '../fleet/keys.js';
import { hostBlock, loginSettings, runSsh, writeSshConfig } from '../helpers/openssh.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/**
 * patches/ssh2+1.17.0+006+sign-first.patch: a key read from a file goes out in a signed request at
 * once, where ssh2 (and ssh, for a key with its .pub beside it) first asks whether the server would
 * take it, a round trip more. At LogLevel DEBUG2 sshd says which one each request was.
 */
describe('publickey logins with a key file sign at once, a round trip less (real sshd, its DEBUG2 log)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let host: FleetHost;
  const tempDir = tempDirPerTest('sshpool-sign-first-');

  before(async () => {
    fleet = await Fleet.start({ hosts: 1, sshdOptions: ['LogLevel DEBUG2'] });
    host = fleet.hosts[0]!;
  });
  after(async () => {
    await fleet?.stop();
  });

  /** sshd's "userauth_pubkey: valid user U querying|attempting public key TYPE ..." lines of the logins since `clearLog()`. */
  async function publicKeyRequests(): Promise<string[]> {
    const log = await readFile(host.logPath, 'utf8');
    return [...log.matchAll(/userauth_pubkey: valid user \S+ (querying|attempting) public key (\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
  }
  const clearLog = () => writeFile(host.logPath, '');

  it('sends the signed request first, where ssh with the same ssh_config asks first', async () => {
    const config = await writeSshConfig(tempDir(), [hostBlock('target', host, fleet.user, loginSettings(fleet))]);
    await clearLog();
    const [result] = await runCommand(['target'], 'echo signed', { sshConfigFile: config });
    expect([result!.status, result!.stdout]).to.deep.equal(['ok', 'signed\n']);
    expect(await publicKeyRequests()).to.deep.equal(['attempting ssh-ed25519']);
    // The log tells the two apart: OpenSSH's client asks first, the key's .pub being beside it.
    await clearLog();
    expect((await runSsh(config, 'target', 'true')).exitCode).to.equal(0);
    expect(await publicKeyRequests()).to.deep.equal(['querying ssh-ed25519', 'attempting ssh-ed25519']);
  });

  it('a refused key file, then the next one: each a signed request, and the login goes on to the second', async () => {
    const dir = tempDir();
    const stranger = path.join(dir, 'id_stranger');
    await generateKey(stranger, 'not authorized');
    const config = await writeSshConfig(dir, [hostBlock('target', host, fleet.user, [`IdentityFile ${stranger}`, ...loginSettings(fleet)])]);
    await clearLog();
    const [result] = await runCommand(['target'], 'true', { sshConfigFile: config });
    expect(result!.status).to.equal('ok');
    expect(await publicKeyRequests()).to.deep.equal(['attempting ssh-ed25519', 'attempting ssh-ed25519']);
  });

  it("an RSA key signs at once with a SHA-2 algorithm of the server's server-sig-algs (its EXT_INFO comes before SERVICE_ACCEPT)", async () => {
    const dir = tempDir();
    const rsa = path.join(dir, 'id_rsa');
    const publicKey = await generateKey(rsa, 'rsa login', 'rsa');
    await appendFile(path.join(path.dirname(host.logPath), 'authorized_keys'), `${publicKey}\n`);
    const config = await writeSshConfig(dir, [hostBlock('target', host, fleet.user, loginSettings(fleet, { identity: rsa }))]);
    await clearLog();
    const [result] = await runCommand(['target'], 'true', { sshConfigFile: config });
    expect(result!.status).to.equal('ok');
    expect(await publicKeyRequests()).to.deep.equal(['attempting rsa-sha2-256']);
    expect(await readFile(host.logPath, 'utf8')).to.match(/userauth_pubkey: authenticated 1 pkalg rsa-sha2-256/);
  });

  it("an agent's key is still offered before it is signed with (its signing may ask for a touch or a confirmation)", async () => {
    const agent = await startAgent([fleet.userKeyPath]);
    try {
      const config = await writeSshConfig(tempDir(), [hostBlock('target', host, fleet.user, [...loginSettings(fleet), `IdentityAgent ${agent.socket}`])]);
      await clearLog();
      const [result] = await runCommand(['target'], 'true', { sshConfigFile: config });
      expect(result!.status).to.equal('ok');
      expect(await publicKeyRequests()).to.deep.equal(['querying ssh-ed25519', 'attempting ssh-ed25519']);
    } finally {
      await agent.stop();
    }
  });
});
