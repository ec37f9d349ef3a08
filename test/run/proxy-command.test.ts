import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet } from '../fleet/index.js';
import { isRunning } from '../fleet/proc.js';
import { runTool } from '../fleet/run-tool.js';
import { CLI_MAIN, runCliProcess } from '../helpers/cli-process.js';
import { rejectionOf } from '../helpers/rejection.js';
import { ProxyCommandError } from '../../src/ssh/proxy-command.js';

/** Polls until `check` holds or `timeoutMs` passes (a process's end is not an event the test can await). */
async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('ssh_config ProxyCommand, against a real sshd fleet and the real ssh through the same config', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let config: string;
  let tokenLog: string;
  let pidFile: string;

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-proxycommand-'));
    config = path.join(scratch, 'ssh_config');
    tokenLog = path.join(scratch, 'tokens.log');
    pidFile = path.join(scratch, 'proxy.pid');
    const h02 = fleet.host('h02');
    // Each alias reaches h02; the ProxyCommand goes through h01 with the real ssh's -W.
    const target = (alias: string, proxyCommand: string) =>
      [
        `Host ${alias}`,
        `  HostName ${h02.address}`,
        `  Port ${h02.port}`,
        `  User ${fleet.user}`,
        `  IdentityFile ${fleet.userKeyPath}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${fleet.knownHostsPath}`,
        `  ProxyCommand ${proxyCommand}`,
        '',
      ].join('\n');
    const viaH01 = `ssh -F ${config} -o BatchMode=yes -W %h:%p h01`;
    await writeFile(
      config,
      [
        target('via-proxy', `sh -c 'echo "%h %p %r %n %k %%" >> ${tokenLog}; exec ${viaH01}'`),
        target('proxy-fails', `sh -c 'echo "no route to %h" >&2; exit 3'`),
        target('fd*', `sh -c 'exit 1'`),
        target('proxy-lingers', `sh -c 'echo $$ > ${pidFile}; ${viaH01}; exec sleep 30'`),
        await readFile(fleet.sshConfigPath, 'utf8'),
      ].join('\n'),
    );
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  /** The CLI run by a shell that first sets a limit (`ulimit -n 300`). */
  const runCliProcessUnder = (limit: string, args: string[]) => runTool('sh', ['-c', `${limit} && exec "$0" "$@"`, process.execPath, CLI_MAIN, ...args]);
  const options = () => ({ sshConfigFile: config, agentSocket: null, connectTimeoutMs: 10_000 });
  const loggedTokens = async () => (await readFile(tokenLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  it('connects through the ProxyCommand, with %h %p %r %n %k %% expanded as ssh expands them', async () => {
    await rm(tokenLog, { force: true });
    const [result] = await runCommand(['via-proxy'], 'echo "$SSH_CONNECTION"', options());
    expect(result, JSON.stringify(result)).to.include({ status: 'ok', host: 'via-proxy' });
    expect(result!.stdout.split(' ')[3]).to.equal(`${fleet.host('h02').port}\n`);
    const ours = await loggedTokens();
    const ssh = await runTool('ssh', ['-F', config, '-o', 'BatchMode=yes', 'via-proxy', 'echo ok']);
    expect(ssh.stdout, ssh.stderr).to.equal('ok\n');
    const both = await loggedTokens();
    expect(ours).to.deep.equal([`127.0.0.1 ${fleet.host('h02').port} ${fleet.user} via-proxy via-proxy %`]);
    expect(both).to.deep.equal([ours[0], ours[0]]);
  });

  it('carries a jump host’s connection over that host’s own ProxyCommand, as ssh -J does', async () => {
    await rm(tokenLog, { force: true });
    const [result] = await runCommand(['h01'], 'echo "$SSH_CONNECTION"', { ...options(), proxyJump: 'via-proxy' });
    expect(result, JSON.stringify(result)).to.include({ status: 'ok' });
    expect(result!.stdout.split(' ')[3]).to.equal(`${fleet.host('h01').port}\n`);
    const ours = await loggedTokens();
    const ssh = await runTool('ssh', ['-F', config, '-o', 'BatchMode=yes', '-J', 'via-proxy', 'h01', 'echo ok']);
    expect(ssh.stdout, ssh.stderr).to.equal('ok\n');
    expect(ours).to.have.length(1);
    expect(await loggedTokens()).to.deep.equal([ours[0], ours[0]]);
  });

  it('fails a host whose ProxyCommand exits early with PROXY_COMMAND_FAILED, its status and stderr in the message', async () => {
    const [result] = await runCommand(['proxy-fails'], 'true', options());
    expect(result).to.include({ status: 'unreachable' });
    expect(result!.error!.code).to.equal('PROXY_COMMAND_FAILED');
    expect(result!.error!.message).to.equal('proxy-fails: the ProxyCommand exited with status 3 before the connection ended; its stderr: no route to 127.0.0.1');
    const ssh = await runTool('ssh', ['-F', config, '-o', 'BatchMode=yes', 'proxy-fails', 'true']);
    expect(ssh.exitCode).to.equal(255);
    expect(ssh.stderr).to.include('no route to 127.0.0.1');
  });

  it('ends the ProxyCommand when the connection ends, even one that outlives its stdin', async () => {
    await rm(pidFile, { force: true });
    const [result] = await runCommand(['proxy-lingers'], 'true', options());
    expect(result!.status).to.equal('ok');
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(pid).to.be.above(0);
    expect(await eventually(() => !isRunning(pid), 3000), `ProxyCommand ${pid} still running`).to.equal(true);
  });

  it('lets -J beat the file’s ProxyCommand, `-J none` included, as ssh does', async () => {
    await rm(tokenLog, { force: true });
    const direct = await runCommand(['via-proxy'], 'true', { ...options(), proxyJump: 'none' });
    const jumped = await runCommand(['via-proxy'], 'true', { ...options(), proxyJump: 'h01' });
    expect([...direct, ...jumped].map((r) => r.status)).to.deep.equal(['ok', 'ok']);
    expect(await loggedTokens()).to.deep.equal([]);
  });

  it('refuses an inventory host name a ProxyCommand’s shell would act on, running nothing', async () => {
    const marker = path.join(scratch, 'injected');
    const host = { name: 'evil', vars: { ansible_host: `fd;touch ${marker}` }, groups: ['all'] };
    const error = await rejectionOf(runCommand([host], 'true', options()), ProxyCommandError);
    expect(error.message).to.match(/^evil: host name "fd;touch .*" has characters the ProxyCommand's shell would act on/);
    expect(await readFile(marker).then(() => true, () => false)).to.equal(false);
  });

  it('counts three descriptors per host reached through its ProxyCommand in the open-files check', async () => {
    const hosts = Array.from({ length: 100 }, (_, index) => `fd${index},`).join('');
    const { exitCode, stderr } = await runCliProcessUnder('ulimit -n 300', ['run', '-i', hosts, '-F', config, '-f', '100', '--', 'true']);
    expect(exitCode).to.equal(2);
    expect(stderr).to.include('--forks 100 needs about 364 open files, but this process may open 300');
  });

  it('sshpool run prints each ssh_config warning once per run on stderr, whatever the number of hosts', async () => {
    const warned = path.join(scratch, 'warned_config');
    await writeFile(warned, `UseKeychain yes\nMatch exec "true"\n  User nobody\n${await readFile(fleet.sshConfigPath, 'utf8')}`);
    const { code, stdout, stderr } = await runCliProcess(['run', '-i', 'h01,h02,', '-F', warned, '--no-agent', '--', 'echo hi'], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
    expect(code, stderr).to.equal(0);
    expect(stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['h01: hi', 'h02: hi']);
    expect(stderr.split('\n').filter((line) => line.startsWith('sshpool: warning: '))).to.deep.equal([
      `sshpool: warning: ${warned}:1: unknown keyword UseKeychain; ignored (ssh would refuse the file unless IgnoreUnknown names it)`,
      `sshpool: warning: ${warned}:2: Match exec is not supported; the block is never applied`,
    ]);
  });
});
