import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import type { InventoryHost } from '../../src/inventory/index.js';
import { pingHosts, runCommand, streamCommand } from '../../src/run/host-run.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { eventually, processAlive } from '../helpers/processes.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/** Far from any sshd: were one of these hosts tried over SSH, it would fail rather than pass. */
function localHost(name: string, vars: Record<string, unknown> = {}): InventoryHost {
  return { name, vars: { ansible_connection: 'local', ansible_host: '127.0.0.254', ansible_port: 9, ansible_user: 'nobody-here', ...vars }, groups: ['all'] };
}

/** No ssh_config, agent or known_hosts of this machine's: a local host needs none of them. */
const options = { sshConfigFile: '/dev/null', agentSocket: null, knownHostsFiles: ['/dev/null'] };

/** Distinct sleep lengths mark one test's processes for pgrep. */
function markers(base: number, count: number): string[] {
  const tag = base + (process.pid % 900);
  return Array.from({ length: count }, (_, index) => `sleep ${tag}${index + 1}`);
}

describe('ansible_connection: local (commands run on this machine, no SSH)', function () {
  this.timeout(30_000);
  const tempDir = tempDirPerTest('sshpool-local-');

  it('runs the command through /bin/sh -c as the user running sshpool, in its directory, stdin at EOF, with an SSH host’s record', async () => {
    // `cat` would wait forever on an open stdin; ansible_host, ansible_port and ansible_user are not used.
    const [result] = await runCommand([localHost('ctl')], 'echo "$0"; id -un; pwd; cat; echo err >&2; exit 3', options);
    expect(result).to.deep.include({
      host: 'ctl',
      address: 'localhost',
      port: 0,
      user: userInfo().username,
      status: 'failed',
      exitCode: 3,
      signal: null,
      stdout: `/bin/sh\n${userInfo().username}\n${process.cwd()}\n`,
      stderr: 'err\n',
      error: null,
      slot: 0,
      attempt: 1,
    });
    const [ok] = await runCommand([localHost('ctl')], 'true', options);
    expect(ok).to.include({ status: 'ok', exitCode: 0 });
  });

  it('streams output as it arrives and keeps at most maxOutputBytes per stream', async () => {
    const chunks: string[] = [];
    const stream = streamCommand([localHost('ctl')], 'printf 0123456789; sleep 0.1; printf abcdef >&2', { ...options, maxOutputBytes: 4 });
    stream.on('output', ({ host, stream: name, chunk }) => chunks.push(`${host} ${name} ${chunk.toString()}`));
    const [result] = await stream.results;
    expect(chunks).to.deep.equal(['ctl stdout 0123456789', 'ctl stderr abcdef']);
    expect(result).to.deep.include({ stdout: '0123', stderr: 'abcd', truncated: { stdout: true, stderr: true } });
  });

  it('kills the command and everything it started when it times out', async () => {
    const [foreground, background, piped] = markers(5000, 3);
    const started = Date.now();
    const [result] = await runCommand([localHost('ctl')], `${background} & ${piped} | cat; ${foreground}`, { ...options, commandTimeoutMs: 700 });
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(result).to.deep.include({ status: 'timeout', signal: 'SIGKILL' });
    expect(result!.error).to.deep.equal({ code: 'COMMAND_TIMEOUT', message: 'ctl: command still running after 0.7 s; killed' });
    for (const marker of [foreground, background, piped]) {
      expect(await eventually(async () => !(await processAlive(marker!)), 3000), `${marker} still alive`).to.equal(true);
    }
  });

  it('kills it when the run is stopped (as Ctrl-C does), and sees it alive before that (so the kill checks can fail)', async () => {
    const [foreground, background] = markers(6000, 2);
    const stream = streamCommand([localHost('ctl')], `${background} & echo go; ${foreground}`, options);
    await new Promise((resolve) => stream.once('output', resolve));
    expect(await eventually(() => processAlive(foreground!), 2000)).to.equal(true);
    expect(await processAlive(background!)).to.equal(true);
    stream.stop();
    const [result] = await stream.results;
    expect(result).to.deep.include({ status: 'failed', stdout: 'go\n' });
    expect(result!.error).to.deep.equal({ code: 'ABORTED', message: 'ctl: command aborted' });
    for (const marker of [foreground, background]) {
      expect(await eventually(async () => !(await processAlive(marker!)), 3000), `${marker} still alive`).to.equal(true);
    }
  });

  it('runs several commands in turn, each with its own record', async () => {
    const results = await runCommand([localHost('a'), localHost('b')], ['echo one', 'exit 4'], options);
    expect(results.map((r) => [r.host, r.command, r.status, r.exitCode, r.stdout])).to.deep.equal([
      ['a', 'echo one', 'ok', 0, 'one\n'],
      ['b', 'echo one', 'ok', 0, 'one\n'],
      ['a', 'exit 4', 'failed', 4, ''],
      ['b', 'exit 4', 'failed', 4, ''],
    ]);
  });

  it('records a shell that cannot be started as CHANNEL_FAILED, as an SSH host whose exec channel fails', async () => {
    // One environment string over the kernel's MAX_ARG_STRLEN (128 KiB) makes exec fail with E2BIG.
    process.env.SSHPOOL_TEST_TOO_BIG = 'x'.repeat(200 * 1024);
    try {
      const [result] = await runCommand([localHost('ctl')], 'echo never', options);
      expect(result).to.deep.include({ status: 'unreachable', stdout: '', exitCode: null });
      expect(result!.error).to.deep.equal({ code: 'CHANNEL_FAILED', message: 'ctl: cannot start /bin/sh: spawn E2BIG' });
    } finally {
      delete process.env.SSHPOOL_TEST_TOO_BIG;
    }
  });

  it('ping is ok at once for a local host: there is nothing to connect to', async () => {
    const [result] = await pingHosts([localHost('ctl')], options);
    expect(result).to.deep.include({ host: 'ctl', command: null, status: 'ok', address: 'localhost', port: 0, error: null });
  });

  it('kills a local command when the program running it exits mid-run (its own process group would outlive it)', async () => {
    const [marker] = markers(8000, 1);
    const script = path.join(tempDir(), 'exit-mid-run.mjs');
    const library = new URL('../../src/run/host-run.js', import.meta.url).href;
    await writeFile(
      script,
      `import { streamCommand } from ${JSON.stringify(library)};\n` +
        `const run = streamCommand([{ name: 'ctl', vars: { ansible_connection: 'local' }, groups: ['all'] }], 'echo go; ${marker}', { sshConfigFile: '/dev/null' });\n` +
        `run.on('output', () => process.exit(0));\n`,
    );
    const exited = await new Promise<number | null>((resolve) => execFile(process.execPath, [script], { timeout: 20_000 }, (error) => resolve(error ? 1 : 0)));
    expect(exited).to.equal(0);
    expect(await eventually(async () => !(await processAlive(marker!)), 3000), `${marker} still alive`).to.equal(true);
  });

  it('sshpool run: a local host in an inventory file streams its lines, and the first Ctrl-C kills its command (exit 3)', async () => {
    const [marker] = markers(7000, 1);
    const inventory = path.join(tempDir(), 'hosts.yml');
    await writeFile(inventory, 'all:\n  hosts:\n    ctl: {ansible_connection: local}\n    ctl2: {ansible_connection: local}\n');
    const done = await runCliProcess(['run', '-i', inventory, '-F', '/dev/null', '--', 'echo hello; echo oops >&2']);
    expect(done.code).to.equal(0);
    expect(done.stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['ctl2: hello', 'ctl: hello']);
    expect(done.stderr.split('\n').filter(Boolean).sort()).to.deep.equal(['ctl2: oops', 'ctl: oops']);

    let sent = false;
    const stopped = await runCliProcess(['run', '-i', inventory, '-F', '/dev/null', '-f', '1', '--', `echo started; ${marker}`], {
      onSpawn: (child) =>
        child.stdout?.on('data', () => {
          if (!sent) child.kill('SIGINT');
          sent = true;
        }),
    });
    expect(stopped.code).to.equal(3);
    expect(stopped.stderr).to.match(/ctl: \[failed\] ABORTED/);
    expect(stopped.stderr).to.match(/ctl2: \[skipped\]/);
    expect(await eventually(async () => !(await processAlive(marker!)), 3000), `${marker} still alive`).to.equal(true);
  });
});
