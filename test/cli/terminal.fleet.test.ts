import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { Fleet, encryptedKeyCopy } from '../fleet/index.js';
import { CLI_MAIN } from '../helpers/cli-process.js';
import { startInPty } from '../helpers/pty.js';

const PROMPT = /Enter passphrase for key '[^']+': $/;
/** Five redraws of the progress line (one every 200 ms). */
const PROGRESS_TICKS_MS = 1_000;

describe('the progress line and the terminal it shares (the real binary on a pty, against a real sshd fleet)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let encryptedKey: string;
  const passphrase = `pp-${randomBytes(6).toString('hex')}`;
  const env = { ...process.env, SSH_AUTH_SOCK: '' };
  const sshpool = (args: string[]) => [process.execPath, CLI_MAIN, ...args];
  const base = () => ['-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];

  before(async () => {
    fleet = await Fleet.start({ hosts: 2 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-terminal-'));
    encryptedKey = await encryptedKeyCopy(fleet.userKeyPath, passphrase, scratch);
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('never draws over a passphrase prompt: the prompt starts on a clean line and nothing is written while it waits', async () => {
    const pty = startInPty(sshpool(['run', ...base(), '--identity', encryptedKey, '--', 'echo in']), { env });
    await pty.waitFor(PROMPT);
    await delay(PROGRESS_TICKS_MS);
    const screen = pty.screen();
    const promptAt = screen.search(/Enter passphrase for key/);
    expect(screen.slice(promptAt)).to.match(PROMPT);
    // Whatever came before (a progress line, or nothing yet) was cleared, so the prompt has the line to itself.
    expect(screen.slice(0, promptAt)).to.match(/(^|\r\x1b\[2K|\n)$/);
    pty.type(`${passphrase}\r`);
    expect(await pty.exited).to.equal(0);
    const after = pty.screen().slice(promptAt).replace(/\x1b\[\d+m/g, '');
    expect(after).to.include('h01: in').and.include('h02: in').and.not.include(passphrase);
  });

  it('after a wrong passphrase, the error has a line of its own and no progress line follows it', async () => {
    const pty = startInPty(sshpool(['run', ...base(), '--identity', encryptedKey, '--', 'echo in']), { env });
    await pty.waitFor(PROMPT);
    pty.type('not-the-passphrase\r');
    expect(await pty.exited).to.equal(2);
    const screen = pty.screen();
    const errorAt = screen.indexOf('sshpool: Cannot decrypt identity file');
    expect(errorAt).to.be.greaterThan(0);
    expect(screen.slice(0, errorAt)).to.match(/(\r\n|\r\x1b\[2K)$/);
    expect(screen.slice(errorAt)).to.not.include('\x1b[2K').and.not.match(/done ·/);
  });

  it('clears the progress line before its own messages: SIGINT (Ctrl-C) says it is stopping on a line of its own', async () => {
    const pty = startInPty(sshpool(['run', ...base(), '--', 'echo started; sleep 20']), { env });
    // Both commands running, and the progress line drawn last: on the screen when Ctrl-C comes.
    await pty.waitFor(/started[\s\S]*started[\s\S]*\r\x1b\[2K0\/2 done · 0 failed · 2 running[^\r\n]*$/);
    // Sent to sshpool alone: one signal, where a terminal's Ctrl-C goes to whatever shares its process group.
    await pty.signal('SIGINT');
    expect(await pty.exited, pty.screen()).to.equal(3);
    expect(pty.screen()).to.match(/(\r\n|\r\x1b\[2K)sshpool: SIGINT: stopping/);
  });
});
