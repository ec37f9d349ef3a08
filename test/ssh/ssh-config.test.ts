import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SshConfigError, SshConfigResolver } from '../../src/ssh/ssh-config.js';
import { rejectionOf } from '../helpers/rejection.js';
import { runTool, runToolOk } from '../fleet/run-tool.js';
import { OPENSSH_KEYWORDS } from '../../src/ssh/openssh-keywords.js';

const run = promisify(execFile);

describe('SshConfigResolver', () => {
  let dir: string;
  const home = os.userInfo().homedir;
  const localUser = os.userInfo().username;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sshpool-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(text: string): Promise<SshConfigResolver> {
    const file = path.join(dir, 'config');
    await writeFile(file, text);
    return SshConfigResolver.load(file);
  }

  it('refuses a named file that does not exist, as ssh -F does', async () => {
    const error = await rejectionOf(SshConfigResolver.load(path.join(dir, 'absent')), SshConfigError);
    expect(error.message).to.include(path.join(dir, 'absent'));
  });

  it('falls back to the OpenSSH defaults and reports nothing from the file', async () => {
    const resolver = await load('');
    const { values, fromFile } = resolver.resolve('web1');
    expect(values).to.deep.equal({
      hostname: 'web1',
      port: 22,
      user: localUser,
      identityFiles: ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((name) => path.join(home, '.ssh', name)),
      identitiesOnly: false,
      userKnownHostsFiles: [path.join(home, '.ssh/known_hosts'), path.join(home, '.ssh/known_hosts2')],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      hashKnownHosts: false,
    });
    expect([...fromFile]).to.deep.equal([]);
  });

  it('keeps the first value obtained, from the most specific block written first', async () => {
    const resolver = await load(`
Host web1
  Port 2201
  User deploy
Host web*
  Port 2299
  HostName %h.example.com
  ConnectTimeout 7
Host *
  User nobody
  ServerAliveInterval 15
  ServerAliveCountMax 4
  StrictHostKeyChecking accept-new
  IdentitiesOnly yes
  ProxyJump admin@jump:2222,jump2
`);
    const { values, fromFile } = resolver.resolve('web1');
    expect(values).to.include({
      hostname: 'web1.example.com',
      port: 2201,
      user: 'deploy',
      connectTimeoutMs: 7000,
      serverAliveIntervalMs: 15000,
      serverAliveCountMax: 4,
      strictHostKeyChecking: 'accept-new',
      identitiesOnly: true,
      proxyJump: 'admin@jump:2222,jump2',
    });
    expect(fromFile.has('port')).to.equal(true);
    expect(fromFile.has('identityFiles')).to.equal(false);
    expect(resolver.resolve('db1').values).to.include({ hostname: 'db1', port: 22, user: 'nobody' });
  });

  it('keeps file order between literal Host blocks and wildcard ones', async () => {
    const resolver = await load('Host *\n  Port 1\nHost web1\n  Port 2\n  User literal\n');
    expect(resolver.resolve('web1').values).to.include({ port: 1, user: 'literal' });
  });

  it('honours negated and several patterns on one Host line, and ? as exactly one character', async () => {
    const resolver = await load(`
Host web? !web3 db1
  User ops
`);
    expect(resolver.resolve('web1').values.user).to.equal('ops');
    expect(resolver.resolve('db1').values.user).to.equal('ops');
    expect(resolver.resolve('web3').values.user).to.equal(localUser);
    expect(resolver.resolve('web10').values.user).to.equal(localUser);
    expect(resolver.resolve('web').values.user).to.equal(localUser);
  });

  it('matches Match host against the HostName obtained so far, and originalhost against the alias', async () => {
    const resolver = await load(`
Host short
  HostName long.example.com
Match host *.example.com
  Port 2022
  User matched
Match originalhost short
  IdentityFile /keys/short
Match all
  ConnectTimeout 3
Match exec "true"
  User never
`);
    const { values } = resolver.resolve('short');
    expect(values).to.include({ hostname: 'long.example.com', port: 2022, user: 'matched', connectTimeoutMs: 3000 });
    expect(values.identityFiles).to.deep.equal(['/keys/short']);
    expect(resolver.resolve('other').values.user).to.equal(localUser);
    expect(resolver.warnings).to.have.length(1);
    expect(resolver.warnings[0]).to.match(/config:11: Match exec is not supported/);
  });

  it('expands %h, %p, %r, %u, %d, %% and ~ in IdentityFile and UserKnownHostsFile, collecting every IdentityFile', async () => {
    const resolver = await load(`
Host box
  HostName 10.1.2.3
  Port 2200
  User alice
  IdentityFile ~/.ssh/%h-%p-%r
  IdentityFile %d/keys/%u_100%%
  UserKnownHostsFile ~/kh/%h "/with space/kh"
Host *
  IdentityFile /late/key
`);
    const { values, fromFile } = resolver.resolve('box');
    expect(values.identityFiles).to.deep.equal([
      path.join(home, '.ssh/10.1.2.3-2200-alice'),
      `${home}/keys/${localUser}_100%`,
      '/late/key',
    ]);
    expect(values.userKnownHostsFiles).to.deep.equal([path.join(home, 'kh/10.1.2.3'), '/with space/kh']);
    expect(fromFile.has('identityFiles')).to.equal(true);
  });

  it('reads Include files where the Include stands, scoped to the enclosing block', async () => {
    await mkdir(path.join(dir, 'conf.d'));
    await writeFile(path.join(dir, 'conf.d', 'a.conf'), 'Port 2001\nHost other\n  User other\n');
    await writeFile(path.join(dir, 'conf.d', 'b.conf'), 'User from-b\n');
    await writeFile(path.join(dir, 'conf.d', 'skip.txt'), 'User never\n');
    const resolver = await load(`
Host inc
  Include ${dir}/conf.d/*.conf
Host *
  Port 9
`);
    expect(resolver.resolve('inc').values).to.include({ port: 2001, user: 'from-b' });
    expect(resolver.resolve('other').values).to.include({ port: 9, user: localUser });
  });

  it('reads GlobalKnownHostsFile (unexpanded, `none` for none) and HashKnownHosts as ssh -G reports them', async () => {
    const text = `
Host pinned
  GlobalKnownHostsFile ~/global/%h "/etc/with space/known"
  HashKnownHosts yes
Host off
  GlobalKnownHostsFile none
`;
    const resolver = await load(text);
    const sshG = async (alias: string) => {
      const { stdout } = await run('ssh', ['-G', '-F', path.join(dir, 'config'), alias]);
      const setting = (name: string) => stdout.split('\n').find((line) => line.startsWith(`${name} `))!.slice(name.length + 1);
      return { global: setting('globalknownhostsfile'), hash: setting('hashknownhosts') };
    };
    for (const alias of ['pinned', 'off', 'default']) {
      const { values } = resolver.resolve(alias);
      const ssh = await sshG(alias);
      expect(values.globalKnownHostsFiles.join(' ') || 'none', alias).to.equal(ssh.global);
      expect(values.hashKnownHosts ? 'yes' : 'no', alias).to.equal(ssh.hash);
    }
    expect(resolver.resolve('pinned').values.globalKnownHostsFiles).to.deep.equal(['~/global/%h', '/etc/with space/known']);
    const error = await rejectionOf(load('GlobalKnownHostsFile none /etc/x\n'), SshConfigError);
    expect(error.message).to.match(/config:1: GlobalKnownHostsFile: "none" must appear alone/);
  });

  it('treats ProxyJump none as a decision of the file', async () => {
    const resolver = await load('Host direct\n  ProxyJump none\nHost *\n  ProxyJump jump\n');
    const { values, fromFile } = resolver.resolve('direct');
    expect(values.proxyJump).to.equal(undefined);
    expect(fromFile.has('proxyJump')).to.equal(true);
    expect(resolver.resolve('x').values.proxyJump).to.equal('jump');
  });

  /** What the real ssh makes of a file for an alias: `ssh -G` prints the settings it would use, keywords lowercased. */
  async function sshG(alias: string): Promise<Map<string, string>> {
    const output = await runToolOk('ssh', ['-G', '-F', path.join(dir, 'config'), alias]);
    return new Map(output.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]));
  }

  it('reads ConnectTimeout and ServerAliveInterval in ssh’s time format (1m30s), `none` leaving them to a later line, as ssh -G does', async () => {
    const resolver = await load('Host a\n  ConnectTimeout 1m30s\n  ServerAliveInterval 2H5\nHost b\n  ConnectTimeout none\nHost *\n  ConnectTimeout 7\n  ServerAliveInterval 0\n');
    for (const alias of ['a', 'b']) {
      const ssh = await sshG(alias);
      const { values } = resolver.resolve(alias);
      expect(values.connectTimeoutMs, alias).to.equal(Number(ssh.get('connecttimeout')) * 1000);
      expect(values.serverAliveIntervalMs, alias).to.equal(Number(ssh.get('serveraliveinterval')) * 1000);
    }
    expect(resolver.resolve('a').values).to.include({ connectTimeoutMs: 90_000, serverAliveIntervalMs: 7_205_000 });
  });

  it('keeps the first of ProxyJump and ProxyCommand obtained (`none` included), ProxyCommand as written, as ssh -G does', async () => {
    const resolver = await load(`
Host cmd-first
  ProxyCommand=ssh -W '[%h]:%p'  "jump host" # kept: ssh takes the rest of the line
Host jump-first
  ProxyJump bastion
Host none-first
  ProxyCommand none
Host *
  ProxyJump late
  ProxyCommand nc %h %p
`);
    for (const alias of ['cmd-first', 'jump-first', 'none-first', 'other']) {
      const ssh = await sshG(alias);
      const { values } = resolver.resolve(alias);
      expect([values.proxyJump, values.proxyCommand], alias).to.deep.equal([ssh.get('proxyjump'), ssh.get('proxycommand')]);
    }
    expect(resolver.resolve('cmd-first').values.proxyCommand).to.equal(`ssh -W '[%h]:%p'  "jump host" # kept: ssh takes the rest of the line`);
    expect(resolver.resolve('none-first').fromFile.has('proxyCommand')).to.equal(true);
  });

  it('warns about a keyword no ssh knows, naming file and line, as ssh refuses it; not one IgnoreUnknown names, nor one sshpool does not use', async () => {
    const file = path.join(dir, 'config');
    const refused = await load('Host a\n  UseKeychain yes\n  ForwardAgent yes\n');
    expect(refused.warnings).to.deep.equal([`${file}:2: unknown keyword UseKeychain; ignored (ssh would refuse the file unless IgnoreUnknown names it)`]);
    const ssh = await runTool('ssh', ['-G', '-F', file, 'a']);
    expect(ssh.exitCode).to.not.equal(0);
    expect(ssh.stderr).to.include('line 2: Bad configuration option: usekeychain');

    const ignored = await load('IgnoreUnknown AddKeysToAgent,UseKey*\nHost a\n  UseKeychain yes\n  ForwardAgent yes\n');
    expect(ignored.warnings).to.deep.equal([]);
    expect((await runTool('ssh', ['-G', '-F', file, 'a'])).exitCode).to.equal(0);
  });

  it('knows every keyword the installed ssh knows (all that ssh -G prints)', async () => {
    await load('');
    const ssh = await sshG('any');
    const unknown = [...ssh.keys()].filter((keyword) => !OPENSSH_KEYWORDS.has(keyword.toLowerCase()));
    expect(unknown).to.deep.equal([]);
    expect(ssh.size).to.be.above(60);
  });

  for (const [text, line, message] of [
    ['Host a\n  Port banana\n', 2, /bad Port 'banana'/],
    ['# ok\n\nHost a\n  User "unterminated\n', 4, /Unexpected line break/],
    ['Host\n', 1, /keyword without a value/],
    ['Host a\n  StrictHostKeyChecking maybe\n', 2, /bad StrictHostKeyChecking/],
    ['IdentityFile ~/.ssh/%C\n', 1, /unsupported token %C/],
    ['Host a\n  ConnectTimeout 10x\n', 2, /bad ConnectTimeout '10x'/],
    // ssh takes up to 2^31-1 s; a timer holds 2^31-1 ms, and a longer delay would fire at once.
    ['Host a\n  ServerAliveInterval 30d\n', 2, /ServerAliveInterval 30d is more than 2147483.647 s/],
    ['ProxyCommand nc %h %p %C\n', 1, /ProxyCommand: unsupported token %C/],
  ] as const) {
    it(`names file and line of a bad line: ${JSON.stringify(text)}`, async () => {
      const error = await rejectionOf(load(text), SshConfigError);
      expect(error.code).to.equal('SSH_CONFIG');
      expect(error.message).to.contain(`${path.join(dir, 'config')}:${line}: `);
      expect(error.message).to.match(message);
    });
  }

  // How fast is bench/inventory.ts's to measure (never a timed unit test: these machines are shared).
  it('resolves 10,000 aliases against a generated 10,000-host file, caching per alias', async () => {
    const blocks = Array.from({ length: 10_000 }, (_, index) => `Host node${index} alias${index}\n  HostName 10.0.${index >> 8}.${index & 255}\n`).join('');
    const resolver = await load(`Host *.internal\n  Port 2200\n${blocks}Host node*\n  User fleet\n  HostName never\n`);
    for (let index = 0; index < 10_000; index++) resolver.resolve(`node${index}`);
    expect(resolver.resolve('node9999').values).to.include({ hostname: '10.0.39.15', user: 'fleet', port: 22 });
    expect(resolver.resolve('ALIAS258').values).to.include({ hostname: '10.0.1.2', user: localUser });
    expect(resolver.resolve('node1.internal').values).to.include({ hostname: 'never', port: 2200 });
    expect(resolver.resolve('node7')).to.equal(resolver.resolve('node7'));
  });
});
