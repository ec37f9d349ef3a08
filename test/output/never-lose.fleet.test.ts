import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { ResultsDocument } from '../../src/output/results-file.js';
import { Fleet } from '../fleet/index.js';
import { CLI_MAIN, runCliProcess } from '../helpers/cli-process.js';

const run = promisify(execFile);

/**
 * What a run gathered is not lost to a local fault: a full disk under
 * --out-dir, an unwritable or misnamed output path (refused before any host is
 * contacted), a descriptor limit too low for --out-dir (the real CLI against
 * a real sshd). Output too large to be one string, 600 hosts x 1 MiB, takes
 * longer than a test should: `npm run bench:large-output` runs it.
 */
describe('never losing what a run gathered (the real binary against a real sshd)', function () {
  this.timeout(120_000);
  let fleet: Fleet;
  let scratch: string;
  const env = { ...process.env, SSH_AUTH_SOCK: '' };
  const sshpool = (args: string[]) => runCliProcess(args, { env });
  const base = (inventory: string) => ['-i', inventory, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '-q'];
  /** `count` inventory names, all served by the fleet's one sshd. */
  const inventoryOf = async (name: string, count: number): Promise<string> => {
    const host = fleet.hosts[0]!;
    const file = path.join(scratch, name);
    const width = Math.max(2, String(count).length);
    const vars = `{ ansible_host: ${host.address}, ansible_port: ${host.port}, ansible_user: ${fleet.user}, ansible_ssh_private_key_file: '${fleet.userKeyPath}' }`;
    const hosts = Array.from({ length: count }, (_, i) => `    h${String(i + 1).padStart(width, '0')}: ${vars}`);
    await writeFile(file, `all:\n  hosts:\n${hosts.join('\n')}\n`);
    return file;
  };

  before(async () => {
    fleet = await Fleet.start({ hosts: 1 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-never-lose-'));
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  describe('a disk that fills up under --out-dir', () => {
    let mount: string | undefined;
    before(async function () {
      mount = path.join(scratch, 'small-disk');
      await mkdir(mount);
      try {
        await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
      } catch (error) {
        mount = undefined;
        // eslint-disable-next-line no-console
        console.log(`      (skipped: cannot mount a small tmpfs here: ${(error as Error).message.split('\n')[0]})`);
        this.skip();
      }
    });
    after(async () => {
      if (mount) await run('umount', [mount]);
    });

    it("reports the files it could not write, keeps the other hosts' files and the results, and exits 1, not 2", async () => {
      const inventory = await inventoryOf('disk.yaml', 3);
      const results = path.join(scratch, 'disk-results.json');
      // Hosts run one after the other, 100 kB each on a 256 kB disk: h01's and h02's files fit, h03's does not.
      const { code, stderr } = await sshpool([
        'run', ...base(inventory), '-f', '1', '--out-dir', mount!, '--results', results, '--', 'head -c 100000 /dev/zero | tr "\\0" x',
      ]);
      expect(stderr).to.match(/\[OUTPUT_WRITE\]/);
      expect(stderr).to.match(/cannot write .*h03\.out: .*(No space left on device|ENOSPC)/);
      expect(stderr).to.not.match(/h0[12]\.out/);
      expect(code, stderr).to.equal(1);
      for (const host of ['h01', 'h02']) expect((await readFile(path.join(mount!, `${host}.out`), 'utf8')).length, host).to.equal(100_000);
      const document = JSON.parse(await readFile(results, 'utf8')) as ResultsDocument;
      expect(document.complete).to.equal(true);
      expect(document.results.map((r) => [r.host, r.status, r.stdout.length])).to.deep.equal([['h01', 'ok', 100_000], ['h02', 'ok', 100_000], ['h03', 'ok', 100_000]]);
    });
  });

  it('checks --report, --results and --out-dir before any host is contacted: exit 2 and nothing runs', async () => {
    const inventory = await inventoryOf('paths.yaml', 2);
    const marker = path.join(scratch, 'ran');
    const touch = `touch ${marker}`;
    const cases: Array<[string[], RegExp]> = [
      [['--report', path.join(scratch, 'no-such-dir', 'r.html')], /--report .*no-such-dir.* cannot be written/],
      [['--report', scratch], /--report .* is a directory/],
      [['--results', tmpdir()], /results file .* is a directory/],
      [['--results', path.join(scratch, 'no-such-dir', 'r.json')], /cannot write the results file/],
      [['--out-dir', path.join(inventory, 'sub')], /cannot create the output directory/],
    ];
    for (const [flags, message] of cases) {
      const { code, stderr } = await sshpool(['run', ...base(inventory), ...flags, '--', touch]);
      expect(code, `${flags.join(' ')}: ${stderr}`).to.equal(2);
      expect(stderr, flags.join(' ')).to.match(message);
      expect(await stat(marker).catch(() => undefined), `${flags.join(' ')} ran a command`).to.equal(undefined);
    }
  });

  it('counts the files --out-dir keeps open against ulimit -n before the run', async () => {
    const inventory = await inventoryOf('many.yaml', 900);
    const shell = (flags: string[]) =>
      run('sh', ['-c', 'ulimit -n 1024 && exec "$0" "$@"', process.execPath, CLI_MAIN, 'run', ...base(inventory), '-f', '900', ...flags, '--', 'true'], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const withFiles = await shell(['--out-dir', path.join(scratch, 'fd-out')]);
    expect(withFiles.code).to.equal(2);
    expect(withFiles.stderr).to.match(/--forks 900 needs about 2764 open files, but this process may open 1024/);
    expect(await readdir(scratch)).to.not.include('fd-out');
  });
});
