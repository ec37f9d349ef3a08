import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';

/** Loaded before the CLI: says at exit whether promise hooks are on (a fresh promise then carries Node's async-id symbols). */
const REPORT_PROMISE_HOOKS = `
process.on('exit', () => process._rawDebug('promise hooks ' + (Object.getOwnPropertySymbols(Promise.resolve()).length > 0 ? 'on' : 'off')));
`;

describe('A run leaves Node\'s promise hooks off: every promise and callback would pay for them (the real binary, a real sshd)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  let preload: string;

  before(async () => {
    fleet = await Fleet.start({ hosts: 3 });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-promise-hooks-'));
    preload = path.join(scratch, 'report-promise-hooks.cjs');
    await writeFile(preload, REPORT_PROMISE_HOOKS);
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('run, 3 hosts on 2 forks (the third starts as one ends)', async () => {
    const env = { PATH: process.env.PATH, HOME: scratch, XDG_CACHE_HOME: path.join(scratch, 'cache'), SSH_AUTH_SOCK: '', NODE_OPTIONS: `--require "${preload}"` };
    const result = await runCliProcess(['run', '-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '-f', '2', '--', 'echo ran'], { env });
    expect(result.stdout.split('\n').filter(Boolean).sort(), result.stderr).to.deep.equal(['h01: ran', 'h02: ran', 'h03: ran']);
    expect(result.stderr).to.match(/^promise hooks off$/m);
  });
});
