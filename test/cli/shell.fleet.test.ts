import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';
import { CLI_MAIN } from '../helpers/cli-process.js';
import { eventually } from '../helpers/processes.js';
import { startInPty } from '../helpers/pty.js';
import type { PtySession } from '../helpers/pty.js';

/** readline's prompt as a terminal gets it: the line cleared, the prompt, the cursor put after it (column 10). */
const PROMPT = String.raw`\x1b\[1G\x1b\[0Jsshpool> \x1b\[10G`;
const ESCAPES = /\x1b\[[0-9;]*[A-Za-z]/g;

/** What the terminal shows, without the colour and cursor sequences sshpool and readline write themselves. */
function plain(screen: string): string {
  return screen.replace(ESCAPES, '').replace(/\r+\n/g, '\n');
}

/** Resolves once the shell has drawn its `count`-th prompt and waits there. */
function prompts(pty: PtySession, count: number): Promise<void> {
  return pty.waitFor(new RegExp(`^(?:[^]*?${PROMPT}){${count}}$`), 20_000);
}

/**
 * The `sleep SECONDS` processes on this machine (the fleet's hosts are its sshds), once those that were
 * being killed are gone: the KILL reaches them as the channel closes, a moment before the prompt may return.
 */
async function sleepers(seconds: string): Promise<number[]> {
  const find = async () => {
    const found: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      if (commandLine === `sleep\0${seconds}\0`) found.push(Number(entry));
    }
    return found;
  };
  await eventually(async () => (await find()).length === 0, 3_000);
  return find();
}

