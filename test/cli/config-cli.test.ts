import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { SETTINGS } from '../../src/settings/schema.js';
import { environmentVariable } from '../../src/settings/setting.js';

describe('settings files, SSHPOOL_* variables and sshpool config (the real binary)', function () {
  this.timeout(60_000);
  let root: string;
  let work: string;
  let userFile: string;
  let workFile: string;

  before(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'sshpool-config-cli-')));
    work = path.join(root, 'work');
    userFile = path.join(root, 'xdg', 'sshpool', 'config.yaml');
    workFile = path.join(work, 'sshpool.yaml');
    await mkdir(path.dirname(userFile), { recursive: true });
    await mkdir(work);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** HOME, XDG_CONFIG_HOME and the working directory in the temp dir, and none of this machine's SSHPOOL_ variables. */
  const sshpool = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCliProcess(args, { cwd: work, env: { PATH: process.env.PATH, HOME: path.join(root, 'home'), XDG_CONFIG_HOME: path.join(root, 'xdg'), SSH_AUTH_SOCK: '', ...env } });

  it("gives run and ping each setting's flag, with its variable, from the schema", async () => {
    for (const command of ['run', 'ping'] as const) {
      const { stdout } = await sshpool([command, '--help']);
      const help = stdout.replace(/\s+/g, ' ');
      for (const declaration of SETTINGS) {
        const applies = (declaration.commands as readonly string[]).includes(command);
        expect(help.includes(`--${declaration.key} `), `${command} --${declaration.key}`).to.equal(applies);
        if (applies) expect(help, `${command} --${declaration.key}`).to.include(`$${environmentVariable(declaration.key)}`);
      }
    }
  });

  it('prints every setting and where it came from: default, file:line:column, variable, flag', async () => {
    await writeFile(userFile, 'server-alive-interval: 20\nmax-output: 2M\n');
    await writeFile(workFile, 'max-output: 4M\nknown-hosts: kh\n');
    const { code, stdout, stderr } = await sshpool(['config', '--json', '-f', '7'], { SSHPOOL_CONNECT_TIMEOUT: '3', SSHPOOL_FORKS: '5' });
    expect(code, stderr).to.equal(0);
    const shown = JSON.parse(stdout);
    expect(shown.forks).to.deep.equal({ value: '7', source: 'flag', flag: '--forks' });
    expect(shown['connect-timeout']).to.deep.equal({ value: '3', source: 'env', variable: 'SSHPOOL_CONNECT_TIMEOUT' });
    expect(shown['max-output']).to.deep.equal({ value: '4M', source: 'file', file: workFile, line: 1, column: 13 });
    expect(shown['server-alive-interval']).to.deep.equal({ value: 20, source: 'file', file: userFile, line: 1, column: 24 });
    expect(shown['known-hosts']).to.deep.equal({ value: path.join(work, 'kh'), source: 'file', file: workFile, line: 2, column: 14 });
    expect(shown.timeout).to.deep.equal({ value: 0, source: 'default' });
    expect(shown.user).to.deep.equal({ value: null, source: 'default' });
    const text = await sshpool(['config']);
    expect(text.stdout).to.match(new RegExp(`^max-output: 4M +# ${workFile}:1:13$`, 'm'));
    expect(text.stdout).to.match(/^forks: 32 +# default$/m);
  });

  it('stops with exit 2 on an unknown key, naming file, line, column and the closest key, before any host is touched', async () => {
    await writeFile(userFile, '');
    await writeFile(workFile, 'forks: 4\nfork: 5\n');
    const { code, stdout, stderr } = await sshpool(['run', '-i', 'web1,', '--', 'true']);
    expect(code).to.equal(2);
    expect(stdout).to.equal('');
    expect(stderr).to.equal(`sshpool: ${workFile}:2:1: unknown setting 'fork' (did you mean 'forks'?)\n`);
  });

  it('names a bad variable, and warns about an unknown SSHPOOL_* one', async () => {
    await writeFile(workFile, '');
    const bad = await sshpool(['config'], { SSHPOOL_PORT: 'ssh' });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal('sshpool: SSHPOOL_PORT: "ssh" is not a number\n');
    const unknown = await sshpool(['config'], { SSHPOOL_FORK: '5', SSHPOOL_INVENTORY: 'web1,' });
    expect(unknown.code).to.equal(0);
    expect(unknown.stderr).to.equal('sshpool: warning: unknown variable SSHPOOL_FORK ignored (did you mean SSHPOOL_FORKS?)\n');
  });

  describe('through a run against the fleet', () => {
    let fleet: Fleet;
    before(async () => {
      fleet = await Fleet.start({ hosts: 1 });
    });
    after(async () => {
      await fleet?.stop();
    });
    const base = () => ['run', '-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];

    it('takes the output mode from ./sshpool.yaml, below SSHPOOL_OUTPUT, below -o', async () => {
      await writeFile(workFile, 'output: json\nquiet: true\n');
      const fromFile = await sshpool([...base(), '--', 'echo hi']);
      expect(fromFile.code, fromFile.stderr).to.equal(0);
      expect(JSON.parse(fromFile.stdout).map((record: { host: string; stdout: string }) => [record.host, record.stdout])).to.deep.equal([['h01', 'hi\n']]);
      const fromEnv = await sshpool([...base(), '--', 'echo hi'], { SSHPOOL_OUTPUT: 'ndjson' });
      expect(fromEnv.stdout.trim().split('\n')).to.have.length(1);
      expect(JSON.parse(fromEnv.stdout).host).to.equal('h01');
      const fromFlag = await sshpool([...base(), '-o', 'text', '--', 'echo hi'], { SSHPOOL_OUTPUT: 'ndjson' });
      expect(fromFlag.stdout).to.equal('h01: hi\n');
    });

    it("leaves the inventory's ansible_user above a settings file's user, and -u above both", async () => {
      await writeFile(workFile, 'user: nosuch-user\nquiet: true\n');
      const fromFile = await sshpool([...base(), '--', 'whoami']);
      expect(fromFile.code, fromFile.stderr).to.equal(0);
      expect(fromFile.stdout).to.equal(`h01: ${fleet.user}\n`);
      const fromFlag = await sshpool([...base(), '-u', 'nosuch-user', '--', 'whoami']);
      expect(fromFlag.code).to.equal(4);
      expect(fromFlag.stderr).to.include('AUTH_FAILED');
    });
  });
});
