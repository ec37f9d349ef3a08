import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { runCliProcess } from '../helpers/cli-process.js';
import { DockerFleet } from './docker-fleet.js';

/** Resolves when `pattern` shows up in what the child writes to `stream`; rejects if the child ends first. */
function whenOutput(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child[stream]?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) resolve();
    });
    child.on('close', () => reject(new Error(`the CLI ended without printing ${pattern} on ${stream}`)));
  });
}

describe('sshpool against Docker sshd targets (the real binary, real containers, real faults)', function () {
  this.timeout(120_000);
  let fleet: DockerFleet;
  const base = () => ['-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const env = () => ({ ...process.env, SSH_AUTH_SOCK: '' });
  const sshpool = (args: string[]) => runCliProcess(args, { env: env() });

  before(async () => {
    fleet = await DockerFleet.start({ hosts: 5 });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('ping reaches every target through its published loopback port, host keys verified', async () => {
    const { code, stdout } = await sshpool(['ping', ...base()]);
    expect(code).to.equal(0);
    const lines = stdout.trim().split('\n').sort();
    expect(lines.map((line) => line.replace(/ \d+ ms$/, ''))).to.deep.equal(['docker1: ok', 'docker2: ok', 'docker3: ok', 'docker4: ok', 'docker5: ok']);
    expect(fleet.hosts.every((host) => host.address === '127.0.0.1')).to.equal(true);
  });

  it('run reaches each container as the login user, in inventory order with one fork', async () => {
    const { code, stdout, stderr } = await sshpool(['run', ...base(), '-f', '1', '--', 'echo "$(hostname) $(id -un) $0"']);
    expect(code).to.equal(0);
    expect(stderr).to.equal('');
    expect(stdout).to.equal(fleet.hosts.map((host) => `${host.name}: ${host.name} sshpool sh\n`).join(''));
  });

  it('run on all targets at once keeps each host’s lines in its own order', async () => {
    const { code, stdout } = await sshpool(['run', ...base(), '-f', '5', '--', 'for i in 1 2 3; do echo "$i"; sleep 0.1; done']);
    expect(code).to.equal(0);
    for (const host of fleet.hosts) {
      const own = stdout.split('\n').filter((line) => line.startsWith(`${host.name}: `));
      expect(own).to.deep.equal([`${host.name}: 1`, `${host.name}: 2`, `${host.name}: 3`]);
    }
  });

  it('exits 5 when one target’s command exits non-zero, naming it and its code; the others ran', async () => {
    const { code, stdout, stderr } = await sshpool(['run', ...base(), '--', 'if [ "$(hostname)" = docker2 ]; then exit 7; fi; echo fine']);
    expect(code).to.equal(5);
    expect(stderr.trim()).to.equal('docker2: [failed] exit code 7');
    expect(stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['docker1: fine', 'docker3: fine', 'docker4: fine', 'docker5: fine']);
  });

  it('sudo works through the image’s NOPASSWD rule: sudo -n id -u is 0 everywhere', async () => {
    const { code, stdout } = await sshpool(['run', ...base(), '--', 'sudo -n id -u']);
    expect(code).to.equal(0);
    expect(stdout.split('\n').filter(Boolean).sort()).to.deep.equal(fleet.hosts.map((host) => `${host.name}: 0`));
  });

  it('docker stop mid-command makes that target unreachable (connection lost), the others finish, exit 4', async () => {
    let stopping: Promise<void> | undefined;
    const result = await runCliProcess(['run', ...base(), '-l', 'docker1:docker2:docker3', '--', 'echo started; sleep 4; echo done'], {
      env: env(),
      onSpawn: (child) => {
        stopping = whenOutput(child, 'stdout', /^docker3: started$/m).then(() => fleet.stopHost('docker3'));
      },
    });
    await stopping;
    expect(result.code).to.equal(4);
    expect(result.stderr).to.match(/^docker3: \[unreachable\] (CONNECTION_LOST|CONNECT_RESET)\b/m);
    expect(result.stdout).to.include('docker1: done').and.include('docker2: done').and.not.include('docker3: done');
  });

  it('docker pause freezes a target: keepalives (1 s, 3 unanswered) record it unreachable within the bound', async () => {
    const intervalS = 1;
    const countMax = 3;
    let pausedAt = 0;
    let reportedAt = 0;
    let pausing: Promise<void> | undefined;
    const result = await runCliProcess(['run', ...base(), '-l', 'docker1:docker4', '--server-alive-interval', String(intervalS), '--', 'echo started; sleep 8; echo done'], {
      env: env(),
      onSpawn: (child) => {
        pausing = whenOutput(child, 'stdout', /^docker4: started$/m)
          .then(() => fleet.pause('docker4'))
          .then(() => {
            pausedAt = Date.now();
          });
        whenOutput(child, 'stderr', /^docker4: \[unreachable\]/m).then(
          () => (reportedAt = Date.now()),
          () => undefined, // reportedAt stays 0 and the bound below fails
        );
      },
    });
    try {
      await pausing;
    } finally {
      if (pausedAt > 0) await fleet.unpause('docker4');
    }
    expect(result.code).to.equal(4);
    expect(result.stderr).to.match(/^docker4: \[unreachable\] KEEPALIVE_TIMEOUT\b/m);
    expect(result.stdout).to.include('docker1: done').and.not.include('docker4: done');
    const noticedAfterMs = reportedAt - pausedAt;
    // ssh2 counts intervals from the last packet it received (just before the pause) and gives up
    // when countMax of them went unanswered: (countMax + 1) intervals at most, measured ~4 s here.
    // The margin is for timers on a loaded 2-core machine.
    expect(noticedAfterMs).to.be.within((countMax - 1) * intervalS * 1000, (countMax + 1) * intervalS * 1000 + 1_500);
  });

  it('a target removed before the run is refused at connect (CONNECT_REFUSED), the rest answer, exit 4', async () => {
    await fleet.remove('docker5');
    const { code, stdout } = await sshpool(['ping', ...base(), '-l', 'docker1:docker5']);
    expect(code).to.equal(4);
    const lines = stdout.trim().split('\n').sort();
    expect(lines[0]).to.match(/^docker1: ok \d+ ms$/);
    expect(lines[1]).to.match(/^docker5: unreachable \d+ ms CONNECT_REFUSED: /);
  });
});
