import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CLI_MAIN } from '../helpers/cli-process.js';

const run = promisify(execFile);

const INVENTORY = `all:
  children:
    web:
      hosts: { web1: {}, web2: {} }
    db:
      hosts: { db1: {}, "db$(touch PWNED)": {} }
`;

describe('sshpool completion: the bash and zsh scripts, driven as the shells drive them', function () {
  this.timeout(30_000);
  let dir: string;
  let inventory: string;
  /** PATH with `sshpool` (the shipped bundle) and node, and nothing of this machine's shell setup. */
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sshpool-completion-'));
    await mkdir(path.join(dir, 'bin'));
    await symlink(CLI_MAIN, path.join(dir, 'bin', 'sshpool'));
    inventory = path.join(dir, 'hosts.yaml');
    await writeFile(inventory, INVENTORY);
    env = { PATH: `${path.join(dir, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir };
    // Written once, as a user saves it: each case then costs one sshpool start, the completion itself.
    for (const shell of ['bash', 'zsh']) await writeFile(path.join(dir, `sshpool.${shell}`), (await run('sshpool', ['completion', shell], { env })).stdout);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** What bash offers for the words (the last one being completed), after sourcing `sshpool completion bash`. */
  async function bashCompletes(words: string[]): Promise<string[]> {
    const quoted = words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
    const script = `set -e; source ./sshpool.bash; complete -p sshpool >/dev/null
COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _sshpool_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await run('bash', ['--norc', '--noprofile', '-c', script], { env, cwd: dir });
    return stdout.split('\n').filter((line) => line !== '');
  }

  it('completes commands', async () => {
    expect(await bashCompletes(['sshpool', ''])).to.include.members(['run', 'ping', 'shell', 'inventory', 'config', 'completion']);
    expect(await bashCompletes(['sshpool', 'sh'])).to.deep.equal(['shell']);
  });

  it("completes a command's flags and an option's choices", async () => {
    expect(await bashCompletes(['sshpool', 'run', '--max-o'])).to.deep.equal(['--max-output']);
    expect(await bashCompletes(['sshpool', 'ping', '--ti'])).to.deep.equal([]);
    expect(await bashCompletes(['sshpool', 'run', '-o', 'nd'])).to.deep.equal(['ndjson']);
    expect(await bashCompletes(['sshpool', 'run', '--strict-host-key-checking', ''])).to.deep.equal(['yes', 'accept-new', 'no']);
  });

  it('completes host and group names of the -i inventory after -l, also after a pattern separator', async () => {
    expect(await bashCompletes(['sshpool', 'run', '-i', inventory, '-l', 'w'])).to.deep.equal(['web', 'web1', 'web2']);
    expect(await bashCompletes(['sshpool', 'shell', '-i', inventory, '--limit', 'web:&d'])).to.deep.equal(['web:&db', 'web:&db1', 'web:&db$(touch PWNED)']);
    // Without an inventory on the line there is nothing to offer, and nothing fails.
    expect(await bashCompletes(['sshpool', 'run', '-l', 'w'])).to.deep.equal([]);
  });

  it("never expands a candidate (a `$(...)` in an inventory's names stays text) and never runs the command being completed", async () => {
    await bashCompletes(['sshpool', 'run', '-i', inventory, '-l', 'db']);
    await bashCompletes(['sshpool', 'run', '-i', '127.0.0.1:1,', '--', 'touch', 'RAN', '']);
    for (const file of ['PWNED', 'RAN']) {
      await access(path.join(dir, file)).then(
        () => expect.fail(`${file} was created`),
        () => undefined,
      );
    }
  });

  it('zsh: the function hands _describe the candidates (_describe and compdef stubbed: no terminal to complete on; skipped where zsh is not installed)', async function () {
    const zsh = await run('zsh', ['-c', 'true']).then(
      () => true,
      () => false,
    );
    if (!zsh) this.skip();
    const script = `compdef() { :; }; _describe() { print -rl -- "\${(@P)2}"; }; _default() { print default; }
source ./sshpool.zsh
words=(sshpool run -i ${inventory} -l we); CURRENT=6; _sshpool
words=(sshpool sh); CURRENT=2; _sshpool
words=(sshpool run -l nothing); CURRENT=4; _sshpool`;
    const { stdout } = await run('zsh', ['-f', '-c', script], { env, cwd: dir });
    const lines = stdout.split('\n');
    expect(lines.slice(0, 3)).to.deep.equal(['web', 'web1', 'web2']);
    // Commands come with their descriptions, as _describe shows them; it matches them against what was typed itself.
    expect(lines).to.include('shell:Interactive: each line typed runs on every selected host, over connections kept open').and.include('run:Run a shell command on every selected host');
    expect(lines.slice(-2)).to.deep.equal(['default', '']);
  });
});
