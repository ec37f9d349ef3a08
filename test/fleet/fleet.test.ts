import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import ssh2, { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { parse } from 'yaml';
import { hostNames } from './fleet.js';
import { closedPort, encryptedKeyCopy, Fleet, FleetError, silentPort, startAgent, type FleetHost } from './index.js';
import { descendantPids, isRunning } from './proc.js';

const execFileAsync = promisify(execFile);

interface Connection {
  client: Client;
  /** The raw host key blob the server presented. */
  presentedKey: Buffer;
}

function connectTo(host: FleetHost, config: ConnectConfig): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presentedKey: Buffer = Buffer.alloc(0);
    client.once('ready', () => resolve({ client, presentedKey }));
    // ssh2 may report a second error (the socket closing) after the first.
    client.on('error', reject);
    client.connect({
      host: host.address,
      port: host.port,
      readyTimeout: 5_000,
      hostVerifier: (key: Buffer) => {
        presentedKey = key;
        return true;
      },
      ...config,
    });
  });
}

function startCommand(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

/** Listeners go on in exec's callback: a short command's exit status can arrive in the same read as the channel. */
function run(client: Client, command: string): Promise<{ stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let stdout = '';
      let code = -1;
      channel.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      channel.stderr.resume();
      channel.once('exit', (exitCode: number) => (code = exitCode));
      channel.once('close', () => resolve({ stdout, code }));
    });
  });
}

