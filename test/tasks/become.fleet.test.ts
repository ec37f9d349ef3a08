import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand, streamFiles, streamScript } from '../../src/run/host-run.js';
import { copyTask } from '../../src/tasks/index.js';
import type { HostResult } from '../../src/run/host-result.js';
import { Secret } from '../../src/secret.js';
import { becomeUnavailable, Fleet, OTHER_USER, setUpBecomeUsers, SUDOER } from '../fleet/index.js';
import type { BecomeUsers } from '../fleet/index.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

describe('become: sudo, su and doas with a password sent on the prompt (a real sshd fleet, Debian sudo)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let users: BecomeUsers;

  before(async function () {
    const missing = await becomeUnavailable();
    if (missing) this.skip();
    users = await setUpBecomeUsers();
    fleet = await Fleet.start({ hosts: 2 });
  });
  after(async () => {
    await fleet?.stop();
    await users?.remove();
  });

  /** The fleet's hosts, logged in as SUDOER, with these vars on top. */
  const hosts = (vars: Record<string, unknown> = {}) =>
    inventoryHostsFor(fleet).map((host) => ({ ...host, vars: { ...host.vars, ansible_user: SUDOER, ...vars } }));
  const okOutput = (results: readonly HostResult[]) => {
    for (const result of results) expect(result, JSON.stringify(result)).to.include({ status: 'ok', exitCode: 0 });
    return results.map((result) => result.stdout);
  };

  it('runs as root through sudo with ansible_become_password, answering the unique prompt; the output has no prompt or marker', async () => {
    const results = await runCommand(hosts({ ansible_become: true, ansible_become_password: users.password }), 'id -un; echo out; echo err >&2', isolatedOptions(fleet));
    expect(okOutput(results)).to.deep.equal(['root\nout\n', 'root\nout\n']);
    for (const result of results) {
      expect(result.stderr).to.equal('err\n');
      expect(result.command).to.equal('id -un; echo out; echo err >&2');
      expect(JSON.stringify(result)).not.to.include(users.password);
    }
  });

  it('takes the run options (the CLI flags) over the inventory: become, become user and the asked password', async () => {
    const options = { ...isolatedOptions(fleet), become: true, becomeUser: OTHER_USER, becomePassword: new Secret(users.password) };
    const results = await runCommand(hosts({ ansible_become: false, ansible_become_password: 'not-it' }), 'id -un', options);
    expect(okOutput(results)).to.deep.equal([`${OTHER_USER}\n`, `${OTHER_USER}\n`]);
  });

  it('reads ansible_sudo_pass and ansible_become_user as Ansible does', async () => {
    const results = await runCommand(hosts({ ansible_become: 'yes', ansible_sudo_pass: users.password, ansible_become_user: OTHER_USER }), 'id -un', isolatedOptions(fleet));
    expect(okOutput(results)).to.deep.equal([`${OTHER_USER}\n`, `${OTHER_USER}\n`]);
  });

  it('fails a wrong password with BECOME_FAILED at the second prompt, without waiting for a timeout, and the command never runs', async () => {
    const started = Date.now();
    const results = await runCommand(hosts({ ansible_become: true, ansible_become_password: 'wrong-password' }), 'echo ran', isolatedOptions(fleet));
    expect(Date.now() - started).to.be.below(15_000);
    for (const result of results) {
      expect(result, JSON.stringify(result)).to.include({ status: 'failed', stdout: '', exitCode: null, signal: null });
      expect(result.error?.code).to.equal('BECOME_FAILED');
      expect(result.error?.message).to.match(/password was refused/);
      expect(JSON.stringify(result)).not.to.include('wrong-password');
    }
    expect(documentedErrorCodes()).to.include('BECOME_FAILED');
  });

  it('fails with BECOME_FAILED, naming what to give, when sudo wants a password and none was given (sudo -n, never a hang)', async () => {
    const [result] = await runCommand(hosts({ ansible_become: true }).slice(0, 1), 'echo ran', isolatedOptions(fleet));
    expect(result, JSON.stringify(result)).to.include({ status: 'failed', stdout: '' });
    expect(result!.error?.code).to.equal('BECOME_FAILED');
    expect(result!.error?.message).to.match(/a password is required/);
  });

  it('sends -I input to the command after the password, never mixed with it', async () => {
    const options = { ...isolatedOptions(fleet), become: true, becomePassword: new Secret(users.password), stdin: Buffer.from('line one\nline two\n') };
    expect(okOutput(await runCommand(hosts(), 'id -un; cat', options))).to.deep.equal(['root\nline one\nline two\n', 'root\nline one\nline two\n']);
  });

  it('runs a script as another user: uploaded, run and removed as that user', async () => {
    const options = { ...isolatedOptions(fleet), become: true, becomeUser: OTHER_USER, becomePassword: new Secret(users.password) };
    const script = Buffer.from('#!/bin/sh\nid -un\nstat -c %U:%a "$0" "$(dirname "$0")"\necho "$0" > /tmp/sshpool-become-script-path\n');
    const results = await streamScript(hosts().slice(0, 1), script, [], options).results;
    const [result] = results;
    expect(result, JSON.stringify(result)).to.include({ status: 'ok' });
    expect(result!.stdout).to.equal(`${OTHER_USER}\n${OTHER_USER}:700\n${OTHER_USER}:700\n`);
    const left = await runCommand(hosts().slice(0, 1), 'p=$(cat /tmp/sshpool-become-script-path); test -e "$p" || test -e "$(dirname "$p")"; echo $?', options);
    expect(left[0]!.stdout).to.equal('1\n');
  });

  it("applies copy's --owner through become: the file is sent as the login user, then chown'd by root", async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-become-copy-'));
    const remote = path.join(tmpdir(), `sshpool-become-copy-${randomBytes(6).toString('hex')}.conf`);
    try {
      const file = path.join(scratch, 'app.conf');
      await writeFile(file, 'x=1\n');
      const task = await copyTask([file], remote, { owner: 'root:root', mode: '0600' });
      const withoutBecome = await streamFiles(hosts().slice(0, 1), task, isolatedOptions(fleet)).results;
      expect(withoutBecome[0]?.error?.code, JSON.stringify(withoutBecome[0])).to.equal('FILE_ATTRIBUTES_FAILED');
      const options = { ...isolatedOptions(fleet), become: true, becomePassword: new Secret(users.password) };
      const [result] = await streamFiles(hosts().slice(0, 1), task, options).results;
      expect(result, JSON.stringify(result)).to.include({ status: 'ok' });
      expect(JSON.stringify(result)).not.to.include(users.password);
      const written = await stat(remote);
      expect({ uid: written.uid, gid: written.gid, mode: written.mode & 0o777 }).to.deep.equal({ uid: 0, gid: 0, mode: 0o600 });
    } finally {
      await rm(scratch, { recursive: true, force: true });
      await rm(remote, { force: true });
    }
  });

  it('goes through su with the password on a terminal (su reads it from one only)', async () => {
    // su asks for the target user's password, and SUDOER's is the one the test knows: it becomes itself through su.
    const options = { ...isolatedOptions(fleet), become: true, becomeMethod: 'su' as const, becomeUser: SUDOER, becomePassword: new Secret(users.password) };
    const [result] = await runCommand(hosts().slice(0, 1), 'id -un', options);
    expect(result, JSON.stringify(result)).to.include({ status: 'ok' });
    expect(result!.stdout.replace(/\r/g, '')).to.equal(`${SUDOER}\n`);
  });

  it('goes through doas with the password on a terminal', async function () {
    if (!users.doas) this.skip();
    const options = { ...isolatedOptions(fleet), become: true, becomeMethod: 'doas' as const, becomePassword: new Secret(users.password) };
    const [result] = await runCommand(hosts().slice(0, 1), 'id -un', options);
    expect(result, JSON.stringify(result)).to.include({ status: 'ok' });
    expect(result!.stdout.replace(/\r/g, '')).to.equal('root\n');
  });
});
