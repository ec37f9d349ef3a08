import { cp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { HostReport } from '../../src/ssh/target-explanation.js';
import { runToolOk } from '../fleet/run-tool.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/ssh-config', import.meta.url));
const home = os.userInfo().homedir;
const localUser = os.userInfo().username;

/** `ssh -G`'s lines as keyword → values (a keyword given several times, as identityfile, has several). */
async function sshG(config: string, alias: string, extra: readonly string[] = []): Promise<Map<string, string[]>> {
  const output = await runToolOk('ssh', ['-G', ...extra, '-F', config, alias]);
  const lines = new Map<string, string[]>();
  for (const line of output.split('\n').filter(Boolean)) {
    const keyword = line.slice(0, line.indexOf(' '));
    lines.set(keyword, [...(lines.get(keyword) ?? []), line.slice(line.indexOf(' ') + 1)]);
  }
  return lines;
}

/** The literal names of a file's Host lines (and its includes'), the aliases worth asking about. */
function hostNames(text: string): string[] {
  const names = [...text.matchAll(/^\s*host\s*[\s=]\s*(.*)$/gim)].flatMap((match) => match[1]!.split(/\s+/));
  return names.filter((name) => name !== '' && !/[*?!]/.test(name));
}

/**
 * ssh -G prints IdentityFile as written: `~` and %-tokens expanded here as
 * ssh expands them when it loads the keys (ssh.c), to compare with sshpool's
 * expanded paths.
 */
function expandIdentity(raw: string, alias: string, ssh: Map<string, string[]>): string {
  const tokens: Record<string, string> = { '%': '%', h: ssh.get('hostname')![0]!, p: ssh.get('port')![0]!, r: ssh.get('user')![0]!, n: alias, u: localUser, d: home };
  return raw.replace(/^~(?=\/|$)/, home).replace(/%(.)/g, (whole, token: string) => tokens[token] ?? whole);
}

const STRICTNESS: Record<string, string> = { true: 'yes', ask: 'yes', false: 'no', 'accept-new': 'accept-new' };

/**
 * The report's fields against ssh -G's, field by field. Where sshpool's own
 * default applies (the README says why it differs: connect timeout 10 s,
 * keepalives every 15 s, host keys strict without a terminal to ask on) the
 * report must say `default` and ssh must show its own default.
 */
function compare(report: HostReport, ssh: Map<string, string[]>, alias: string): void {
  const one = (keyword: string) => ssh.get(keyword)?.[0];
  const where = `${alias}: `;
  expect(report.hostname, `${where}hostname`).to.equal(one('hostname'));
  expect(String(report.port), `${where}port`).to.equal(one('port'));
  expect(report.user, `${where}user`).to.equal(one('user'));
  expect(report.identityFiles, `${where}identityFiles`).to.deep.equal(ssh.get('identityfile')!.map((raw) => expandIdentity(raw, alias, ssh)));
  expect(report.certificateFiles ?? [], `${where}certificateFiles`).to.deep.equal((ssh.get('certificatefile') ?? []).map((raw) => expandIdentity(raw, alias, ssh)));
  expect(report.proxyJump, `${where}proxyJump`).to.equal(one('proxyjump'));
  // ssh -G shows ProxyCommand as written; sshpool's is expanded, so it is compared with its tokens put back.
  expect(report.proxyCommand === undefined, `${where}proxyCommand`).to.equal(one('proxycommand') === undefined);
  expect(report.userKnownHostsFiles?.join(' '), `${where}userKnownHostsFiles`).to.equal(one('userknownhostsfile'));
  expect(report.globalKnownHostsFiles?.join(' '), `${where}globalKnownHostsFiles`).to.equal(one('globalknownhostsfile'));
  expect(report.hostKeyAlias, `${where}hostKeyAlias`).to.equal(one('hostkeyalias'));
  const fromDefault = (field: string, sshDefault: string, keyword: string, ours: string) => {
    if (report.origins[field]?.source === 'default') expect(one(keyword), `${where}${keyword} (ssh's default)`).to.equal(sshDefault);
    else expect(ours, `${where}${field}`).to.equal(one(keyword));
  };
  fromDefault('connectTimeout', 'none', 'connecttimeout', String(report.connectTimeout));
  fromDefault('serverAliveInterval', '0', 'serveraliveinterval', String(report.serverAliveInterval));
  if (report.origins.strictHostKeyChecking?.source === 'default') expect(one('stricthostkeychecking')).to.equal('ask');
  else expect(report.strictHostKeyChecking, `${where}strictHostKeyChecking`).to.equal(STRICTNESS[one('stricthostkeychecking')!]);
}

