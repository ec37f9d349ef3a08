import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Fleet, silentPort } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';

describe('sshpool run / ping (the real binary against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  /** The fleet's inventory, known_hosts, and no agent or ~/.ssh/config of this machine's. */
  const base = () => ['-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const sshpool = (args: string[]) => runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' } });

  before(async () => {
    fleet = await Fleet.start({ hosts: 4, refuseUserKey: ['h04'] });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-cli-'));
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('exits 0 and prefixes every line with its host, stdout and stderr apart', async () => {
    const { code, stdout, stderr } = await sshpool(['run', ...base(), '-l', 'h01:h02', '--', 'printf "a\\nb\\n"; echo warn >&2']);
    expect(code).to.equal(0);
    expect(stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['h01: a', 'h01: b', 'h02: a', 'h02: b']);
    expect(stderr.split('\n').filter(Boolean).sort()).to.deep.equal(['h01: warn', 'h02: warn']);
  });

  it('prefixes a line split across reads once, and ends an unterminated last line', async () => {
    const { code, stdout } = await sshpool(['run', ...base(), '-l', 'h01', '--', 'printf part1; sleep 0.2; printf "part2\\nlast"']);
    expect(code).to.equal(0);
    expect(stdout).to.equal('h01: part1part2\nh01: last\n');
  });

  it('takes the command without -- too, and runs it as one shell line', async () => {
    const { code, stdout } = await sshpool(['run', ...base(), '-l', 'h01', 'echo', 'one', '&&', 'echo', 'two']);
    expect(code).to.equal(0);
    expect(stdout).to.equal('h01: one\nh01: two\n');
  });

  it('exits 5 when a remote command exits non-zero, naming the host and code', async () => {
    const { code, stderr } = await sshpool(['run', ...base(), '-l', 'h01:h02', '--', 'test $(( ${SSH_CONNECTION##* } % 1 )) = 1']);
    expect(code).to.equal(5);
    expect(stderr).to.match(/h01: \[failed\] exit code 1/);
  });

  it('exits 4 when a host has an SSH error (refused key), whatever the others did', async () => {
    const { code, stderr } = await sshpool(['run', ...base(), '--', 'exit 1']);
    expect(code).to.equal(4);
    expect(stderr).to.match(/h04: \[unreachable\] AUTH_FAILED/);
  });

  it('exits 3 when a command times out, before SSH errors and non-zero exits', async () => {
    const { code, stderr } = await sshpool(['run', ...base(), '-t', '0.5', '--', 'sleep 20']);
    expect(code).to.equal(3);
    expect(stderr).to.match(/h01: \[timeout\] COMMAND_TIMEOUT/);
  });

  it('exits 2 for usage and inventory errors, naming the option or pattern, and runs nothing', async () => {
    const noMatch = await sshpool(['run', ...base(), '-l', 'nosuch', '--', 'true']);
    expect(noMatch.code).to.equal(2);
    expect(noMatch.stderr).to.include("no hosts matched the pattern 'nosuch'");
    const badForks = await sshpool(['run', ...base(), '-f', '0', '--', 'true']);
    expect(badForks.code).to.equal(2);
    expect(badForks.stderr).to.include('--forks');
    const badTimeout = await sshpool(['run', ...base(), '-t', 'soon', '--', 'true']);
    expect(badTimeout.code).to.equal(2);
    expect(badTimeout.stderr).to.include('--timeout');
    const noCommand = await sshpool(['run', ...base()]);
    expect(noCommand.code).to.equal(2);
    const missingKey = await sshpool(['run', ...base(), '--identity', path.join(scratch, 'no-such-key'), '--', 'true']);
    expect(missingKey.code).to.equal(2);
    expect(missingKey.stderr).to.include(path.join(scratch, 'no-such-key'));
  });

  it('refuses a timeout a timer cannot hold (exit 2, nothing run), and runs with the longest one it can', async () => {
    const marker = path.join(scratch, 'ran');
    for (const [option, value] of [['-t', '3000000'], ['-t', '0.0001'], ['--connect-timeout', '2147484'], ['--server-alive-interval', '9999999']]) {
      const refused = await sshpool(['run', ...base(), '-l', 'h01', option!, value!, '--', `touch ${marker}`]);
      expect(refused.code, `${option} ${value}`).to.equal(2);
      expect(refused.stderr).to.match(new RegExp(`^sshpool: ${option === '-t' ? '--timeout' : option}: "${value}" is (more|less) than`));
    }
    expect(await readFile(marker).then(() => true, () => false)).to.equal(false);
    // The longest whole number of seconds a timer holds (2^31-1 ms is 2147483.647 s).
    const longest = await sshpool(['run', ...base(), '-l', 'h01', '-t', '2147483', '--connect-timeout', '2147483', '--server-alive-interval', '2147483', '--', 'sleep 0.5; echo done']);
    expect(longest.stdout).to.equal('h01: done\n');
    expect(longest.code).to.equal(0);
  });

  it('exits 1 for other errors (an unreadable known_hosts file), before touching any host', async () => {
    const { code, stdout, stderr } = await sshpool(['run', '-i', fleet.inventoryPath, '--known-hosts', scratch, '-F', '/dev/null', '--', 'true']);
    expect(code).to.equal(1);
    expect(stderr).to.include(`cannot read known_hosts file ${scratch}`);
    expect(stdout).to.equal('');
  });

  it('ping reports each host, and exits 4 for the one that refuses us', async () => {
    const { code, stdout } = await sshpool(['ping', ...base()]);
    expect(code).to.equal(4);
    const lines = stdout.trim().split('\n').sort();
    expect(lines).to.have.length(4);
    expect(lines.slice(0, 3).every((line) => /^h0[123]: ok \d+ ms$/.test(line))).to.equal(true);
    expect(lines[3]).to.match(/^h04: unreachable \d+ ms AUTH_FAILED/);
  });

  it('stops cleanly on SIGINT: running commands killed, the rest skipped, exit 3', async () => {
    let sent = false;
    const result = await runCliProcess(['run', ...base(), '-f', '1', '-l', 'h01:h02', '--', 'echo started; sleep 20'], {
      env: { ...process.env, SSH_AUTH_SOCK: '' },
      onSpawn: (child) =>
        child.stdout?.on('data', () => {
          if (!sent) child.kill('SIGINT');
          sent = true;
        }),
    });
    expect(result.code).to.equal(3);
    expect(result.stderr).to.match(/h01: \[failed\] ABORTED/);
    expect(result.stderr).to.match(/h02: \[skipped\]/);
  });

  it('on SIGINT while hosts are still connecting, records them ABORTED (not CONNECT_TIMEOUT) and exits 3', async () => {
    const silent = await silentPort();
    try {
      const inventory = path.join(scratch, 'silent.yml');
      await writeFile(inventory, `all:\n  hosts:\n    s1: { ansible_host: 127.0.0.1, ansible_port: ${silent.port} }\n    s2: { ansible_host: 127.0.0.1, ansible_port: ${silent.port} }\n`);
      let interruptedAt = 0;
      const result = await runCliProcess(['run', '-i', inventory, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '--connect-timeout', '30', '-o', 'json', '--', 'true'], {
        env: { ...process.env, SSH_AUTH_SOCK: '' },
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (silent.accepted() < 2) return;
            clearInterval(poll);
            interruptedAt = Date.now();
            child.kill('SIGINT');
          }, 10);
        },
      });
      expect(Date.now() - interruptedAt).to.be.below(3000);
      expect(result.code, result.stderr).to.equal(3);
      const records = JSON.parse(result.stdout) as Array<{ host: string; status: string; error: { code: string } }>;
      expect(records.map((r) => [r.host, r.status, r.error.code])).to.deep.equal([
        ['s1', 'skipped', 'ABORTED'],
        ['s2', 'skipped', 'ABORTED'],
      ]);
    } finally {
      await silent.close();
    }
  });

  it('prints help with examples, and the version', async () => {
    const help = await sshpool(['run', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('Examples:');
    expect(help.stdout).to.include('--strict-host-key-checking');
    const version = await sshpool(['--version']);
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });
});
