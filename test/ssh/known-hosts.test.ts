import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HostKeyError, HostKeyVerifier, type HostKeyPolicy } from '../../src/ssh/host-key-verifier.js';
import { KnownHosts } from '../../src/ssh/known-hosts.js';
import { rejectionOf } from '../helpers/rejection.js';

const run = promisify(execFile);

interface TestKey {
  type: string;
  base64: string;
  blob: Buffer;
  pubFile: string;
}

async function makeKey(dir: string, name: string, type: 'ed25519' | 'ecdsa'): Promise<TestKey> {
  const file = path.join(dir, name);
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', file]);
  const [keyType, base64] = (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/);
  return { type: keyType!, base64: base64!, blob: Buffer.from(base64!, 'base64'), pubFile: `${file}.pub` };
}


describe('known_hosts', () => {
  let keysDir: string;
  let dir: string;
  let good: TestKey;
  let other: TestKey;
  let ecdsa: TestKey;

  before(async () => {
    keysDir = await mkdtemp(path.join(os.tmpdir(), 'sshpool-keys-'));
    [good, other, ecdsa] = await Promise.all([makeKey(keysDir, 'good', 'ed25519'), makeKey(keysDir, 'other', 'ed25519'), makeKey(keysDir, 'ecdsa', 'ecdsa')]);
  });
  after(async () => {
    await rm(keysDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sshpool-kh-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function knownHostsFile(lines: string[]): Promise<string> {
    const file = path.join(dir, 'known_hosts');
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  }

  function verifier(file: string, policy: HostKeyPolicy = 'yes'): HostKeyVerifier {
    return new HostKeyVerifier({ files: [file], policy });
  }

  describe('KnownHosts.lookup', () => {
    it('finds plain names, comma lists, [host]:port, wildcards and respects negation; skips comments and @cert-authority', async () => {
      const file = await knownHostsFile([
        '# a comment',
        '',
        `alpha,beta.example.com ${good.type} ${good.base64}`,
        `[127.0.0.1]:2222 ${good.type} ${good.base64} comment here`,
        `*.wild.test,!evil.wild.test ${other.type} ${other.base64}`,
        `@cert-authority * ${ecdsa.type} ${ecdsa.base64}`,
        'garbage line',
      ]);
      const known = await KnownHosts.load([file, path.join(dir, 'absent')]);
      expect(known.lookup('alpha', 22).map((entry) => entry.line)).to.deep.equal([3]);
      expect(known.lookup('BETA.example.com', 22)).to.have.length(1);
      expect(known.lookup('alpha', 2222)).to.have.length(0);
      expect(known.lookup('127.0.0.1', 2222)[0]).to.include({ file, line: 4, keyType: good.type, revoked: false });
      expect(known.lookup('127.0.0.1', 22)).to.have.length(0);
      expect(known.lookup('a.wild.test', 22)).to.have.length(1);
      expect(known.lookup('evil.wild.test', 22)).to.have.length(0);
      expect(known.lookup('ca.test', 22)).to.have.length(0);
    });

    it('matches hashed entries written by ssh-keygen -H', async () => {
      const file = await knownHostsFile([`[127.0.0.1]:2022 ${good.type} ${good.base64}`, `hashed.example ${other.type} ${other.base64}`]);
      await run('ssh-keygen', ['-H', '-f', file]);
      const text = await readFile(file, 'utf8');
      expect(text).to.not.contain('127.0.0.1');
      expect(text).to.match(/^\|1\|/);
      const known = await KnownHosts.load([file]);
      expect(known.lookup('127.0.0.1', 2022).map((entry) => entry.key.equals(good.blob))).to.deep.equal([true]);
      expect(known.lookup('hashed.example', 22).map((entry) => entry.key.equals(other.blob))).to.deep.equal([true]);
      expect(known.lookup('127.0.0.1', 22)).to.have.length(0);
      await verifier(file).verify('127.0.0.1', 2022, good.blob);
    });
  });

  describe('HostKeyVerifier', () => {
    it('accepts a known key and refuses an unknown host under policy yes, naming [host]:port as OpenSSH does, type and fingerprint', async () => {
      const file = await knownHostsFile([`[127.0.0.1]:2222 ${good.type} ${good.base64}`]);
      const strict = verifier(file);
      await strict.verify('127.0.0.1', 2222, good.blob);
      const error = await rejectionOf(strict.verify('127.0.0.1', 2223, good.blob), HostKeyError);
      expect(error.code).to.equal('HOSTKEY_UNKNOWN');
      expect(error.message).to.contain('[127.0.0.1]:2223').and.contain(good.type).and.contain(file);
    });

    it('reports a changed key with the fingerprint ssh-keygen -l prints and the file:line of the old entry', async () => {
      const file = await knownHostsFile(['# header', `[127.0.0.1]:2222 ${good.type} ${good.base64}`]);
      const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', other.pubFile]);
      const fingerprint = stdout.split(/\s+/)[1]!;
      expect(fingerprint).to.match(/^SHA256:[A-Za-z0-9+/]+$/);
      for (const policy of ['yes', 'accept-new'] as const) {
        const error = await rejectionOf(verifier(file, policy).verify('127.0.0.1', 2222, other.blob), HostKeyError);
        expect(error.code).to.equal('HOSTKEY_MISMATCH');
        expect(error.message).to.contain('[127.0.0.1]:2222').and.contain(fingerprint).and.contain(`${file}:2`).and.contain('ssh-ed25519');
      }
      expect(await readFile(file, 'utf8')).to.not.contain(other.base64);
    });

    it('treats a host known only by a key of another type as changed, as OpenSSH does', async () => {
      const file = await knownHostsFile([`typed ${ecdsa.type} ${ecdsa.base64}`]);
      const error = await rejectionOf(verifier(file, 'accept-new').verify('typed', 22, good.blob), HostKeyError);
      expect(error.code).to.equal('HOSTKEY_MISMATCH');
      expect(error.message).to.contain(`${ecdsa.type} at ${file}:1`);
    });

    it('refuses a @revoked key under every policy, even next to a valid entry for it', async () => {
      const file = await knownHostsFile([`revoked.test ${good.type} ${good.base64}`, `@revoked * ${good.type} ${good.base64}`]);
      for (const policy of ['yes', 'accept-new', 'no'] as const) {
        const error = await rejectionOf(verifier(file, policy).verify('revoked.test', 22, good.blob), HostKeyError);
        expect(error.code).to.equal('HOSTKEY_REVOKED');
        expect(error.message).to.contain(`${file}:2`);
      }
      await verifier(file, 'no').verify('elsewhere', 22, other.blob);
    });

    it('accepts anything and records nothing under policy no', async () => {
      const file = path.join(dir, 'none', 'known_hosts');
      await verifier(file, 'no').verify('127.0.0.1', 2222, good.blob);
      const missing = await stat(file).then(
        () => false,
        () => true,
      );
      expect(missing).to.equal(true);
    });

    it('accept-new: 50 concurrent verifies leave exactly one line per host, found by ssh-keygen -F, in a 0600 file in a new 0700 directory', async () => {
      const sshDir = path.join(dir, 'home', '.ssh');
      const file = path.join(sshDir, 'known_hosts');
      const shared = verifier(file, 'accept-new');
      const ports = Array.from({ length: 10 }, (_, index) => 40000 + index);
      await Promise.all(ports.flatMap((port) => Array.from({ length: 5 }, () => shared.verify('127.0.0.1', port, good.blob))));

      const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      expect(lines.sort()).to.deep.equal(ports.map((port) => `[127.0.0.1]:${port} ${good.type} ${good.base64}`).sort());
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      expect((await stat(sshDir)).mode & 0o777).to.equal(0o700);
      for (const port of ports) {
        const { stdout } = await run('ssh-keygen', ['-F', `[127.0.0.1]:${port}`, '-f', file]);
        expect(stdout).to.contain(good.base64);
      }

      const error = await rejectionOf(shared.verify('127.0.0.1', 40003, other.blob), HostKeyError);
      expect(error.code).to.equal('HOSTKEY_MISMATCH');
      expect(error.message).to.contain('added during this run');
      await verifier(file).verify('127.0.0.1', 40003, good.blob);
    });

    it('accept-new with hashKnownHosts writes |1|salt|hash names that ssh-keygen -F finds, and never the name itself', async () => {
      const file = path.join(dir, 'known_hosts');
      const hashing = new HostKeyVerifier({ files: [file], policy: 'accept-new', hashKnownHosts: true });
      await Promise.all([hashing.verify('Web1.Example', 22, good.blob), hashing.verify('127.0.0.1', 2022, other.blob)]);
      const text = await readFile(file, 'utf8');
      expect(text).to.not.match(/web1|127\.0\.0\.1/i);
      const lines = text.trimEnd().split('\n');
      expect(lines).to.have.length(2);
      for (const line of lines) expect(line).to.match(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /);
      expect((await run('ssh-keygen', ['-F', 'web1.example', '-f', file])).stdout).to.contain(good.base64);
      expect((await run('ssh-keygen', ['-F', '[127.0.0.1]:2022', '-f', file])).stdout).to.contain(other.base64);
      // Read back, by a verifier of its own: the hashed names match, case aside, as ssh lower-cases names.
      await verifier(file).verify('WEB1.example', 22, good.blob);
      await verifier(file).verify('127.0.0.1', 2022, other.blob);
    });

    it('reads global files as the user\'s: trusts a key there, refuses a contradicting one under accept-new, writes only the user file', async () => {
      const user = path.join(dir, 'user_known_hosts');
      const global = path.join(dir, 'ssh_known_hosts');
      await writeFile(global, `pinned.test ${good.type} ${good.base64}\n`);
      const options = { files: [user], globalFiles: [path.join(dir, 'absent'), global] };
      expect(await new HostKeyVerifier({ ...options, policy: 'yes' }).verify('pinned.test', 22, good.blob)).to.deep.equal({});
      const error = await rejectionOf(new HostKeyVerifier({ ...options, policy: 'accept-new' }).verify('pinned.test', 22, other.blob), HostKeyError);
      expect(error.code).to.equal('HOSTKEY_MISMATCH');
      expect(error.message).to.contain(`${global}:1`);
      await new HostKeyVerifier({ ...options, policy: 'accept-new' }).verify('new.test', 22, good.blob);
      expect(await readFile(user, 'utf8')).to.equal(`new.test ${good.type} ${good.base64}\n`);
      expect(await readFile(global, 'utf8')).to.equal(`pinned.test ${good.type} ${good.base64}\n`);
      const unknown = await rejectionOf(new HostKeyVerifier({ ...options, policy: 'yes' }).verify('elsewhere.test', 22, good.blob), HostKeyError);
      expect(unknown.message).to.contain(user).and.contain(global);
    });

    it('under policy no, accepts a contradicting key with a verdict that names the conflict; an unknown or matching key gets none', async () => {
      const file = await knownHostsFile([`[127.0.0.1]:2222 ${good.type} ${good.base64}`]);
      const verdict = await verifier(file, 'no').verify('127.0.0.1', 2222, other.blob);
      expect(verdict.conflict).to.match(/^Host key for \[127\.0\.0\.1\]:2222 has changed: .*StrictHostKeyChecking is no/);
      expect(verdict.conflict).to.contain(`${file}:1`);
      expect(await verifier(file, 'no').verify('127.0.0.1', 2222, good.blob)).to.deep.equal({});
      expect(await verifier(file, 'no').verify('127.0.0.1', 2223, other.blob)).to.deep.equal({});
    });

    it('offers first the host key algorithms of the key types known_hosts holds for the host, revoked ones aside', async () => {
      const file = await knownHostsFile([`old.test ${ecdsa.type} ${ecdsa.base64}`, `@revoked old.test ${good.type} ${good.base64}`, `new.test ${good.type} ${good.base64}`]);
      const strict = verifier(file);
      expect((await strict.hostKeyAlgorithms('old.test', 22))[0]).to.equal('ecdsa-sha2-nistp256');
      expect((await strict.hostKeyAlgorithms('new.test', 22))[0]).to.equal('ssh-ed25519');
      expect((await strict.hostKeyAlgorithms('unknown.test', 22))[0]).to.equal('ssh-ed25519');
    });

    it('accept-new writes bare host names for port 22 and starts a new line when the file lacks a final newline', async () => {
      const file = path.join(dir, 'known_hosts');
      await writeFile(file, `old.test ${other.type} ${other.base64}`);
      await verifier(file, 'accept-new').verify('new.test', 22, good.blob);
      expect(await readFile(file, 'utf8')).to.equal(`old.test ${other.type} ${other.base64}\nnew.test ${good.type} ${good.base64}\n`);
    });
  });
});