function keyBlob(publicKey: string): Buffer {
  return Buffer.from(publicKey.split(' ')[1] ?? '', 'base64');
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(20);
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('test fleet', function () {
  describe('a running fleet', function () {
    let fleet: Fleet;
    let userKey: string;

    before(async function () {
      fleet = await Fleet.start({ hosts: 4, wrongHostKey: ['h03'], refuseUserKey: ['h04'] });
      userKey = await readFile(fleet.userKeyPath, 'utf8');
    });
    after(async function () {
      await fleet?.stop();
    });

    it('names the hosts h01.. and writes one plain known_hosts line per host', async function () {
      expect(fleet.hosts.map((host) => host.name)).to.deep.equal(['h01', 'h02', 'h03', 'h04']);
      const lines = (await readFile(fleet.knownHostsPath, 'utf8')).trimEnd().split('\n');
      expect(lines).to.deep.equal(fleet.hosts.map((host) => `[127.0.0.1]:${host.port} ${host.knownHostKey}`));
      for (const line of lines) expect(line).to.match(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA\S+$/);
      expect(new Set(fleet.hosts.map((host) => host.port)).size).to.equal(4);
    });

    it('hands out an unencrypted OpenSSH ed25519 user key with mode 0600', async function () {
      expect((await stat(fleet.userKeyPath)).mode & 0o777).to.equal(0o600);
      expect(userKey).to.match(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
      const parsed = ssh2.utils.parseKey(userKey);
      if (parsed instanceof Error) throw parsed;
      expect(parsed.type).to.equal('ssh-ed25519');
      expect(parsed.getPublicSSH().equals(keyBlob(fleet.userPublicKey))).to.equal(true);
    });

    it('runs a command with the user key on each host, which presents its known_hosts key', async function () {
      for (const name of ['h01', 'h02']) {
        const host = fleet.host(name);
        const { client, presentedKey } = await connectTo(host, { username: fleet.user, privateKey: userKey });
        try {
          expect(await run(client, `echo hello-${name}`)).to.deep.equal({ stdout: `hello-${name}\n`, code: 0 });
          expect(presentedKey.equals(keyBlob(host.knownHostKey))).to.equal(true);
          expect(host.knownHostKey).to.equal(host.hostKeyPublic);
        } finally {
          client.end();
        }
      }
    });

    it('logs in as the login user with /bin/sh as shell', async function () {
      const { client } = await connectTo(fleet.host('h01'), { username: fleet.user, privateKey: userKey });
      try {
        expect((await run(client, 'echo $0; id -un')).stdout).to.equal(`sh\n${fleet.user}\n`);
      } finally {
        client.end();
      }
      if (process.getuid?.() === 0) {
        expect(fleet.user).to.equal('sshpool-test');
        const { stdout } = await execFileAsync('getent', ['passwd', fleet.user]);
        expect(stdout.trim().split(':')[6]).to.equal('/bin/sh');
      }
    });

    it('presents a key other than the known_hosts one on a wrongHostKey host', async function () {
      const host = fleet.host('h03');
      const { client, presentedKey } = await connectTo(host, { username: fleet.user, privateKey: userKey });
      client.end();
      expect(host.knownHostKey).to.not.equal(host.hostKeyPublic);
      expect(presentedKey.equals(keyBlob(host.knownHostKey))).to.equal(false);
      expect(presentedKey.equals(keyBlob(host.hostKeyPublic))).to.equal(true);
    });

    it('refuses the user key on a refuseUserKey host', async function () {
      const error = await rejection(connectTo(fleet.host('h04'), { username: fleet.user, privateKey: userKey }));
      expect(error.message).to.match(/All configured authentication methods failed/);
    });

    it('writes an Ansible inventory naming every host', async function () {
      const inventory = parse(await readFile(fleet.inventoryPath, 'utf8'));
      const hosts = inventory.all.children.fleet.hosts;
      expect(Object.keys(hosts)).to.deep.equal(['h01', 'h02', 'h03', 'h04']);
      expect(hosts.h02).to.deep.equal({
        ansible_host: '127.0.0.1',
        ansible_port: fleet.host('h02').port,
        ansible_user: fleet.user,
        ansible_ssh_private_key_file: fleet.userKeyPath,
      });
    });

    it('writes an ssh_config that OpenSSH follows, checking host keys, also through a ProxyJump hop', async function () {
      const ssh = (...args: string[]) =>
        execFileAsync('ssh', ['-F', fleet.sshConfigPath, '-o', 'BatchMode=yes', ...args], { timeout: 10_000 });
      expect((await ssh('h01', 'echo direct')).stdout).to.equal('direct\n');
      expect((await ssh('-J', 'h01', 'h02', 'echo jumped')).stdout).to.equal('jumped\n');
      const wrongKey = await rejection(ssh('h03', 'true'));
      expect(String((wrongKey as Error & { stderr: string }).stderr)).to.match(/HOST IDENTIFICATION HAS CHANGED/);
    });

    it('finds hosts by name and rejects unknown names', function () {
      expect(fleet.host('h02')).to.equal(fleet.hosts[1]);
      expect(() => fleet.host('h99')).to.throw(FleetError, /h99/);
    });
  });

  describe('killing and stopping', function () {
    it('kill() ends an open session with its processes, and the port refuses afterwards', async function () {
      const fleet = await Fleet.start({ hosts: 2 });
      try {
        const userKey = await readFile(fleet.userKeyPath, 'utf8');
        const host = fleet.host('h01');
        const { client } = await connectTo(host, { username: fleet.user, privateKey: userKey });
        client.on('error', () => {});
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        const channel = await startCommand(client, 'echo started; sleep 30');
        await new Promise((resolve) => channel.once('data', resolve));
        const sessionPids = descendantPids(host.pid);
        expect(sessionPids).to.not.be.empty;

        await fleet.kill('h01');
        await closed;
        expect([host.pid, ...sessionPids].filter(isRunning)).to.deep.equal([]);
        expect(await connectOutcome(host.port)).to.equal('ECONNREFUSED');

        const other = await connectTo(fleet.host('h02'), { username: fleet.user, privateKey: userKey });
        expect((await run(other.client, 'echo alive')).stdout).to.equal('alive\n');
        other.client.end();
      } finally {
        await fleet.stop();
      }
    });

    it('stop() leaves no process and no temporary dir, and can be called twice', async function () {
      const fleet = await Fleet.start({ hosts: 3 });
      const userKey = await readFile(fleet.userKeyPath, 'utf8');
      const host = fleet.host('h02');
      const { client } = await connectTo(host, { username: fleet.user, privateKey: userKey });
      client.on('error', () => {});
      const channel = await startCommand(client, 'echo started; sleep 30');
      await new Promise((resolve) => channel.once('data', resolve));
      const pids = [...fleet.hosts.map((each) => each.pid), ...descendantPids(host.pid)];
      expect(pids.filter(isRunning)).to.have.length.above(3);

      await fleet.stop();
      expect(pids.filter(isRunning)).to.deep.equal([]);
      expect(existsSync(fleet.dir)).to.equal(false);
      await fleet.stop();
    });

    it('kills the sshds of a fleet left running when the process exits', async function () {
      const dir = await mkdtemp(join(tmpdir(), 'sshpool-fleet-test-'));
      await chmod(dir, 0o755);
      try {
        const script = fileURLToPath(new URL('abandoned-fleet.js', import.meta.url));
        const exited = await rejection(execFileAsync(process.execPath, [script, dir], { timeout: 20_000 }));
        const pids = JSON.parse((exited as Error & { stdout: string }).stdout) as number[];
        expect(pids).to.have.length(2);
        await waitUntil(() => !pids.some(isRunning), 2_000);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('starts twenty hosts in parallel within a few seconds', async function () {
      const started = Date.now();
      const fleet = await Fleet.start({ hosts: 20 });
      const elapsed = Date.now() - started;
      try {
        expect(fleet.hosts.map((host) => host.name).at(-1)).to.equal('h20');
        expect(new Set(fleet.hosts.map((host) => host.port)).size).to.equal(20);
        // Measured ~0.3 s; the bound leaves room for a busy shared machine.
        expect(elapsed).to.be.below(8_000);
      } finally {
        await fleet.stop();
      }
    });

    it('starts on fixed ports in a given dir, keeps the dir, and starts there again', async function () {
      const parent = await mkdtemp(join(tmpdir(), 'sshpool-fleet-test-'));
      await chmod(parent, 0o755);
      const dir = join(parent, 'demo');
      const ports = [await closedPort(), await closedPort()];
      try {
        for (let round = 1; round <= 2; round++) {
          const fleet = await Fleet.start({ ports, dir });
          expect(fleet.dir).to.equal(dir);
          expect(fleet.hosts.map((host) => host.port)).to.deep.equal(ports);
          await fleet.stop();
          expect(await readdir(dir)).to.include.members(['inventory.yml', 'ssh_config', 'known_hosts', 'id_ed25519']);
          for (const port of ports) expect(await connectOutcome(port)).to.equal('ECONNREFUSED');
        }
      } finally {
        await rm(parent, { recursive: true, force: true });
      }
    });

    it('fails with the tail of the sshd log when sshd cannot start', async function () {
      const dir = await mkdtemp(join(tmpdir(), 'sshpool-fleet-test-'));
      try {
        const error = await rejection(Fleet.start({ hosts: 1, dir, sshdOptions: ['NoSuchKeyword yes'] }));
        expect(error).to.be.instanceOf(FleetError);
        expect(error.message).to.match(/sshd for h01 exited/).and.match(/Bad configuration option: NoSuchKeyword/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('rejects options that name unknown hosts, mismatch the ports, or leave loopback', async function () {
      expect(await rejection(Fleet.start({ hosts: 2, wrongHostKey: ['h03'] }))).to.match(/unknown hosts: h03/);
      expect(await rejection(Fleet.start({ hosts: 2, ports: [1] }))).to.match(/1 ports given for 2 hosts/);
      expect(await rejection(Fleet.start({ address: '192.0.2.1' }))).to.match(/not a loopback address/);
    });

    it('pads host names to two digits, three beyond 99', function () {
      expect(hostNames(3)).to.deep.equal(['h01', 'h02', 'h03']);
      const hundred = hostNames(100);
      expect([hundred[0], hundred[98], hundred[99]]).to.deep.equal(['h001', 'h099', 'h100']);
    });
  });

  describe('helpers', function () {
    let fleet: Fleet;

    before(async function () {
      fleet = await Fleet.start({ hosts: 1 });
    });
    after(async function () {
      await fleet?.stop();
    });

    it('silentPort accepts TCP and never sends a byte, so an SSH handshake times out', async function () {
      const silent = await silentPort();
      try {
        const received = await new Promise<number>((resolve, reject) => {
          let bytes = 0;
          const socket = connect({ host: '127.0.0.1', port: silent.port });
          socket.on('data', (chunk) => (bytes += chunk.length));
          socket.once('error', reject);
          socket.once('connect', () => setTimeout(() => (socket.destroy(), resolve(bytes)), 300));
        });
        expect(received).to.equal(0);
        const silentHost = { ...fleet.host('h01'), port: silent.port };
        const error = await rejection(connectTo(silentHost, { username: fleet.user, readyTimeout: 500 }));
        expect(error.message).to.match(/Timed out while waiting for handshake/);
      } finally {
        await silent.close();
      }
    });

    it('serves every host key type asked for, as ssh-keyscan sees them', async function () {
      const multi = await Fleet.start({ hosts: 1, hostKeyTypes: ['ecdsa', 'ed25519', 'rsa'] });
      try {
        const [host] = multi.hosts;
        expect(host!.servedHostKeys.map((key) => key.split(' ')[0])).to.deep.equal(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa']);
        expect(host!.hostKeyPublic).to.equal(host!.servedHostKeys[0]);
        const { stdout } = await execFileAsync('ssh-keyscan', ['-p', String(host!.port), '-t', 'ed25519,ecdsa,rsa', host!.address]);
        const scanned = stdout.trim().split('\n').map((line) => line.split(' ').slice(1).join(' '));
        expect(scanned.sort()).to.deep.equal([...host!.servedHostKeys].sort());
        expect((await readFile(multi.knownHostsPath, 'utf8')).trim()).to.equal(`[${host!.address}]:${host!.port} ${host!.servedHostKeys[0]}`);
      } finally {
        await multi.stop();
      }
    });

    it('closedPort refuses connections', async function () {
      expect(await connectOutcome(await closedPort())).to.equal('ECONNREFUSED');
    });

    it('startAgent serves the added keys to ssh2, and its stop() removes the socket', async function () {
      const childrenBefore = descendantPids(process.pid);
      const agent = await startAgent([fleet.userKeyPath]);
      const agentPids = descendantPids(process.pid).filter((pid) => !childrenBefore.includes(pid));
      expect(agentPids).to.not.be.empty;
      try {
        const { client } = await connectTo(fleet.host('h01'), { username: fleet.user, agent: agent.socket });
        expect((await run(client, 'echo via-agent')).stdout).to.equal('via-agent\n');
        client.end();
      } finally {
        await agent.stop();
      }
      expect(existsSync(agent.socket)).to.equal(false);
      expect(agentPids.filter(isRunning)).to.deep.equal([]);
    });

    it('encryptedKeyCopy writes a passphrase-protected copy that still authenticates', async function () {
      const dir = await mkdtemp(join(tmpdir(), 'sshpool-fleet-test-'));
      try {
        const copyPath = await encryptedKeyCopy(fleet.userKeyPath, 'correct horse', dir);
        expect(await readdir(dir)).to.deep.equal([copyPath.slice(dir.length + 1)]);
        expect((await stat(copyPath)).mode & 0o777).to.equal(0o600);
        const encrypted = await readFile(copyPath, 'utf8');
        expect(ssh2.utils.parseKey(encrypted)).to.be.instanceOf(Error);
        expect(ssh2.utils.parseKey(encrypted, 'wrong horse')).to.be.instanceOf(Error);
        const { client } = await connectTo(fleet.host('h01'), {
          username: fleet.user,
          privateKey: encrypted,
          passphrase: 'correct horse',
        });
        expect((await run(client, 'echo decrypted')).stdout).to.equal('decrypted\n');
        client.end();
        expect(ssh2.utils.parseKey(await readFile(fleet.userKeyPath, 'utf8'))).to.not.be.instanceOf(Error);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
