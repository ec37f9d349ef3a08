import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { becomeUnavailable, Fleet, setUpBecomeUsers, SUDOER } from '../fleet/index.js';
import type { BecomeUsers } from '../fleet/index.js';
import { CLI_MAIN, runCliProcess } from '../helpers/cli-process.js';
import type { CliProcessResult } from '../helpers/cli-process.js';
import { startInPty } from '../helpers/pty.js';

/** The binary with `input` on its stdin (then EOF). */
function runWithStdin(args: string[], input: Buffer): Promise<CliProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('sshpool script, become, -I, --pty and --env (the real binary against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  const base = () => ['--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];

  before(async () => {
    fleet = await Fleet.start({ hosts: 2, sshdOptions: ['AcceptEnv SSHPOOL_OK_*'] });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-exec-cli-'));
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('script: runs FILE with the words after -- on every host, one prefixed line each', async () => {
    const file = path.join(scratch, 'greet.sh');
    await writeFile(file, '#!/bin/sh\necho "hello $1 from $(basename "$0")"\n');
    const { code, stdout, stderr } = await runCliProcess(['script', '-i', fleet.inventoryPath, ...base(), file, '--', 'you']);
    expect(stderr).to.equal('');
    expect(stdout.split('\n').sort()).to.deep.equal(['', 'h01: hello you from greet.sh', 'h02: hello you from greet.sh']);
    expect(code).to.equal(0);
  });

  it('script: refuses a missing file with SCRIPT_READ before any host is contacted (exit 2)', async () => {
    const missing = path.join(scratch, 'nowhere.sh');
    const { code, stdout, stderr } = await runCliProcess(['script', '-i', fleet.inventoryPath, ...base(), missing]);
    expect(stdout).to.equal('');
    expect(stderr).to.equal(`sshpool: script ${missing}: cannot read it (ENOENT)\n`);
    expect(code).to.equal(2);
  });

  it('-I: sends the local stdin to every host', async () => {
    const { code, stdout } = await runWithStdin(['run', '-i', fleet.inventoryPath, ...base(), '-I', '--', 'tr a-z A-Z'], Buffer.from('shared input\n'));
    expect(stdout.split('\n').sort()).to.deep.equal(['', 'h01: SHARED INPUT', 'h02: SHARED INPUT']);
    expect(code).to.equal(0);
  });

  it('--pty and --env: a terminal, the variables the server takes, and a warning in the record for those it refuses', async () => {
    const args = ['run', '-i', fleet.inventoryPath, ...base(), '-l', 'h01', '-o', 'json', '--pty', '--env', 'SSHPOOL_OK_A=yes', '--env', 'SSHPOOL_NO_B=no', '--'];
    const { code, stdout } = await runCliProcess([...args, 'test -t 1 && echo "tty $SSHPOOL_OK_A ${SSHPOOL_NO_B-unset}"']);
    const [record] = JSON.parse(stdout) as { stdout: string; warnings?: string[] }[];
    expect(record!.stdout).to.equal('tty yes unset\r\n');
    expect(record!.warnings).to.deep.equal(['the server refused environment variable SSHPOOL_NO_B (not in its AcceptEnv); it is unset']);
    expect(code).to.equal(0);
    const exported = await runCliProcess(['run', '-i', fleet.inventoryPath, ...base(), '-l', 'h01', '--env', 'SSHPOOL_NO_B=it is', '--env-fallback', 'export', '--', 'echo "$SSHPOOL_NO_B"']);
    expect(exported.stdout).to.equal('h01: it is\n');
  });

  it('--env: refuses a word that is not NAME=VALUE, naming the option', async () => {
    const { code, stderr } = await runCliProcess(['run', '-i', fleet.inventoryPath, ...base(), '--env', '1X=y', '--', 'true']);
    expect(stderr).to.match(/^sshpool: --env "1X=y": expected NAME=VALUE/);
    expect(code).to.equal(2);
  });

  describe('-s -K: sudo with a password asked once on the terminal', () => {
    let users: BecomeUsers;
    let inventoryPath: string;

    before(async function () {
      if (await becomeUnavailable()) this.skip();
      users = await setUpBecomeUsers();
      const hosts = Object.fromEntries(
        fleet.hosts.map((host) => [host.name, { ansible_host: host.address, ansible_port: host.port, ansible_user: SUDOER, ansible_ssh_private_key_file: fleet.userKeyPath }]),
      );
      inventoryPath = path.join(scratch, 'sudoer.yml');
      await writeFile(inventoryPath, stringify({ all: { hosts } }));
    });
    after(async () => users?.remove());

    it('asks once before the run, sends it on every host, and never shows it', async () => {
      const results = path.join(scratch, 'become-results.json');
      const pty = startInPty([process.execPath, CLI_MAIN, 'run', '-i', inventoryPath, ...base(), '-s', '-K', '--results', results, '--', 'id -un'], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
      await pty.waitFor(/BECOME password: $/);
      pty.type(`${users.password}\r`);
      expect(await pty.exited, pty.screen()).to.equal(0);
      const screen = pty.screen().replace(/\x1b\[[0-9;]*[mK]/g, '');
      expect(screen.match(/BECOME password:/g)).to.have.length(1);
      expect(screen).to.match(/h01: root\r\n/);
      expect(screen).to.match(/h02: root\r\n/);
      expect(screen).not.to.include(users.password);
      expect(await readFile(results, 'utf8')).not.to.include(users.password);
    });

    it('fails every host with BECOME_FAILED (exit 5) on a wrong password, without hanging', async () => {
      const pty = startInPty([process.execPath, CLI_MAIN, 'run', '-i', inventoryPath, ...base(), '--become', '--ask-become-pass', '--', 'id -un'], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
      await pty.waitFor(/BECOME password: $/);
      pty.type('not-the-password\r');
      expect(await pty.exited, pty.screen()).to.equal(5);
      expect(pty.screen().match(/BECOME_FAILED: become root through sudo failed: the password was refused/g), pty.screen()).to.have.length(2);
    });
  });
});
