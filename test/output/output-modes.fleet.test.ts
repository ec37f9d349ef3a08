import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { ResultsDocument } from '../../src/output/results-file.js';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet } from '../fleet/index.js';
import { CLI_MAIN, runCliProcess } from '../helpers/cli-process.js';

/** Inventory names that fold into more than one range and pattern; db1 is the odd one out. */
const NAMES = ['web01', 'web02', 'web03', 'web07', 'db1'];

describe('output modes of sshpool run / ping (the real binary against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let inventory: string;
  /** A command that prints "web" everywhere but on db1, which prints "db" and exits 3 (told apart by sshd's port). */
  let command: string;
  const env = { ...process.env, SSH_AUTH_SOCK: '' };
  const base = () => ['-i', inventory, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const sshpool = (args: string[]) => runCliProcess(args, { env });
  const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;

  before(async () => {
    fleet = await Fleet.start({ hosts: NAMES.length });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-output-'));
    inventory = path.join(scratch, 'hosts.yaml');
    const lines = fleet.hosts.map(
      (host, i) =>
        `    ${NAMES[i]}: { ansible_host: ${host.address}, ansible_port: ${host.port}, ansible_user: ${fleet.user}, ansible_ssh_private_key_file: '${fleet.userKeyPath}' }`,
    );
    await writeFile(inventory, `all:\n  hosts:\n${lines.join('\n')}\n`);
    const dbPort = fleet.hosts[4]!.port;
    command = `if [ "\${SSH_CONNECTION##* }" = ${dbPort} ]; then echo db; echo db-warning >&2; exit 3; fi; echo web; echo up`;
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('-o gathered groups identical output under a folded host set, the failure apart with its exit code', async () => {
    const { code, stdout, stderr } = await sshpool(['run', ...base(), '-o', 'gathered', '--', command]);
    expect(code).to.equal(5);
    expect(stdout).to.equal(
      '---------------\nweb[01-03,07] (4)\n---------------\nweb\nup\n' + '---------------\ndb1 (1) [failed] exit code 3\n---------------\ndb\n',
    );
    expect(stderr).to.equal('---------------\ndb1 (1)\n---------------\ndb-warning\n');
    const short = await sshpool(['run', ...base(), '-b', '-l', 'web*', '--', 'echo same']);
    expect(short.stdout).to.equal('---------------\nweb[01-03,07] (4)\n---------------\nsame\n');
  });

  it("--diff prints each group's output as a unified diff against the largest group's, stdout and stderr apart (clush --diff)", async () => {
    const { code, stdout, stderr } = await sshpool(['run', ...base(), '--diff', '--', command]);
    expect(code).to.equal(5);
    expect(stdout).to.equal('--- web[01-03,07] (4)\n+++ db1 [failed] exit code 3\n@@ -1,2 +1 @@\n-web\n-up\n+db\n');
    expect(stderr).to.equal('--- web[01-03,07] (4)\n+++ db1\n@@ -0,0 +1 @@\n+db-warning\n');
    const same = await sshpool(['run', ...base(), '--diff', '-l', 'web*', '--', 'echo same']);
    expect([same.code, same.stdout]).to.deep.equal([0, '']);
    const contradiction = await sshpool(['run', ...base(), '--diff', '-o', 'json', '--', 'true']);
    expect(contradiction.code).to.equal(2);
    expect(contradiction.stderr).to.include('--diff is -o gathered; it cannot go with -o json');
  });

  it('-o json prints only one array of records, in inventory order', async () => {
    const { code, stdout, stderr } = await sshpool(['run', ...base(), '-o', 'json', '--', command]);
    expect(code).to.equal(5);
    const records = JSON.parse(stdout) as HostResult[];
    expect(records.map((r) => [r.host, r.status, r.exitCode, r.stdout])).to.deep.equal([
      ['web01', 'ok', 0, 'web\nup\n'],
      ['web02', 'ok', 0, 'web\nup\n'],
      ['web03', 'ok', 0, 'web\nup\n'],
      ['web07', 'ok', 0, 'web\nup\n'],
      ['db1', 'failed', 3, 'db\n'],
    ]);
    expect(stderr).to.equal('');
  });

  it('-o ndjson prints one record per line as hosts finish, and nothing else', async () => {
    const { stdout } = await sshpool(['run', ...base(), '-o', 'ndjson', '--summary', '--', command]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).to.have.length(5);
    expect(lines.map((line) => (JSON.parse(line) as HostResult).host).sort()).to.deep.equal([...NAMES].sort());
  });

  it('--summary prints counts, the slowest hosts and the failing ones on stderr, leaving stdout to the mode', async () => {
    const { stdout, stderr } = await sshpool(['run', ...base(), '-o', 'json', '--summary', '--', command]);
    expect(() => JSON.parse(stdout)).not.to.throw();
    expect(stderr).to.match(/^summary: 5 hosts: 4 ok, 1 failed in [\d.]+ m?s\nslowest: (\w+ [\d.]+ m?s, ){4}\w+ [\d.]+ m?s\n\[failed\] exit code 3: db1 \(1\)\n$/);
    const quiet = await sshpool(['run', ...base(), '-o', 'json', '--summary', '-q', '--', command]);
    expect(quiet.stderr).to.equal('');
  });

  it('--out-dir writes every host’s stdout and stderr to its own files', async () => {
    const dir = path.join(scratch, 'out');
    const { code } = await sshpool(['run', ...base(), '-f', '2', '--out-dir', dir, '-o', 'json', '--', command]);
    expect(code).to.equal(5);
    expect((await readdir(dir)).sort()).to.deep.equal(NAMES.flatMap((name) => [`${name}.err`, `${name}.out`]).sort());
    expect(await readFile(path.join(dir, 'web07.out'), 'utf8')).to.equal('web\nup\n');
    expect(await readFile(path.join(dir, 'web07.err'), 'utf8')).to.equal('');
    expect(await readFile(path.join(dir, 'db1.err'), 'utf8')).to.equal('db-warning\n');
  });

  it('--results and --report write their files; --retry-failed reruns exactly the failed hosts, one attempt later', async () => {
    const results = path.join(scratch, 'results.json');
    const report = path.join(scratch, 'report.html');
    const first = await sshpool(['run', ...base(), '-q', '--results', results, '--report', report, '--', command]);
    expect(first.code).to.equal(5);
    const document = await readJson<ResultsDocument>(results);
    expect(document.complete).to.equal(true);
    expect(document.hosts).to.deep.equal(NAMES);
    expect(document.results.map((r) => [r.host, r.status, r.attempt])).to.deep.equal([...NAMES.slice(0, 4).map((n) => [n, 'ok', 1]), ['db1', 'failed', 1]]);
    const html = await readFile(report, 'utf8');
    expect(html.match(/<button class="bar /g)).to.have.length(5);
    for (const name of NAMES) expect(html).to.include(`<td>${name}</td>`);

    const retried = path.join(scratch, 'retried.json');
    const retry = await sshpool(['run', ...base(), '-o', 'json', '--retry-failed', results, '--results', retried, '--', command]);
    expect(retry.code).to.equal(5);
    expect((JSON.parse(retry.stdout) as HostResult[]).map((r) => [r.host, r.attempt])).to.deep.equal([['db1', 2]]);
    expect((await readJson<ResultsDocument>(retried)).hosts).to.deep.equal(['db1']);
    const again = await sshpool(['run', ...base(), '-o', 'json', '--retry-failed', retried, '--', command]);
    expect((JSON.parse(again.stdout) as HostResult[]).map((r) => [r.host, r.attempt])).to.deep.equal([['db1', 3]]);

    const fixed = await sshpool(['run', ...base(), '-o', 'json', '--retry-failed', results, '--results', retried, '--', 'true']);
    expect(fixed.code).to.equal(0);
    const nothingLeft = await sshpool(['run', ...base(), '--retry-failed', retried, '--', 'true']);
    expect(nothingLeft.code).to.equal(0);
    expect(nothingLeft.stderr).to.include('nothing to retry');
    const limited = await sshpool(['run', ...base(), '-o', 'json', '-l', 'web*', '--retry-failed', results, '--', 'true']);
    expect(limited.code).to.equal(0);
    expect(limited.stderr).to.include('nothing to retry');
  });

  it('still writes a valid, complete results file with every host when interrupted (SIGINT, forks 1)', async () => {
    const results = path.join(scratch, 'interrupted.json');
    let sent = false;
    const run = await runCliProcess(['run', ...base(), '-f', '1', '--results', results, '--', 'echo started; sleep 20'], {
      env,
      onSpawn: (child) =>
        child.stdout?.on('data', () => {
          if (!sent) child.kill('SIGINT');
          sent = true;
        }),
    });
    expect(run.code).to.equal(3);
    const document = await readJson<ResultsDocument>(results);
    expect(document.complete).to.equal(true);
    expect(document.results.map((r) => r.host)).to.deep.equal(NAMES);
    expect(document.results[0]?.error?.code).to.equal('ABORTED');
    expect(document.results.slice(1).map((r) => r.status)).to.deep.equal(['skipped', 'skipped', 'skipped', 'skipped']);
    expect((await readdir(scratch)).filter((name) => name.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('on a terminal, draws progress on stderr between output lines, never inside one, then the summary', async () => {
    // script(1) gives the child a pty (never sized, so it reports 0 columns) and copies what it writes.
    const line = [process.execPath, CLI_MAIN, 'run', ...base(), '-f', '2', '--', "'echo a; sleep 0.7; echo b'"].join(' ');
    const output = await new Promise<string>((resolve, reject) =>
      execFile('script', ['-qec', line, '/dev/null'], { env, timeout: 30_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    const plain = output.replace(/\x1b\[\d+m/g, '');
    expect(plain).to.match(/\r\x1b\[2K\d\/5 done · 0 failed · \d running · [\d.]+\/s/);
    const outputLines = plain.split('\r\n').map((text) => text.replace(/^(\r\x1b\[2K[^\r]*)*\r\x1b\[2K/, ''));
    expect(outputLines.filter((text) => /^\w+: [ab]$/.test(text))).to.have.length(10);
    expect(outputLines.filter((text) => text.includes(': a') || text.includes(': b')).every((text) => /^\w+: [ab]$/.test(text))).to.equal(true);
    expect(plain).to.match(/summary: 5 hosts: 5 ok in /);
  });

  it('ping takes the same modes: json records, and its own text lines by default', async () => {
    const json = await sshpool(['ping', ...base(), '-o', 'json']);
    expect(json.code).to.equal(0);
    expect((JSON.parse(json.stdout) as HostResult[]).map((r) => r.status)).to.deep.equal(['ok', 'ok', 'ok', 'ok', 'ok']);
    const text = await sshpool(['ping', ...base(), '-l', 'db1']);
    expect(text.stdout).to.match(/^db1: ok \d+ ms\n$/);
  });

  it('refuses -b with another mode, and a results file it cannot write, before running anything', async () => {
    const both = await sshpool(['run', ...base(), '-b', '-o', 'json', '--', 'true']);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.include('-b is -o gathered');
    const unwritable = await sshpool(['run', ...base(), '--results', path.join(scratch, 'no', 'such', 'r.json'), '--', 'echo ran']);
    expect(unwritable.code).to.equal(2);
    expect(unwritable.stdout).to.equal('');
    expect(unwritable.stderr).to.include('cannot write the results file');
    const notResults = await sshpool(['run', ...base(), '--retry-failed', inventory, '--', 'true']);
    expect(notResults.code).to.equal(2);
  });
});