describe('sshpool shell (the real binary on a pty, against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let state: string;
  const shell = (args: string[] = []) =>
    startInPty([process.execPath, CLI_MAIN, 'shell', '-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', ...args], {
      env: { ...process.env, SSH_AUTH_SOCK: '', XDG_STATE_HOME: state },
      timeoutMs: 50_000,
    });

  before(async () => {
    fleet = await Fleet.start({ hosts: 3 });
  });
  beforeEach(async () => {
    state = await mkdtemp(path.join(tmpdir(), 'sshpool-shell-'));
  });
  afterEach(async () => {
    await rm(state, { recursive: true, force: true });
  });
  after(async () => {
    await fleet?.stop();
  });

  it('runs each line on every host over one kept connection per host, and escapes what hosts print', async () => {
    const pty = shell();
    await prompts(pty, 1);
    pty.type('printf "\\033]52;c;Zm9v\\007\\n"\r');
    await prompts(pty, 2);
    const firstSessions = fleet.hosts.map((host) => fleet.connectionPids(host.name));
    pty.type('echo again\r');
    await prompts(pty, 3);
    const secondSessions = fleet.hosts.map((host) => fleet.connectionPids(host.name));
    pty.type(':quit\r');
    expect(await pty.exited).to.equal(0);
    // One sshd session process per host, the same one for both lines: the connection was kept, not made again.
    expect(firstSessions.map((pids) => pids.length)).to.deep.equal([1, 1, 1]);
    expect(secondSessions).to.deep.equal(firstSessions);
    const screen = plain(pty.screen());
    expect(screen).to.match(/-+\nh\[01-03\] \(3\)\n-+\n\\x1b\]52;c;Zm9v\\x07\n/);
    expect(pty.screen()).to.not.include('\x1b]52');
    expect(screen).to.match(/-+\nh\[01-03\] \(3\)\n-+\nagain\n/);
  });

  it('has the built-ins :hosts, :limit, :forks, :stream, :gather, and says what is wrong with a bad one', async () => {
    const pty = shell();
    await prompts(pty, 1);
    const steps = [':hosts', ':limit h01:h03', ':hosts', ':limit nosuch', ':forks 0', ':forks 1', ':stream', 'echo "$(date +%s%N) start"; sleep 0.3; echo end', ':gather', 'echo g', ':frobnicate'];
    for (const [index, step] of steps.entries()) {
      pty.type(`${step}\r`);
      await prompts(pty, index + 2);
    }
    pty.type(':quit\r');
    expect(await pty.exited).to.equal(0);
    const screen = plain(pty.screen());
    expect(screen).to.include('sshpool: h[01-03] (3)\n');
    expect(screen).to.include('sshpool: limit h01:h03: 2 hosts\n');
    expect(screen).to.include('sshpool: h[01,03] (2)\n');
    expect(screen).to.include("sshpool: no hosts matched the pattern 'nosuch'\nsshpool: limit h01:h03: 2 hosts\n");
    expect(screen).to.include(':forks: 0 is not a whole number of at least 1\nsshpool: forks 32\n');
    expect(screen).to.include('sshpool: forks 1\n');
    // Streamed, one host at a time (forks 1): h01's lines come before h03's, each prefixed as `run` prefixes them.
    expect(screen).to.match(/h01: \d+ start\nh01: end\nh03: \d+ start\nh03: end\n/);
    expect(screen).to.match(/-+\nh\[01,03\] \(2\)\n-+\ng\n/);
    expect(screen).to.include('sshpool: unknown built-in :frobnicate; :help lists them\n');
  });

  it('Ctrl-C kills the running command on every host (nothing left running there) and returns to the prompt', async () => {
    const pty = shell(['--stream']);
    await prompts(pty, 1);
    pty.type('echo started; exec sleep 4321\r');
    await pty.waitFor(/(: started\r\n[^]*){3}/);
    expect(await sleepers('4321')).to.have.length(3);
    // What the terminal sends for Ctrl-C, in raw mode: readline reads it as a key.
    pty.type('\x03');
    await prompts(pty, 2);
    const left = await sleepers('4321');
    pty.type(':quit\r');
    expect(await pty.exited).to.equal(0);
    expect(left).to.deep.equal([]);
    const screen = plain(pty.screen());
    expect(screen).to.include('sshpool: interrupted: killing the command on every host\n');
    for (const host of ['h01', 'h02', 'h03']) expect(screen).to.include(`${host}: [failed] ABORTED`);
  });

  it('a host whose sshd died fails on the next line with its error, and is connected again on the line after it came back', async () => {
    const pty = shell();
    await prompts(pty, 1);
    pty.type('echo one\r');
    await prompts(pty, 2);
    await fleet.kill('h02');
    try {
      pty.type('echo two\r');
      await prompts(pty, 3);
    } finally {
      await fleet.restart('h02');
    }
    pty.type('echo three\r');
    await prompts(pty, 4);
    pty.type(':quit\r');
    expect(await pty.exited).to.equal(0);
    const screen = plain(pty.screen());
    const [, two, three] = screen.split(/sshpool> echo (?:one|two|three)\n/).slice(1);
    expect(two).to.match(/h\[01,03\] \(2\)\n-+\ntwo\n/);
    // Refused when the cache saw the connection end before the line; lost (or its channel refused) when the line came first, as it can on a loaded machine.
    expect(two, screen).to.match(/h02 \(1\) \[(unreachable|failed)\] [A-Z_]+\n/);
    expect(two, screen).to.match(/h02: \[(unreachable|failed)\] [A-Z_]+: .+\n/);
    expect(three).to.match(/h\[01-03\] \(3\)\n-+\nthree\n/);
  });

  it('keeps history in $XDG_STATE_HOME/sshpool/history (0600), and the next shell recalls it with the up arrow', async () => {
    const first = shell();
    await prompts(first, 1);
    first.type('echo remembered\r');
    await prompts(first, 2);
    first.type(':quit\r');
    expect(await first.exited).to.equal(0);
    const file = path.join(state, 'sshpool', 'history');
    expect(await readFile(file, 'utf8')).to.equal('echo remembered\n:quit\n');
    expect((await stat(file)).mode & 0o777).to.equal(0o600);

    const second = shell();
    await prompts(second, 1);
    // Up twice: past :quit to the command, then run it.
    second.type('\x1b[A\x1b[A\r');
    await prompts(second, 2);
    second.type(':quit\r');
    expect(await second.exited).to.equal(0);
    expect(plain(second.screen())).to.match(/-+\nh\[01-03\] \(3\)\n-+\nremembered\n/);
  });
});
