import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCliProcess } from '../helpers/cli-process.js';
import { DockerFleet } from './docker-fleet.js';

describe('sshpool script and become against Docker sshd targets (the real binary, real containers)', function () {
  this.timeout(120_000);
  let fleet: DockerFleet;
  let scratch: string;
  const base = () => ['-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const sshpool = (args: string[]) => runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' } });
  const lines = (text: string) => text.split('\n').filter(Boolean).sort();

  before(async () => {
    fleet = await DockerFleet.start({ hosts: 3 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-docker-script-'));
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('script runs on every target, fails where it exits non-zero, and leaves no temporary directory anywhere', async () => {
    const file = path.join(scratch, 'probe.sh');
    await writeFile(file, '#!/bin/sh\nif [ "$(hostname)" = docker2 ]; then exit 4; fi\necho "$(hostname) $1"\n');
    const run = await sshpool(['script', ...base(), file, '--', 'arg']);
    expect(run.code).to.equal(5);
    expect(lines(run.stdout)).to.deep.equal(['docker1: docker1 arg', 'docker3: docker3 arg']);
    expect(run.stderr.trim()).to.equal('docker2: [failed] exit code 4');
    const left = await sshpool(['run', ...base(), '--', 'ls -d /tmp/sshpool-script-* 2>/dev/null | wc -l']);
    expect(lines(left.stdout)).to.deep.equal(['docker1: 0', 'docker2: 0', 'docker3: 0']);
  });

  it('--become runs as root through the image’s sudo rule, and --become-user as another user', async () => {
    const root = await sshpool(['run', ...base(), '--become', '--', 'id -un']);
    expect(root.code).to.equal(0);
    expect(lines(root.stdout)).to.deep.equal(['docker1: root', 'docker2: root', 'docker3: root']);
    const nobody = await sshpool(['run', ...base(), '-s', '--become-user', 'nobody', '--', 'id -un']);
    expect(lines(nobody.stdout)).to.deep.equal(['docker1: nobody', 'docker2: nobody', 'docker3: nobody']);
  });

  it('script with --become: the script runs as root and its root-owned directory is removed too', async () => {
    const file = path.join(scratch, 'whoami.sh');
    await writeFile(file, '#!/bin/sh\nid -un\nstat -c %U "$(dirname "$0")"\n');
    const run = await sshpool(['script', ...base(), '-s', '-l', 'docker1', file]);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('docker1: root\ndocker1: root\n');
    const left = await sshpool(['run', ...base(), '-s', '-l', 'docker1', '--', 'ls -d /tmp/sshpool-script-* 2>/dev/null | wc -l']);
    expect(left.stdout).to.equal('docker1: 0\n');
  });
});