describe('sshpool hosts (the real binary; ssh_config checked against the real ssh -G)', function () {
  this.timeout(120_000);
  const tempDir = tempDirPerTest('sshpool-hosts-');
  /** No settings file, variable or ansible.cfg of this machine's reaches the run. */
  const environment = () => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SSHPOOL_') && !name.startsWith('ANSIBLE_'))),
    XDG_CONFIG_HOME: tempDir(),
  });
  const sshpool = (args: string[], env: NodeJS.ProcessEnv = environment()) => runCliProcess(args, { env, cwd: tempDir() });

  async function hostsJson(args: string[]): Promise<HostReport[]> {
    const { code, stdout, stderr } = await sshpool(['hosts', ...args, '--json']);
    expect(code, stderr).to.equal(0);
    return JSON.parse(stdout) as HostReport[];
  }

  /** A copy of a fixture where @HERE@ names the copy's directory (for Includes by absolute path). */
  async function fixture(name: string): Promise<string> {
    const source = path.join(FIXTURES, name);
    const copy = path.join(tempDir(), name);
    await cp(source, copy, { recursive: true });
    const config = name === 'features' ? path.join(copy, 'main.config') : copy;
    await writeFile(config, (await readFile(config, 'utf8')).replaceAll('@HERE@', copy));
    return config;
  }

  const files = ['0xadada.config', '0xcharly.config', '0xmachos.config', '007.config', '1ambda.config', '1da1a172.config', '2sheds.config', '812lcl.config', 'aaronbecker.config', 'abraxa5.config', 'adda0.config', 'aetf.config'];

  it('agrees with ssh -G field by field on 12 ssh_config files from public dotfiles repositories', async () => {
    for (const name of files) {
      const config = await fixture(name);
      const aliases = [...new Set([...hostNames(await readFile(config, 'utf8')), 'not-in-the-file.example'])];
      const reports = await hostsJson(['-i', `${aliases.join(',')},`, '-F', config]);
      expect(reports.map((report) => report.name), name).to.deep.equal(aliases);
      for (const [index, alias] of aliases.entries()) compare(reports[index]!, await sshG(config, alias), `${name} ${alias}`);
    }
  });

  it('agrees with ssh -G on Match user/localuser/all/canonical/final, negation, the final pass, %-tokens, Include globs and HostKeyAlias', async () => {
    const config = await fixture('features');
    const aliases = ['gw', 'web1.lab', 'web2.lab', 'db2.lab', 'bad.lab', 'nested.lab', 'gateway.internal', 'relay.internal', 'other'];
    const reports = await hostsJson(['-i', `${aliases.join(',')},`, '-F', config]);
    for (const [index, alias] of aliases.entries()) compare(reports[index]!, await sshG(config, alias), alias);
    // What the features are there for, so that agreeing on nothing cannot pass.
    const gw = reports[0]!;
    expect(gw).to.include({ hostname: 'gateway.internal', port: 2022, user: 'from-final-pass', hostKeyAlias: 'gw-key', strictHostKeyChecking: 'accept-new', serverAliveInterval: 42 });
    expect(gw.proxyCommand).to.equal('ssh -W gateway.internal:2022 relay.internal');
    expect(gw.userKnownHostsFiles).to.deep.equal([`${home}/.ssh/known_gateway.internal`, `${home}/kh2_gw`]);
    expect(reports[1]!.identityFiles).to.deep.equal([`${home}/.ssh/lab_web1.lab_web1.lab.example.internal_2201_lab-%n_${localUser}`, `${home}/.ssh/lab-shared`]);
    expect(reports[1]!.certificateFiles).to.deep.equal([`${home}/.ssh/lab_web1.lab-cert.pub`]);
    expect(reports[1]!.origins.certificateFiles).to.include({ source: 'ssh_config' });
    expect(reports[5]!.port).to.equal(2300);
    expect(reports[4]!.port, 'a dot file is no match for *').to.equal(22);

    // A user given above ssh_config is ssh's -l: Match user sees it.
    const [asOps] = await hostsJson(['-i', 'gw,', '-F', config, '-u', 'ops']);
    const ssh = await sshG(config, 'gw', ['-l', 'ops']);
    expect([asOps!.user, asOps!.proxyJump, asOps!.proxyCommand]).to.deep.equal(['ops', ssh.get('proxyjump')![0], undefined]);
    expect(asOps!.proxyJump).to.equal('bastion.internal:2200');
  });

  it('names where each value came from: flag, settings file line, variable, inventory var with file and line, ssh_config line, default', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'ssh_config');
    // Looked up by ansible_host, the name Ansible hands to ssh.
    await writeFile(config, 'Host 127.0.0.9\n  User config-user\n  ConnectTimeout 7\nHost *\n  IdentityFile ~/.ssh/fleet\n');
    const inventory = path.join(dir, 'hosts.yaml');
    await writeFile(
      inventory,
      'all:\n  hosts:\n    web1:\n      ansible_host: 127.0.0.9\n    web2:\n      ansible_ssh_user: old-name\n      ansible_user: new-name\n      ansible_become: true\n      ansible_become_user: root\n      ansible_become_password: hunter2\n    here:\n      ansible_connection: local\n',
    );
    await writeFile(path.join(dir, 'sshpool.yaml'), 'port: 2200\n');
    const env = { ...environment(), SSHPOOL_SERVER_ALIVE_INTERVAL: '30' };
    const { code, stdout, stderr } = await sshpool(['hosts', '-i', inventory, '-F', config, '--known-hosts', '/tmp/kh', '--json'], env);
    expect(code, stderr).to.equal(0);
    const [web1, web2, here] = JSON.parse(stdout) as HostReport[];
    expect(web1!.origins.hostname).to.deep.equal({ source: 'inventory', variable: 'ansible_host', file: inventory, line: 4, column: 7 });
    expect(web1!.origins.user).to.deep.equal({ source: 'ssh_config', file: config, line: 2 });
    expect(web1!.origins.connectTimeout).to.deep.equal({ source: 'ssh_config', file: config, line: 3 });
    expect(web1!.origins.identityFiles).to.deep.equal({ source: 'ssh_config', file: config, line: 5 });
    expect(web1!.origins.port).to.deep.equal({ source: 'file', file: path.join(dir, 'sshpool.yaml'), line: 1, column: 7 });
    expect(web1!.origins.serverAliveInterval).to.deep.equal({ source: 'env', variable: 'SSHPOOL_SERVER_ALIVE_INTERVAL' });
    expect(web1!.origins.userKnownHostsFiles).to.deep.equal({ source: 'flag', flag: '--known-hosts' });
    expect(web1!.origins.strictHostKeyChecking).to.deep.equal({ source: 'default' });
    expect([web1!.port, web1!.serverAliveInterval, web1!.userKnownHostsFiles]).to.deep.equal([2200, 30, ['/tmp/kh']]);
    // Ansible's ssh plugin takes the old name when both are set.
    expect([web2!.user, web2!.origins.user]).to.deep.equal(['old-name', { source: 'inventory', variable: 'ansible_ssh_user', file: inventory, line: 6, column: 7 }]);
    expect(web2!.become).to.deep.equal({ enabled: true, user: 'root', passwordSet: true });
    expect(web2!.origins['become.user']).to.include({ variable: 'ansible_become_user', line: 9 });
    expect(here).to.deep.include({ connection: 'local', hostname: 'localhost' });
    expect(here!.origins.connection).to.include({ variable: 'ansible_connection', line: 12 });
    expect(stdout).to.not.include('hunter2');

    const text = await sshpool(['hosts', '-i', inventory, '-F', config, '-l', 'web*'], env);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.not.include('hunter2');
    expect(text.stdout.split('\n')[0]).to.match(/^HOST +FIELD +VALUE +FROM$/);
    expect(text.stdout).to.match(/\nweb1 +connection +ssh\n/);
    expect(text.stdout).to.match(new RegExp(`\\n +hostname +127\\.0\\.0\\.9 +inventory ansible_host ${inventory}:4:7\\n`));
    expect(text.stdout).to.match(new RegExp(`\\n +user +config-user +ssh_config ${config}:2\\n`));
    expect(text.stdout).to.match(/\n +port +2200 +settings .*sshpool\.yaml:1:7\n/);
    expect(text.stdout).to.match(/\n +become\.password +\(set, not shown\) +inventory ansible_become_password/);
    expect(text.stdout).to.not.match(/\nhere /);
  });

  it('lists a host whose vars cannot be used with its error, and names a malformed ssh_config line', async () => {
    const dir = tempDir();
    const inventory = path.join(dir, 'hosts.yaml');
    await writeFile(inventory, "all:\n  hosts:\n    bad:\n      ansible_port: \"{{ 'banana' }}\"\n    good: {}\n");
    const [bad, good] = await hostsJson(['-i', inventory, '-F', '/dev/null']);
    expect(bad!.connection).to.equal('refused');
    expect(bad!.error!.code).to.equal('INVENTORY_VALUE');
    expect(good!.connection).to.equal('ssh');
    const config = path.join(dir, 'ssh_config');
    await writeFile(config, 'Host a\n  Port nine\n');
    const broken = await sshpool(['hosts', '-i', 'a,', '-F', config]);
    expect(broken.code).to.equal(2);
    expect(broken.stderr).to.include(`${config}:2: bad Port 'nine'`);
  });
});
