import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { IdentityError } from '../../src/ssh/identities.js';
import { Fleet, encryptedKeyCopy, startAgent } from '../fleet/index.js';
import { generateKey } from '../fleet/keys.js';
import { runTool } from '../fleet/run-tool.js';
import { inventoryHostsFor } from '../helpers/fleet-hosts.js';
import { hostBlock, loginSettings, runSsh, writeSshConfig } from '../helpers/openssh.js';
import { rejectionOf } from '../helpers/rejection.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('identity files and ssh-agent against a real sshd, as OpenSSH uses them', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const tempDir = tempDirPerTest('sshpool-identities-');
  const passphrase = `pp-${randomBytes(6).toString('hex')}`;

  before(async () => {
    fleet = await Fleet.start({ hosts: 1 });
  });
  after(async () => {
    await fleet?.stop();
  });

  /** Counts the times it is asked; the tests say how many they expect. */
  function countingPrompt() {
    const prompt = async () => {
      prompt.asked += 1;
      return passphrase;
    };
    prompt.asked = 0;
    return prompt;
  }

  describe('an encrypted identity file (its public half only in the OpenSSH key header: no .pub beside it)', () => {
    let encrypted: string;
    beforeEach(async () => {
      encrypted = await encryptedKeyCopy(fleet.userKeyPath, passphrase, tempDir());
    });

    it('goes through ssh-agent when the agent holds its key, with no terminal to ask a passphrase, as ssh -o BatchMode=yes does', async () => {
      const agent = await startAgent([fleet.userKeyPath]);
      try {
        const file = await writeSshConfig(tempDir(), [hostBlock('target', fleet.hosts[0]!, fleet.user, [...loginSettings(fleet, { identity: encrypted }), `IdentityAgent ${agent.socket}`])]);
        const [result] = await runCommand(['target'], 'echo via-agent', { sshConfigFile: file });
        expect([result!.status, result!.stdout, result!.error]).to.deep.equal(['ok', 'via-agent\n', null]);
        expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(0);

        // With a terminal to ask on, it is still not asked: the agent did the work.
        const prompt = countingPrompt();
        const [asked] = await runCommand(['target'], 'true', { sshConfigFile: file, passphrasePrompt: prompt });
        expect(asked!.status).to.equal('ok');
        expect(prompt.asked).to.equal(0);
      } finally {
        await agent.stop();
      }
    });

    it('asks its passphrase, once, when the agent does not hold the key, and logs in with the file', async () => {
      const agent = await startAgent([]);
      try {
        const file = await writeSshConfig(tempDir(), [hostBlock('target', fleet.hosts[0]!, fleet.user, [...loginSettings(fleet, { identity: encrypted }), `IdentityAgent ${agent.socket}`])]);
        const prompt = countingPrompt();
        const results = await runCommand(['target', 'target'], 'true', { sshConfigFile: file, passphrasePrompt: prompt });
        expect(results.map((r) => r.status)).to.deep.equal(['ok', 'ok']);
        expect(prompt.asked).to.equal(1);
        // And with no terminal it is the IDENTITY_PASSPHRASE error it always was, before any host is contacted.
        const error = await rejectionOf(runCommand(['target'], 'true', { sshConfigFile: file }), IdentityError);
        expect(error.code).to.equal('IDENTITY_PASSPHRASE');
        expect(error.message).to.include(encrypted).and.include('ssh-agent does not hold its key');
        expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(255);
      } finally {
        await agent.stop();
      }
    });

    it('asks its passphrase when the agent socket is dead', async () => {
      const file = await writeSshConfig(tempDir(), [
        hostBlock('target', fleet.hosts[0]!, fleet.user, [...loginSettings(fleet, { identity: encrypted }), `IdentityAgent ${path.join(tempDir(), 'no-agent.sock')}`]),
      ]);
      const prompt = countingPrompt();
      const [result] = await runCommand(['target'], 'true', { sshConfigFile: file, passphrasePrompt: prompt });
      expect(result!.status).to.equal('ok');
      expect(prompt.asked).to.equal(1);
    });
  });

  describe('an encrypted identity file the agent does not hold, beside an agent that holds the right key', () => {
    let settings: string[];
    let agent: Awaited<ReturnType<typeof startAgent>>;
    beforeEach(async () => {
      const stranger = path.join(tempDir(), 'id_stranger');
      await generateKey(stranger, 'stranger');
      const encrypted = await encryptedKeyCopy(stranger, passphrase, tempDir());
      agent = await startAgent([fleet.userKeyPath]);
      settings = [`IdentityFile ${encrypted}`, 'IdentitiesOnly no', `UserKnownHostsFile ${fleet.knownHostsPath}`, 'GlobalKnownHostsFile /dev/null', `IdentityAgent ${agent.socket}`];
    });
    afterEach(async () => {
      await agent?.stop();
    });

    it('is skipped with no terminal, and the agent logs in, as ssh -o BatchMode=yes does', async () => {
      const file = await writeSshConfig(tempDir(), [hostBlock('target', fleet.hosts[0]!, fleet.user, settings)]);
      const [result] = await runCommand(['target'], 'echo via-agent', { sshConfigFile: file });
      expect([result!.status, result!.stdout]).to.deep.equal(['ok', 'via-agent\n']);
      expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(0);
    });

    it('is asked for before the run with a terminal, and an empty answer skips it, as at ssh\'s prompt', async () => {
      const file = await writeSshConfig(tempDir(), [hostBlock('target', fleet.hosts[0]!, fleet.user, settings)]);
      let asked = 0;
      const [result] = await runCommand(['target'], 'true', {
        sshConfigFile: file,
        passphrasePrompt: async () => {
          asked += 1;
          return '';
        },
      });
      expect([result!.status, asked]).to.deep.equal(['ok', 1]);
    });
  });

  describe('a missing identity file', () => {
    it('from ssh_config is skipped and the next one used, as ssh does', async () => {
      const missing = path.join(tempDir(), 'id_gone');
      const settings = [`IdentityFile ${missing}`, ...loginSettings(fleet), 'IdentityAgent none'];
      const file = await writeSshConfig(tempDir(), [hostBlock('target', fleet.hosts[0]!, fleet.user, settings)]);
      const [result] = await runCommand(['target'], 'echo in', { sshConfigFile: file });
      expect([result!.status, result!.stdout]).to.deep.equal(['ok', 'in\n']);
      expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(0);
    });

    it('from the inventory (ansible_ssh_private_key_file) is skipped, and the agent used, as ssh -o IdentityFile does', async () => {
      const agent = await startAgent([fleet.userKeyPath]);
      try {
        const missing = path.join(tempDir(), 'id_gone');
        const hosts = inventoryHostsFor(fleet).map((host) => ({ ...host, vars: { ...host.vars, ansible_ssh_private_key_file: missing } }));
        const [result] = await runCommand(hosts, 'echo in', { knownHostsFiles: [fleet.knownHostsPath], sshConfigFile: '/dev/null', agentSocket: agent.socket });
        expect([result!.status, result!.stdout]).to.deep.equal(['ok', 'in\n']);

        // What Ansible runs for that variable: ssh -o 'IdentityFile="..."'.
        const { address, port } = fleet.hosts[0]!;
        const options = [`IdentityFile="${missing}"`, 'BatchMode=yes', `UserKnownHostsFile=${fleet.knownHostsPath}`, 'GlobalKnownHostsFile=/dev/null'];
        const ssh = await runTool('ssh', ['-F', '/dev/null', ...options.flatMap((option) => ['-o', option]), '-p', String(port), `${fleet.user}@${address}`, 'true'], {
          env: { ...process.env, SSH_AUTH_SOCK: agent.socket },
        });
        expect(ssh.exitCode).to.equal(0);
      } finally {
        await agent.stop();
      }
    });

    it('named with --identity stops the run before any host, naming the file', async () => {
      const missing = path.join(tempDir(), 'id_typo');
      const error = await rejectionOf(runCommand(inventoryHostsFor(fleet), 'true', { identityFiles: [missing], knownHostsFiles: [fleet.knownHostsPath], sshConfigFile: '/dev/null', agentSocket: null }), IdentityError);
      expect(error.code).to.equal('IDENTITY_NOT_FOUND');
      expect(error.message).to.include(missing);
    });
  });

  describe('IdentitiesOnly with an agent holding two keys, the server accepting only the one IdentityFile does not name', () => {
    let agent: Awaited<ReturnType<typeof startAgent>>;
    let named: string;
    beforeEach(async () => {
      named = path.join(tempDir(), 'id_named');
      await generateKey(named, 'not-authorized');
      agent = await startAgent([named, fleet.userKeyPath]);
    });
    afterEach(async () => {
      await agent?.stop();
    });

    async function configWith(identitiesOnly: 'yes' | 'no'): Promise<string> {
      const settings = [`IdentityFile ${named}`, `IdentitiesOnly ${identitiesOnly}`, `IdentityAgent ${agent.socket}`, `UserKnownHostsFile ${fleet.knownHostsPath}`, 'GlobalKnownHostsFile /dev/null'];
      return writeSshConfig(tempDir(), [hostBlock('target', fleet.hosts[0]!, fleet.user, settings)]);
    }

    it('`yes`: offers only the named key, so login fails (AUTH_FAILED), as ssh -o BatchMode=yes fails', async () => {
      const file = await configWith('yes');
      const [result] = await runCommand(['target'], 'true', { sshConfigFile: file });
      expect([result!.status, result!.error?.code]).to.deep.equal(['unreachable', 'AUTH_FAILED']);
      expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(255);
    });

    it('`no`: the agent’s other key logs in, for sshpool as for ssh -o BatchMode=yes', async () => {
      const file = await configWith('no');
      const [result] = await runCommand(['target'], 'echo agent', { sshConfigFile: file });
      expect([result!.status, result!.stdout, result!.error]).to.deep.equal(['ok', 'agent\n', null]);
      expect((await runSsh(file, 'target', 'true')).exitCode).to.equal(0);
    });
  });
});
