import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { HostResult } from '../../src/run/host-result.js';
import { runTool } from '../fleet/run-tool.js';
import { Fleet, canStartDisconnectingServer, startDisconnectingServer } from '../fleet/index.js';
import { CLI_MAIN, runCliProcess } from '../helpers/cli-process.js';
import { startInPty } from '../helpers/pty.js';

/** What the hostile command prints on stdout: OSC 52 (clipboard), a screen clear, `\r` over the line, a C1 CSI. */
const RAW = 'safe\x1b]52;c;ZXZpbA==\x07 \x1b[2J\rforged \u009bx';
const ESCAPED = 'safe\\x1b]52;c;ZXZpbA==\\x07 \\x1b[2J\\rforged \\u009bx';
const HOSTILE_SCRIPT = "printf 'safe\\033]52;c;ZXZpbA==\\007 \\033[2J\\rforged \\302\\233x\\n'\nprintf 'err\\033[1A\\n' >&2\n";

/** sshpool's own escape codes (colours, the progress line's clear), which a test takes off before reading the screen. */
const own = (screen: string) => screen.replace(/\x1b\[\d+m/g, '').replace(/\r\x1b\[2K/g, '').replace(/\r\n/g, '\n');
/** Control characters other than tab and newline: what must not reach a terminal from a host. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('untrusted host output and server text (the real binary against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let inventory: string;
  let hostile: string;
  const env = { ...process.env, SSH_AUTH_SOCK: '' };
  const base = () => ['-i', inventory, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];
  const cli = (args: string[]) => [process.execPath, CLI_MAIN, ...args];

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-untrusted-'));
    // The login user runs scripts from here and sees the flag files the tests create.
    await chmod(scratch, 0o755);
    hostile = path.join(scratch, 'hostile.sh');
    await writeFile(hostile, HOSTILE_SCRIPT, { mode: 0o644 });
    inventory = path.join(scratch, 'hosts.yaml');
    const hostLine = (name: string, index: number) => {
      const host = fleet.hosts[index]!;
      return `    '${name}': { ansible_host: ${host.address}, ansible_port: ${host.port}, ansible_user: ${fleet.user}, ansible_ssh_private_key_file: '${fleet.userKeyPath}' }`;
    };
    // app+1 and app=1 encode to the same safe file name (app_1); app_1 is that name itself.
    const names = ['h01', 'h02', 'app+1', 'app=1', 'app_1'];
    await writeFile(inventory, `all:\n  hosts:\n${names.map((name, i) => hostLine(name, i % 2)).join('\n')}\n`);
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('on a terminal, text mode shows the control characters a host prints escaped, on stdout and stderr, never raw', async () => {
    const pty = startInPty(cli(['run', ...base(), '-l', 'h01', '--', `sh ${hostile}`]), { env });
    expect(await pty.exited).to.equal(0);
    const screen = own(pty.screen());
    expect(screen).to.include(`h01: ${ESCAPED}\n`);
    expect(screen).to.include('h01: err\\x1b[1A\n');
    expect(screen).to.not.match(CONTROLS);
  });

  it('on a terminal, gathered output is escaped too, while -o json stays exact (JSON escapes on its own)', async () => {
    const gathered = startInPty(cli(['run', ...base(), '-l', 'h01', '-b', '--', `sh ${hostile}`]), { env });
    expect(await gathered.exited).to.equal(0);
    expect(own(gathered.screen())).to.include(`---------------\nh01 (1)\n---------------\n${ESCAPED}\n`);
    expect(own(gathered.screen())).to.not.match(CONTROLS);
    const json = startInPty(cli(['run', ...base(), '-l', 'h01', '-q', '-o', 'json', '--', `sh ${hostile}`]), { env });
    expect(await json.exited).to.equal(0);
    // The terminal turns each \n into \r\n; JSON itself holds no raw control character.
    expect(json.screen()).to.not.match(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    const records = JSON.parse(json.screen().replace(/\r\n/g, '\n')) as HostResult[];
    expect(records[0]!.stdout).to.equal(`${RAW}\n`);
  });

  it('piped, output stays byte-exact; --sanitize escapes it there too', async () => {
    const piped = await runCliProcess(['run', ...base(), '-l', 'h01', '--', `sh ${hostile}`], { env });
    expect(piped.code).to.equal(0);
    expect(piped.stdout).to.equal(`h01: ${RAW}\n`);
    expect(piped.stderr).to.equal('h01: err\x1b[1A\n');
    const sanitized = await runCliProcess(['run', ...base(), '-l', 'h01', '--sanitize', '--', `sh ${hostile}`], { env });
    expect(sanitized.stdout).to.equal(`h01: ${ESCAPED}\n`);
    expect(sanitized.stderr).to.equal('h01: err\\x1b[1A\n');
    const gathered = await runCliProcess(['run', ...base(), '-l', 'h01', '-b', '--sanitize', '--', `sh ${hostile}`], { env });
    expect(gathered.stdout).to.equal(`---------------\nh01 (1)\n---------------\n${ESCAPED}\n`);
  });

  it('--no-sanitize passes what hosts print raw, even to a terminal', async () => {
    const pty = startInPty(cli(['run', ...base(), '-l', 'h01', '-q', '--no-sanitize', '--', `sh ${hostile}`]), { env });
    expect(await pty.exited).to.equal(0);
    expect(pty.screen().replace(/\x1b\[\d+m/g, '')).to.include(`h01: ${RAW}\r\n`);
  });

  it("escapes a server's disconnect message in status lines, ping lines and errors, piped or not, as OpenSSH's ssh escapes its ESC", async function () {
    if (!(await canStartDisconnectingServer())) {
      process.stderr.write('      python3-asyncssh is not installed (apt-get install python3-asyncssh): skipping the disconnecting-server test\n');
      this.skip();
    }
    const reason = 'denied\x1b]52;c;ZXZpbA==\x07\x1b[2J\rforged';
    const server = await startDisconnectingServer(reason);
    try {
      const target = ['-i', `127.0.0.1:${server.port},`, '-u', 'nobody', '--identity', fleet.userKeyPath, '--known-hosts', server.knownHostsPath, '-F', '/dev/null', '--no-agent'];
      const escaped = 'denied\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\rforged';
      const run = await runCliProcess(['run', ...target, '--summary', '--', 'true'], { env });
      expect(run.code).to.equal(4);
      // The server's text is quoted inside sshpool's own words ("authentication failed (...)"), escaped.
      expect(run.stderr).to.match(new RegExp(`^127\\.0\\.0\\.1: \\[unreachable\\] AUTH_FAILED: .*${escapeRegExp(escaped)}`));
      expect(run.stderr).to.not.match(CONTROLS);
      const ping = await runCliProcess(['ping', ...target], { env });
      expect(ping.stdout).to.include(escaped);
      expect(ping.stdout).to.not.match(CONTROLS);
      const json = await runCliProcess(['run', ...target, '-o', 'json', '--', 'true'], { env });
      expect((JSON.parse(json.stdout) as HostResult[])[0]!.error!.message).to.include(reason);
      const terminal = startInPty(cli(['run', ...target, '--', 'true']), { env });
      expect(await terminal.exited).to.equal(4);
      expect(own(terminal.screen())).to.include(escaped).and.not.match(CONTROLS);

      // OpenSSH's ssh, piped too, escapes the ESC of the same message (as octal), so no escape sequence
      // acts either; it passes \r and BEL on (vis(3) VIS_SAFE), where sshpool escapes them too.
      const ssh = await runTool('ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${server.knownHostsPath}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-i', fleet.userKeyPath, '-p', String(server.port), 'nobody@127.0.0.1', 'true']);
      expect(ssh.exitCode).to.equal(255);
      expect(ssh.stderr).to.include('denied\\033]52;c;ZXZpbA==');
      expect(ssh.stderr).to.not.include('\x1b');
      expect(ssh.stderr).to.include('\x07\\033[2J\rforged');
    } finally {
      await server.stop();
    }
  });

  it("ends each command's unterminated last line when that command ends, before the next command runs (-c, -c)", async () => {
    const flag = path.join(scratch, 'next-may-run');
    // The second command waits for the flag, which the test makes only once the first command's partial line is out.
    const second = `while [ ! -e ${flag} ]; do sleep 0.05; done; echo next`;
    let sawPartial = false;
    const run = runCliProcess(['run', ...base(), '-l', 'h01', '-c', 'printf partial; printf warn >&2', '-c', second], {
      env,
      onSpawn: (child) => {
        let stdout = '';
        const giveUp = setTimeout(() => void writeFile(flag, ''), 15_000);
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (!sawPartial && stdout.includes('h01: partial\n')) {
            sawPartial = true;
            clearTimeout(giveUp);
            void writeFile(flag, '');
          }
        });
      },
    });
    const { code, stdout, stderr } = await run;
    expect(code).to.equal(0);
    expect(sawPartial, 'the partial line came out only after the second command had ended').to.equal(true);
    expect(stdout).to.equal('h01: partial\nh01: next\n');
    expect(stderr).to.equal('h01: warn\n');
  });

  it('splits a line longer than 64 KiB between UTF-8 characters, so every piece shows what was sent', async () => {
    // 30,000 euro signs (90,000 bytes) and no newline: cut at 64 KiB, which falls inside a character.
    const { code, stdout } = await runCliProcess(['run', ...base(), '-l', 'h01', '--', "yes '€' | head -n 30000 | tr -d '\\n'"], { env });
    expect(code).to.equal(0);
    const pieces = stdout.split('\n').filter(Boolean);
    expect(pieces.length).to.equal(2);
    for (const piece of pieces) expect(piece).to.match(/^h01: €+$/);
    expect(pieces.join('').replace(/h01: /g, '')).to.equal('€'.repeat(30_000));
  });

  it('--out-dir gives hosts whose names encode alike files of their own', async () => {
    const dir = path.join(scratch, 'out');
    const { code } = await runCliProcess(['run', ...base(), '-l', 'app*', '--out-dir', dir, '--', 'echo "$SSH_CONNECTION"'], { env });
    expect(code).to.equal(0);
    const names = (await readdir(dir)).sort();
    expect(names).to.have.length(6);
    expect(names).to.include.members(['app_1.out', 'app_1.err']);
    expect(names.filter((name) => /^app_1~[0-9a-f]{8}\.out$/.test(name))).to.have.length(2);
    const contents = await Promise.all(names.filter((name) => name.endsWith('.out')).map((name) => readFile(path.join(dir, name), 'utf8')));
    for (const text of contents) expect(text).to.match(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+\n$/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
