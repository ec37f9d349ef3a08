import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('sshpool copy and fetch (the real binary against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const local = tempDirPerTest('sshpool-files-cli-');
  const base = () => ['-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const sshpool = (args: string[]) => runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' } });

  before(async () => {
    fleet = await Fleet.start({ hosts: 2, fileDirs: true });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('copies to every host and fetches back into LOCALDIR/<host>/<path>, one line per host', async () => {
    const file = path.join(local(), 'motd');
    await writeFile(file, 'welcome\n');
    const copied = await sshpool(['copy', ...base(), file, 'motd.txt']);
    expect(copied.code, copied.stderr).to.equal(0);
    expect(copied.stdout).to.match(/^h01: ok 1 files sent \(8 B\), \d+ ms$/m);
    expect(copied.stdout).to.match(/^h02: ok 1 files sent \(8 B\), \d+ ms$/m);
    for (const host of fleet.hosts) expect(await readFile(path.join(host.filesDir!, 'motd.txt'), 'utf8')).to.equal('welcome\n');

    const into = path.join(local(), 'got');
    const fetched = await sshpool(['fetch', ...base(), '-o', 'json', 'motd.txt', into]);
    expect(fetched.code, fetched.stderr).to.equal(0);
    const records = JSON.parse(fetched.stdout) as { host: string; kind: string; detail: { files: number; bytes: number } }[];
    expect(records.map((record) => [record.host, record.kind, record.detail.files, record.detail.bytes])).to.deep.equal([
      ['h01', 'fetch', 1, 8],
      ['h02', 'fetch', 1, 8],
    ]);
    const sum = (text: string) => createHash('sha256').update(text).digest('hex');
    for (const host of ['h01', 'h02']) expect(sum(await readFile(path.join(into, host, 'motd.txt'), 'utf8'))).to.equal(sum('welcome\n'));
  });

  it('exits 5 when a host had a file error, and says which file on stderr', async () => {
    const { code, stdout, stderr } = await sshpool(['fetch', ...base(), 'no-such-file', path.join(local(), 'x')]);
    expect(code).to.equal(5);
    expect(stdout).to.match(/^h01: failed 0 files received/m);
    expect(stderr).to.match(/^h01: FILE_NOT_FOUND: .*no-such-file/m);
  });

  it('refuses a missing local path before any host (exit 2, the path named), and a directory without -r', async () => {
    const missing = path.join(local(), 'absent.conf');
    const refused = await sshpool(['copy', ...base(), missing, 'x']);
    expect(refused.code).to.equal(2);
    expect(refused.stdout).to.equal('');
    expect(refused.stderr).to.include(`${missing}: no such local file or directory`);
    const directory = await sshpool(['copy', ...base(), local(), 'x']);
    expect(directory.code).to.equal(2);
    expect(directory.stderr).to.include('give -r');
  });

  it('refuses a bad --mode or --owner, and a fetch path that climbs with ..', async () => {
    const file = path.join(local(), 'f');
    await writeFile(file, '');
    const mode = await sshpool(['copy', ...base(), '--mode', '9999', file, 'f']);
    expect(mode.code).to.equal(2);
    expect(mode.stderr).to.include('--mode "9999"');
    const owner = await sshpool(['copy', ...base(), '--owner', 'a b', file, 'f']);
    expect(owner.code).to.equal(2);
    const climbing = await sshpool(['fetch', ...base(), '../etc/passwd', local()]);
    expect(climbing.code).to.equal(2);
    expect(climbing.stderr).to.include('..');
  });
});
