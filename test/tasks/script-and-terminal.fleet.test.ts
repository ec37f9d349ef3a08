import { createHash } from 'node:crypto';
import { access, readFile, rm } from 'node:fs/promises';
import { expect } from 'chai';
import { runCommand, streamScript } from '../../src/run/host-run.js';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet } from '../fleet/index.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';
import { eventually, processAlive } from '../helpers/processes.js';

const exists = (path: string) => access(path).then(() => true, () => false);

describe('script, stdin, pty and env on a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const notes: string[] = [];

  before(async () => {
    fleet = await Fleet.start({ hosts: 2, sshdOptions: ['AcceptEnv SSHPOOL_OK_*'] });
  });
  after(async () => {
    await fleet?.stop();
    await Promise.all(notes.map((note) => rm(note, { force: true })));
  });

  /** A file the script writes its own path to (the fleet runs on this machine, so the test reads it back). */
  const note = (name: string) => {
    const path = `/tmp/sshpool-script-test-${process.pid}-${name}`;
    notes.push(path);
    return path;
  };
  /** The script's path as it wrote it, and whether that path or its directory is still there. */
  const leftBehind = async (path: string) => {
    const scriptPath = (await readFile(path, 'utf8')).trim();
    expect(scriptPath).to.match(/^\/tmp\/sshpool-script-[0-9a-f]{32}\/[\w.-]+$/);
    return (await exists(scriptPath)) || (await exists(scriptPath.replace(/\/[^/]*$/, '')));
  };
  const hosts = () => inventoryHostsFor(fleet);

  describe('sshpool script (streamScript)', () => {
    it('runs the script through its shebang with its arguments, from a private 0700 copy that is gone afterwards', async () => {
      const path = note('ok');
      const script = `#!/usr/bin/python3\nimport os, stat, sys\nopen(${JSON.stringify(path)}, 'w').write(sys.argv[0])\nprint(sys.argv[1:])\nprint(oct(stat.S_IMODE(os.stat(sys.argv[0]).st_mode)), oct(stat.S_IMODE(os.stat(os.path.dirname(sys.argv[0])).st_mode)))\n`;
      const [result] = await streamScript(hosts().slice(0, 1), Buffer.from(script), ["it's", 'two words', '$HOME'], { ...isolatedOptions(fleet), scriptName: 'check.py' }).results;
      expect(result, JSON.stringify(result)).to.include({ status: 'ok', exitCode: 0, kind: 'script', command: `script check.py 'it'"'"'s' 'two words' '$HOME'` });
      expect(result!.stdout).to.equal(`["it's", 'two words', '$HOME']\n0o700 0o700\n`);
      expect((await readFile(path, 'utf8')).endsWith('/check.py')).to.equal(true);
      expect(await leftBehind(path)).to.equal(false);
      expect(result!.detail?.cleanup).to.include({ status: 'ok' });
    });

    it('removes the script of a failing run too, and records its exit code', async () => {
      const path = note('fails');
      const results = await streamScript(hosts(), Buffer.from(`#!/bin/sh\necho "$0" > ${path}\necho failing >&2\nexit 3\n`), [], isolatedOptions(fleet)).results;
      for (const result of results) {
        expect(result, JSON.stringify(result)).to.include({ status: 'failed', exitCode: 3, stderr: 'failing\n' });
        expect(result.detail?.cleanup).to.include({ status: 'ok' });
      }
      expect(await leftBehind(path)).to.equal(false);
    });

    it('kills a script that outlives the timeout and removes it', async () => {
      const path = note('timeout');
      const marker = `sshpool-script-sleep-${process.pid}`;
      const script = `#!/bin/sh\necho "$0" > ${path}\nexec sh -c 'sleep 600; : ${marker}'\n`;
      const [result] = await streamScript(hosts().slice(0, 1), Buffer.from(script), [], { ...isolatedOptions(fleet), commandTimeoutMs: 1000 }).results;
      expect(result, JSON.stringify(result)).to.include({ status: 'timeout' });
      expect(result!.error?.code).to.equal('COMMAND_TIMEOUT');
      expect(await leftBehind(path)).to.equal(false);
      expect(await eventually(async () => !(await processAlive(marker)), 5000)).to.equal(true);
    });

    it('removes the script of a run stopped while it runs', async () => {
      const path = note('stopped');
      const run = streamScript(hosts().slice(0, 1), Buffer.from(`#!/bin/sh\necho "$0" > ${path}\necho started\nsleep 600\n`), [], isolatedOptions(fleet));
      run.on('output', () => run.stop());
      const [result] = await run.results;
      expect(result!.error?.code).to.equal('ABORTED');
      expect(await leftBehind(path)).to.equal(false);
    });
  });

  describe('-I: the same stdin to every host', () => {
    it('sends every byte, then EOF, to each host', async () => {
      const input = Buffer.alloc(3 * 1024 * 1024 + 7, 'sshpool\n');
      const digest = createHash('sha256').update(input).digest('hex');
      const results = await runCommand(hosts(), 'sha256sum', { ...isolatedOptions(fleet), stdin: input });
      expect(results.map((result: HostResult) => result.stdout)).to.deep.equal([`${digest}  -\n`, `${digest}  -\n`]);
    });

    it('leaves stdin at EOF without it, as before', async () => {
      const [result] = await runCommand(hosts().slice(0, 1), 'wc -c', isolatedOptions(fleet));
      expect(result!.stdout.trim()).to.equal('0');
    });
  });

  describe('--pty', () => {
    it('gives the command a terminal, with stderr merged into stdout', async () => {
      const [result] = await runCommand(hosts().slice(0, 1), 'test -t 0 && test -t 1 && echo tty; echo err >&2', { ...isolatedOptions(fleet), pty: true });
      expect(result, JSON.stringify(result)).to.include({ status: 'ok', stderr: '' });
      expect(result!.stdout).to.equal('tty\r\nerr\r\n');
    });

    it('still kills the remote command on timeout', async () => {
      const marker = `sshpool-pty-sleep-${process.pid}`;
      const [result] = await runCommand(hosts().slice(0, 1), `sh -c 'sleep 600; : ${marker}'`, { ...isolatedOptions(fleet), pty: true, commandTimeoutMs: 1000 });
      expect(result, JSON.stringify(result)).to.include({ status: 'timeout' });
      expect(await eventually(async () => !(await processAlive(marker)), 5000)).to.equal(true);
    });
  });

  describe('--env', () => {
    it('sets what AcceptEnv takes through the exec request, and names the refused ones in the record', async () => {
      const env = { SSHPOOL_OK_A: 'one two', SSHPOOL_NO_B: 'refused' };
      const [result] = await runCommand(hosts().slice(0, 1), 'echo "[$SSHPOOL_OK_A] [${SSHPOOL_NO_B-unset}]"', { ...isolatedOptions(fleet), env });
      expect(result, JSON.stringify(result)).to.include({ status: 'ok', stdout: '[one two] [unset]\n' });
      expect(result!.warnings).to.deep.equal(['the server refused environment variable SSHPOOL_NO_B (not in its AcceptEnv); it is unset']);
    });

    it('exports them in the command line, shell-quoted, with envVia export', async () => {
      const env = { SSHPOOL_NO_B: "it's $HOME `x`", SSHPOOL_OK_A: 'a' };
      const [result] = await runCommand(hosts().slice(0, 1), 'echo "$SSHPOOL_NO_B|$SSHPOOL_OK_A"; sh -c \'echo "$SSHPOOL_NO_B"\'', { ...isolatedOptions(fleet), env, envVia: 'export' });
      expect(result, JSON.stringify(result)).to.include({ status: 'ok', stdout: "it's $HOME `x`|a\nit's $HOME `x`\n" });
      expect(result!.warnings).to.equal(undefined);
    });
  });
});
