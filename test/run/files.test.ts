import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, chown, mkdir, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import { hostFileName } from '../../src/host-file-name.js';
import type { HostResult } from '../../src/run/host-result.js';
import { streamFiles } from '../../src/run/host-run.js';
import { copyTask, fetchTask, LocalPathError } from '../../src/tasks/index.js';
import type { CopyTask, FetchTask, FileTransferDetail } from '../../src/tasks/index.js';
import { Fleet } from '../fleet/index.js';
import type { FleetHost } from '../fleet/index.js';
import { runTool } from '../fleet/run-tool.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';
import { rejectionOf } from '../helpers/rejection.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const MIB = 1024 * 1024;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** A file of `bytes` random bytes, written in 1 MiB pieces. */
async function randomFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < bytes; written += MIB) await handle.write(randomBytes(Math.min(MIB, bytes - written)));
  } finally {
    await handle.close();
  }
}

function detailOf(result: HostResult): FileTransferDetail {
  return result.detail as unknown as FileTransferDetail;
}

/** What is left in a directory besides `keep`: a temporary file would show here. */
async function strayFiles(dir: string, keep: readonly string[]): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !keep.includes(name));
}

describe('copy and fetch over SFTP (fleet)', function () {
  this.timeout(120_000);
  let fleet: Fleet;
  const local = tempDirPerTest('sshpool-files-');

  before(async () => {
    fleet = await Fleet.start({ hosts: 3, fileDirs: true });
  });
  after(async () => {
    await fleet?.stop();
  });

  const filesDir = (host: FleetHost): string => host.filesDir as string;
  const run = (task: CopyTask | FetchTask, onBytes?: (bytes: number) => void): Promise<HostResult[]> => {
    const files = streamFiles(inventoryHostsFor(fleet), task, isolatedOptions(fleet));
    if (onBytes) files.on('transfer', ({ bytes }) => onBytes(bytes));
    return files.results;
  };

  it('sends a 50 MiB file to every host and fetches it back: the checksums match, the bytes are counted', async () => {
    const source = path.join(local(), 'big.bin');
    await randomFile(source, 50 * MIB);
    const expected = await sha256Of(source);
    let counted = 0;
    const sent = await run(await copyTask([source], 'big.bin'), (bytes) => (counted += bytes));
    for (const result of sent) {
      expect(result.status, JSON.stringify(result.error)).to.equal('ok');
      expect(result.kind).to.equal('copy');
      expect(detailOf(result)).to.deep.include({ files: 1, bytes: 50 * MIB, unchanged: 0, errors: [] });
    }
    expect(counted).to.equal(3 * 50 * MIB);
    for (const host of fleet.hosts) {
      expect(await sha256Of(path.join(filesDir(host), 'big.bin'))).to.equal(expected);
      expect(await strayFiles(filesDir(host), ['big.bin'])).to.deep.equal([]);
    }

    const into = path.join(local(), 'fetched');
    const fetched = await run(fetchTask(['big.bin'], into));
    for (const result of fetched) {
      expect(result.status, JSON.stringify(result.error)).to.equal('ok');
      expect(detailOf(result)).to.deep.include({ files: 1, bytes: 50 * MIB });
      expect(await sha256Of(path.join(into, hostFileName(result.host, ''), 'big.bin'))).to.equal(expected);
    }
    expect((await readdir(into)).sort()).to.deep.equal(fleet.hosts.map((host) => host.name));
  });

  it('sends files whole at the sizes where requests and packets split: empty, 1 byte, a packet, a request, the window, each ±1', async () => {
    // OpenSSH's WRITE header (with its 4-byte handle) is 29 bytes: the first
    // 32 KiB packet of a request carries 32,739 bytes of data; a request 255 KiB;
    // the 8 in flight 2,040 KiB.
    const packet = 32 * 1024 - 29;
    const request = 255 * 1024;
    const sizes = [0, 1, packet - 1, packet, packet + 1, request - 1, request, request + 1, 2 * request + packet, 8 * request - 1, 8 * request, 8 * request + 1];
    const tree = path.join(local(), 'sizes');
    await mkdir(tree);
    const expected = new Map<string, string>();
    for (const size of sizes) {
      const data = randomBytes(size);
      await writeFile(path.join(tree, `${size}.bin`), data);
      expected.set(`${size}.bin`, createHash('sha256').update(data).digest('hex'));
    }
    const results = await run(await copyTask([tree], '.', { recursive: true }));
    for (const result of results) {
      expect(result.status, JSON.stringify(result.error)).to.equal('ok');
      expect(detailOf(result)).to.deep.include({ files: sizes.length, bytes: sizes.reduce((sum, size) => sum + size, 0) });
    }
    for (const host of fleet.hosts) {
      for (const [name, sum] of expected) expect(await sha256Of(path.join(filesDir(host), 'sizes', name)), `${host.name}: ${name}`).to.equal(sum);
      // The later tests count what else is in the host's directory.
      await rm(path.join(filesDir(host), 'sizes'), { recursive: true });
    }
  });

  it('sends a directory tree with -r, keeping modes, and --preserve keeps the times; fetch -r brings it back the same', async () => {
    const tree = path.join(local(), 'site');
    await mkdir(path.join(tree, 'bin'), { recursive: true });
    await mkdir(path.join(tree, 'private'));
    await writeFile(path.join(tree, 'index.html'), '<p>hi</p>\n');
    await writeFile(path.join(tree, 'bin', 'run.sh'), '#!/bin/sh\necho run\n');
    await writeFile(path.join(tree, 'private', 'key'), 'secret\n');
    await chmod(path.join(tree, 'index.html'), 0o644);
    await chmod(path.join(tree, 'bin', 'run.sh'), 0o750);
    await chmod(path.join(tree, 'private', 'key'), 0o600);
    await chmod(path.join(tree, 'private'), 0o700);
    await chmod(tree, 0o755);
    const mtime = new Date('2020-02-02T02:02:02Z');
    await utimes(path.join(tree, 'bin', 'run.sh'), mtime, mtime);
    await utimes(path.join(tree, 'bin'), mtime, mtime);

    const results = await run(await copyTask([tree], '.', { recursive: true, preserve: true }));
    for (const result of results) expect(result.status, JSON.stringify(result.error)).to.equal('ok');
    for (const host of fleet.hosts) {
      const remote = path.join(filesDir(host), 'site');
      const modeOf = async (relative: string): Promise<number> => (await stat(path.join(remote, relative))).mode & 0o7777;
      expect(await modeOf('.')).to.equal(0o755);
      expect(await modeOf('index.html')).to.equal(0o644);
      expect(await modeOf('bin/run.sh')).to.equal(0o750);
      expect(await modeOf('private')).to.equal(0o700);
      expect(await modeOf('private/key')).to.equal(0o600);
      expect((await stat(path.join(remote, 'bin', 'run.sh'))).mtime.toISOString()).to.equal(mtime.toISOString());
      expect((await stat(path.join(remote, 'bin'))).mtime.toISOString()).to.equal(mtime.toISOString());
    }

    const into = path.join(local(), 'back');
    const fetched = await run(fetchTask(['site'], into, { recursive: true, preserve: true }));
    for (const result of fetched) {
      expect(result.status, JSON.stringify(result.error)).to.equal('ok');
      expect(detailOf(result).files).to.equal(3);
      const back = path.join(into, result.host, 'site');
      expect(await readFile(path.join(back, 'private', 'key'), 'utf8')).to.equal('secret\n');
      expect((await stat(path.join(back, 'bin', 'run.sh'))).mode & 0o777).to.equal(0o750);
      expect((await stat(path.join(back, 'bin', 'run.sh'))).mtime.toISOString()).to.equal(mtime.toISOString());
    }
  });

  it('--checksum: a re-run reports every file unchanged and sends nothing; a changed file is sent again', async () => {
    const tree = path.join(local(), 'conf');
    await mkdir(tree);
    await writeFile(path.join(tree, 'a.conf'), 'a=1\n');
    await writeFile(path.join(tree, 'b.conf'), 'b=1\n');
    const first = await run(await copyTask([tree], '.', { recursive: true, checksum: true }));
    for (const result of first) expect(detailOf(result)).to.deep.include({ files: 2, unchanged: 0 });

    const again = await run(await copyTask([tree], '.', { recursive: true, checksum: true }));
    for (const result of again) {
      expect(result.status).to.equal('ok');
      expect(detailOf(result)).to.deep.include({ files: 0, bytes: 0, unchanged: 2 });
    }

    // Same size, other content: only the hash tells them apart.
    await writeFile(path.join(tree, 'b.conf'), 'b=2\n');
    const changed = await run(await copyTask([tree], '.', { recursive: true, checksum: true }));
    for (const result of changed) expect(detailOf(result)).to.deep.include({ files: 1, bytes: 4, unchanged: 1 });
    for (const host of fleet.hosts) expect(await readFile(path.join(filesDir(host), 'conf', 'b.conf'), 'utf8')).to.equal('b=2\n');
  });

  it('--mode and --owner are applied on the host after the rename', async () => {
    const file = path.join(local(), 'app.conf');
    await writeFile(path.join(file), 'x\n', { mode: 0o644 });
    const results = await run(await copyTask([file], 'app.conf', { mode: 'u=rw,g=r,o=', owner: fleet.user }));
    for (const result of results) expect(result.status, JSON.stringify(result.error)).to.equal('ok');
    for (const host of fleet.hosts) expect((await stat(path.join(filesDir(host), 'app.conf'))).mode & 0o777).to.equal(0o640);

    const refused = await run(await copyTask([file], 'app.conf', { owner: 'root' }));
    for (const result of refused) {
      expect(result.status).to.equal('failed');
      expect(result.error?.code).to.equal('FILE_ATTRIBUTES_FAILED');
      expect(result.error?.message).to.match(/chown root .*app\.conf/);
    }
  });

  it('a full disk and a permission denied fail their own hosts with their own codes; the others go on, the old file stays whole', async function () {
    const [healthy, full, denied] = fleet.hosts as [FleetHost, FleetHost, FleetHost];
    const source = path.join(local(), 'two.bin');
    await randomFile(source, 2 * MIB);
    const loginUid = Number((await runTool('id', ['-u', fleet.user])).stdout.trim());
    const mounted = await runTool('mount', ['-t', 'tmpfs', '-o', `size=1m,mode=0755,uid=${loginUid}`, 'tmpfs', filesDir(full)]);
    if (mounted.exitCode !== 0) this.skip();
    try {
      await writeFile(path.join(filesDir(full), 'two.bin'), 'old\n');
      await chown(filesDir(denied), 0, 0);
      const results = await run(await copyTask([source], 'two.bin'));
      const byHost = new Map(results.map((result) => [result.host, result]));
      expect(byHost.get(healthy.name)?.status).to.equal('ok');
      expect(byHost.get(full.name)?.status).to.equal('failed');
      expect(byHost.get(full.name)?.error?.code).to.equal('FILE_NO_SPACE');
      expect(byHost.get(full.name)?.error?.message).to.include('two.bin');
      expect(detailOf(byHost.get(full.name)!).errors.map((error) => error.code)).to.deep.equal(['FILE_NO_SPACE']);
      expect(byHost.get(denied.name)?.status).to.equal('failed');
      expect(byHost.get(denied.name)?.error?.code).to.equal('FILE_PERMISSION_DENIED');
      // The target never saw half a file, and the temporary file is gone.
      expect(await readFile(path.join(filesDir(full), 'two.bin'), 'utf8')).to.equal('old\n');
      expect(await strayFiles(filesDir(full), ['two.bin'])).to.deep.equal([]);
      expect(documentedErrorCodes()).to.include.members(['FILE_NO_SPACE', 'FILE_PERMISSION_DENIED']);
    } finally {
      await runTool('umount', [filesDir(full)]);
      await chown(filesDir(denied), loginUid, 0);
    }
  });

  it('a remote directory where a file is expected: that file fails with FILE_IS_DIRECTORY, the host\'s other files go', async () => {
    const tree = path.join(local(), 'mixed');
    await mkdir(tree);
    await writeFile(path.join(tree, 'a'), 'a\n');
    await writeFile(path.join(tree, 'b'), 'b\n');
    const [first] = fleet.hosts as [FleetHost];
    await mkdir(path.join(filesDir(first), 'mixed', 'a'), { recursive: true });
    await chown(path.join(filesDir(first), 'mixed'), Number((await runTool('id', ['-u', fleet.user])).stdout.trim()), 0);
    const results = await run(await copyTask([tree], '.', { recursive: true }));
    const failed = results.find((result) => result.host === first.name)!;
    expect(failed.status).to.equal('failed');
    expect(failed.error?.code).to.equal('FILE_IS_DIRECTORY');
    expect(detailOf(failed)).to.deep.include({ files: 1 });
    for (const result of results.filter((r) => r !== failed)) expect(detailOf(result)).to.deep.include({ files: 2, errors: [] });

    const fetched = await run(fetchTask(['mixed'], path.join(local(), 'f')));
    for (const result of fetched) expect(result.error?.code).to.equal('FILE_IS_DIRECTORY');
  });

  it('copies to and fetches from a local host (ansible_connection: local) through node:fs, the same way', async () => {
    const me = { name: 'me', vars: { ansible_connection: 'local' }, groups: ['all', 'ungrouped'] };
    const tree = path.join(local(), 'tree');
    await mkdir(tree);
    await writeFile(path.join(tree, 'run.sh'), 'echo hi\n', { mode: 0o700 });
    const target = path.join(local(), 'target');
    await mkdir(target);
    const [copied] = await streamFiles([me], await copyTask([tree], target, { recursive: true, checksum: true }), isolatedOptions(fleet)).results;
    expect(copied?.status, JSON.stringify(copied?.error)).to.equal('ok');
    expect((await stat(path.join(target, 'tree', 'run.sh'))).mode & 0o777).to.equal(0o700);
    const [again] = await streamFiles([me], await copyTask([tree], target, { recursive: true, checksum: true }), isolatedOptions(fleet)).results;
    expect(detailOf(again!)).to.deep.include({ files: 0, unchanged: 1 });
    const [fetched] = await streamFiles([me], fetchTask([path.join(target, 'tree', 'run.sh')], path.join(local(), 'got')), isolatedOptions(fleet)).results;
    expect(fetched?.status, JSON.stringify(fetched?.error)).to.equal('ok');
    expect(await readFile(path.join(local(), 'got', 'me', local().slice(1), 'target', 'tree', 'run.sh'), 'utf8')).to.equal('echo hi\n');
  });

  it('a run stopped mid-transfer records ABORTED and leaves no temporary file on the host', async () => {
    const source = path.join(local(), 'stopped.bin');
    await randomFile(source, 50 * MIB);
    const [host] = fleet.hosts as [FleetHost];
    const files = streamFiles(inventoryHostsFor(fleet, [host]), await copyTask([source], 'stopped.bin'), isolatedOptions(fleet));
    files.once('transfer', () => files.stop());
    const [result] = await files.results;
    expect(result?.status).to.equal('failed');
    expect(result?.error?.code).to.equal('ABORTED');
    expect(await strayFiles(filesDir(host), ['big.bin', 'site', 'conf', 'app.conf', 'two.bin', 'mixed'])).to.deep.equal([]);
  });

  it('refuses a missing local path before any host is contacted, naming the path', async () => {
    const missing = path.join(local(), 'no-such-file');
    const error = await rejectionOf(copyTask([missing], 'x'));
    expect(error).to.be.instanceOf(LocalPathError);
    expect(error).to.include({ code: 'LOCAL_PATH_MISSING', path: missing });
    expect((error as Error).message).to.include(missing);
    const directory = await rejectionOf(copyTask([local()], 'x'));
    expect(directory).to.include({ code: 'LOCAL_PATH_UNSUPPORTED' });
    expect(documentedErrorCodes()).to.include.members(['LOCAL_PATH_MISSING', 'LOCAL_PATH_UNSUPPORTED', 'FILE_IS_DIRECTORY', 'FILE_ATTRIBUTES_FAILED', 'FILE_NOT_FOUND']);
    expect((directory as Error).message).to.include('-r');
  });
});
