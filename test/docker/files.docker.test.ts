import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { runCliProcess } from '../helpers/cli-process.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { DockerFleet } from './docker-fleet.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('sshpool copy and fetch against Docker sshd targets (the real binary, real containers)', function () {
  this.timeout(120_000);
  let fleet: DockerFleet;
  const local = tempDirPerTest('sshpool-docker-files-');
  const base = () => ['-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const sshpool = (args: string[]) => runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' } });

  before(async () => {
    fleet = await DockerFleet.start({ hosts: 3 });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('copies a file to every container and fetches it back unchanged, into one directory per host', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const file = path.join(local(), 'payload.bin');
    await writeFile(file, data);
    const sent = await sshpool(['copy', ...base(), file, '/tmp/payload.bin']);
    expect(sent.code, sent.stderr).to.equal(0);
    const remoteSums = await sshpool(['run', ...base(), '--', 'sha256sum /tmp/payload.bin | cut -d" " -f1']);
    for (const host of fleet.hosts) expect(remoteSums.stdout).to.include(`${host.name}: ${sha256(data)}`);
    const into = path.join(local(), 'back');
    const fetched = await sshpool(['fetch', ...base(), '/tmp/payload.bin', into]);
    expect(fetched.code, fetched.stderr).to.equal(0);
    for (const host of fleet.hosts) expect(sha256(await readFile(path.join(into, host.name, 'tmp', 'payload.bin')))).to.equal(sha256(data));
  });

  it('copies a tree with -r keeping modes; a --checksum re-run reports it unchanged; fetch -r brings it back', async () => {
    const tree = path.join(local(), 'tree');
    await mkdir(path.join(tree, 'bin'), { recursive: true });
    await writeFile(path.join(tree, 'bin', 'tool'), '#!/bin/sh\necho tool\n');
    await writeFile(path.join(tree, 'notes'), 'notes\n');
    await chmod(path.join(tree, 'bin', 'tool'), 0o750);
    await chmod(path.join(tree, 'notes'), 0o600);
    const first = await sshpool(['copy', ...base(), '-r', '--checksum', tree, '/tmp/']);
    expect(first.code, first.stderr).to.equal(0);
    const modes = await sshpool(['run', ...base(), '--', 'stat -c %a /tmp/tree/bin/tool /tmp/tree/notes | tr "\\n" " "']);
    for (const host of fleet.hosts) expect(modes.stdout).to.include(`${host.name}: 750 600`);
    const again = await sshpool(['copy', ...base(), '-r', '--checksum', tree, '/tmp/']);
    expect(again.code, again.stderr).to.equal(0);
    for (const host of fleet.hosts) expect(again.stdout).to.match(new RegExp(`^${host.name}: ok 0 files sent \\(0 B\\), 2 unchanged`, 'm'));
    const into = path.join(local(), 'trees');
    const fetched = await sshpool(['fetch', ...base(), '-r', '/tmp/tree', into]);
    expect(fetched.code, fetched.stderr).to.equal(0);
    for (const host of fleet.hosts) expect((await stat(path.join(into, host.name, 'tmp', 'tree', 'bin', 'tool'))).mode & 0o777).to.equal(0o750);
  });

  it('a target path the login user may not write fails with FILE_PERMISSION_DENIED on every host (exit 5)', async () => {
    const file = path.join(local(), 'x');
    await writeFile(file, 'x\n');
    const { code, stderr } = await sshpool(['copy', ...base(), file, '/etc/sshpool-x']);
    expect(code).to.equal(5);
    for (const host of fleet.hosts) expect(stderr).to.match(new RegExp(`^${host.name}: FILE_PERMISSION_DENIED: `, 'm'));
  });
});
