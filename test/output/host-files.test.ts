import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { OutputWriteError } from '../../src/output/errors.js';
import { HostFiles, HostFilesError } from '../../src/output/host-files.js';
import { safeFileName } from '../../src/host-file-name.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('per-host output files (--out-tempDir())', () => {
  const tempDir = tempDirPerTest('sshpool-files-');

  it('writes each stream of each host to <host>.out / <host>.err, creating silent hosts empty', async () => {
    const files = HostFiles.create(path.join(tempDir(), 'out'), { maxOpen: 8 });
    files.hostStart('web1');
    files.hostStart('web2');
    files.output('web1', 'stdout', Buffer.from('one\n'));
    files.output('web1', 'stderr', Buffer.from('oops\n'));
    files.output('web1', 'stdout', Buffer.from('two\n'));
    files.hostDone('web1');
    files.hostDone('web2');
    files.close();
    expect((await readdir(path.join(tempDir(), 'out'))).sort()).to.deep.equal(['web1.err', 'web1.out', 'web2.err', 'web2.out']);
    expect(await readFile(path.join(tempDir(), 'out', 'web1.out'), 'utf8')).to.equal('one\ntwo\n');
    expect(await readFile(path.join(tempDir(), 'out', 'web1.err'), 'utf8')).to.equal('oops\n');
    expect(await readFile(path.join(tempDir(), 'out', 'web2.out'), 'utf8')).to.equal('');
  });

  it('keeps at most maxOpen files open, appending when an evicted file is written again', async () => {
    const files = HostFiles.create(tempDir(), { maxOpen: 2 });
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    const hosts = ['a', 'b', 'c', 'd'];
    for (const host of hosts) files.hostStart(host);
    expect(openFds() - before).to.be.at.most(2);
    for (const round of [1, 2]) for (const host of hosts) files.output(host, 'stdout', Buffer.from(`${host}${round}\n`));
    expect(openFds() - before).to.be.at.most(2);
    for (const host of hosts) files.hostDone(host);
    expect(openFds()).to.equal(before);
    files.close();
    for (const host of hosts) expect(await readFile(path.join(tempDir(), `${host}.out`), 'utf8')).to.equal(`${host}1\n${host}2\n`);
  });

  it('empties a file left by an earlier run when its host starts again', async () => {
    for (const text of ['first run, longer\n', 'second\n']) {
      const files = HostFiles.create(tempDir(), { maxOpen: 4 });
      files.hostStart('h');
      files.output('h', 'stdout', Buffer.from(text));
      files.hostDone('h');
      files.close();
    }
    expect(await readFile(path.join(tempDir(), 'h.out'), 'utf8')).to.equal('second\n');
  });

  it('reports a directory it cannot create before the run, and a file it cannot write after it without throwing from output events', async () => {
    await writeFile(path.join(tempDir(), 'a-file'), '');
    expect(() => HostFiles.create(path.join(tempDir(), 'a-file', 'out'), { maxOpen: 2 })).to.throw(HostFilesError, /a-file/);
    const files = HostFiles.create(tempDir(), { maxOpen: 2 });
    await rm(tempDir(), { recursive: true });
    files.hostStart('gone');
    files.output('gone', 'stdout', Buffer.from('x'));
    expect(() => files.close()).to.throw(OutputWriteError, /gone\.out/);
  });

  it('turns host names into safe file names', () => {
    expect(safeFileName('web01.example.com')).to.equal('web01.example.com');
    expect(safeFileName('../etc/passwd')).to.equal('_._etc_passwd');
    expect(safeFileName('user@[::1]:22')).to.equal('user@_::1_:22');
  });

  it('gives hosts whose names encode alike, and names too long for a file name, files of their own', async () => {
    const files = HostFiles.create(tempDir(), { maxOpen: 8 });
    const hosts = ['app+1', 'app=1', 'app_1', `${'x'.repeat(300)}a`, `${'x'.repeat(300)}b`];
    for (const host of hosts) {
      files.hostStart(host);
      files.output(host, 'stdout', Buffer.from(`${host}\n`));
      files.hostDone(host);
    }
    files.close();
    const names = await readdir(tempDir());
    expect(names).to.have.length(hosts.length * 2);
    for (const host of hosts) expect(await readFile(files.fileFor(host, 'stdout'), 'utf8')).to.equal(`${host}\n`);
    expect(names).to.include('app_1.out');
  });
});
