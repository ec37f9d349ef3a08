import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { encryptedKeyCopy, Fleet, startAgent } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';

/**
 * NODE_DEBUG=net,module makes Node log, in order on the process's stderr, each TCP connect
 * as it asks the kernel for it ("NET <pid>: connect: attempting to connect to ADDRESS:PORT")
 * and each CommonJS load ("MODULE <pid>: load ..."): which came first, with no clock. ssh2 is in
 * the bundle, so its one load Node logs is its native binding's, which ssh2 requires as it loads.
 */
function connectsBeforeSsh2(stderr: string): { ports: number[]; ssh2Loaded: boolean } {
  const lines = stderr.split('\n');
  const ssh2 = lines.findIndex((line) => /^MODULE \d+: load ".*\/ssh2\/lib\/protocol\/crypto\/build\/Release\/sshcrypto\.node"/.test(line));
  const before = ssh2 === -1 ? lines : lines.slice(0, ssh2);
  const ports = before.flatMap((line) => {
    const match = /^NET \d+: connect: attempting to connect to [\d.]+:(\d+)/.exec(line);
    return match ? [Number(match[1])] : [];
  });
  return { ports, ssh2Loaded: ssh2 !== -1 };
}

/** What sshd logs of an early connect closed unused: its client had sent the identification line, and sshd its own and its key exchange offer. */
const UNUSED_EARLY_CONNECT_ENDED = /Connection (?:reset|closed) by 127\.0\.0\.1 port \d+ \[preauth\]/;

/** Waits until sshd's log has a line matching `pattern` (sshd writes it a little after the client is gone). */
async function logLine(logPath: string, pattern: RegExp): Promise<string> {
  for (let tries = 0; tries < 200; tries++) {
    const log = await readFile(logPath, 'utf8');
    if (pattern.test(log)) return log;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${logPath} has no line matching ${pattern}:\n${await readFile(logPath, 'utf8')}`);
}

describe('early TCP connects: the first hosts are connected to while keys are read and ssh2 loads (the real binary, real sshd)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let agent: Awaited<ReturnType<typeof startAgent>>;
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: scratch, XDG_CACHE_HOME: scratch, XDG_CONFIG_HOME: scratch, ...extra });

  before(async () => {
    fleet = await Fleet.start({ hosts: 3, sshdOptions: ['LogLevel VERBOSE'] });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-early-connect-'));
    agent = await startAgent([fleet.userKeyPath]);
  });
  after(async () => {
    await agent?.stop();
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('connects to the hosts the pool starts first (fanout of them, in its order) before loading ssh2, none reached through a ProxyCommand, with an agent to ask (its listing loads ssh2 too)', async () => {
    const [h01, h02, h03] = fleet.hosts as [Fleet['hosts'][0], Fleet['hosts'][0], Fleet['hosts'][0]];
    const config = path.join(scratch, 'ssh_config');
    // h03 first in the run, but behind a ProxyCommand (one that fails): its address is never connected to early.
    await writeFile(config, `Host h03\n  ProxyCommand exec false\n\n${await readFile(fleet.sshConfigPath, 'utf8')}`);
    const result = await runCliProcess(['run', '-F', config, '-i', 'h03,h01,h02,', '-f', '2', '-c', 'echo ran'], { env: env({ NODE_DEBUG: 'net,module', SSH_AUTH_SOCK: agent.socket }) });
    expect(result.stdout).to.match(/^h01: ran$/m);
    expect(result.stdout).to.match(/^h02: ran$/m);
    const { ports, ssh2Loaded } = connectsBeforeSsh2(result.stderr);
    expect(ssh2Loaded, 'the probe sees ssh2 load').to.equal(true);
    // -f 2: the pool starts h03 and h01 first; h02 waits for a slot, so it is connected to when it starts.
    expect(ports).to.deep.equal([h01.port]);
    expect(ports).not.to.include(h03.port);
    expect(ports).not.to.include(h02.port);
  });

  it('--connect-rate: no early connect, which would skip its turns', async () => {
    const result = await runCliProcess(['run', '-F', fleet.sshConfigPath, '-i', 'h01,h02,', '--connect-rate', '100', '-c', 'echo ran'], { env: env({ NODE_DEBUG: 'net,module' }) });
    expect(result.stdout).to.match(/^h01: ran$/m);
    expect(result.stdout).to.match(/^h02: ran$/m);
    const { ports, ssh2Loaded } = connectsBeforeSsh2(result.stderr);
    expect(ssh2Loaded).to.equal(true);
    expect(ports).to.deep.equal([]);
  });

  it('a key that cannot be read still stops the run before any host is logged into: the early connect, which carried only the identification line, is closed before any key exchange', async () => {
    const [h01] = fleet.hosts as [Fleet['hosts'][0]];
    const badKey = path.join(scratch, 'bad_key');
    await writeFile(badKey, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
    await writeFile(h01.logPath, '');
    const stopped = await runCliProcess(['run', '-i', fleet.inventoryPath, '-l', 'h01', '--identity', badKey, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '-c', 'true'], { env: env() });
    expect(stopped.code).to.equal(2);
    expect(stopped.stderr).to.include(`Cannot parse identity file ${badKey}`);
    expect(stopped.stdout).to.equal('');
    // sshd saw the connect (so it was made before the key was read) and it ended before authentication
    // ([preauth]): only the client's identification line is sent on an early connect, no key exchange, no login.
    const log = await logLine(h01.logPath, UNUSED_EARLY_CONNECT_ENDED);
    expect(log).to.match(/Connection from 127\.0\.0\.1 port \d+/);
    expect(log).not.to.match(/Accepted|session opened|Postponed|userauth|kex_exchange_identification/);

    // The same host and key through the same sshd log in and say so (the check above can see a login).
    await writeFile(h01.logPath, '');
    const ran = await runCliProcess(['run', '-i', fleet.inventoryPath, '-l', 'h01', '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '-c', 'true'], { env: env() });
    expect(ran.code).to.equal(0);
    expect(await logLine(h01.logPath, /Accepted publickey for /)).to.match(/Accepted publickey for /);
  });

  it('after a passphrase was asked, the hosts are connected to anew (an early connect may have waited past sshd\'s LoginGraceTime)', async () => {
    const [, h02] = fleet.hosts as [Fleet['hosts'][0], Fleet['hosts'][0]];
    const encrypted = await encryptedKeyCopy(fleet.userKeyPath, 'early passphrase', scratch);
    const config = path.join(scratch, 'ssh_config_encrypted');
    await writeFile(config, `Host h02\n  HostName 127.0.0.1\n  Port ${h02.port}\n  User ${fleet.user}\n  IdentityFile ${encrypted}\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile ${fleet.knownHostsPath}\n`);
    await writeFile(h02.logPath, '');
    let asked = 0;
    const [result] = await runCommand(['h02'], 'echo ran', { sshConfigFile: config, passphrasePrompt: async () => (asked++, 'early passphrase') });
    expect([result!.status, result!.stdout, asked]).to.deep.equal(['ok', 'ran\n', 1]);
    const ended = UNUSED_EARLY_CONNECT_ENDED.source;
    const log = await logLine(h02.logPath, new RegExp(`${ended}[\\s\\S]*Accepted publickey|Accepted publickey[\\s\\S]*${ended}`));
    expect(log.match(/Connection from 127\.0\.0\.1 port/g)).to.have.length(2);
  });
});
