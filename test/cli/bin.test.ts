import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CLI_MAIN, SSHPOOL_BIN } from '../helpers/cli-process.js';

const run = promisify(execFile);

/** An inventory script that gives its one host, as vars, the two variables as it found them. */
const ENV_REPORTING_INVENTORY = `#!/bin/sh
printf '{"all": {"hosts": ["h1"]}, "_meta": {"hostvars": {"h1": {"extra": "%s", "handed_over": "%s"}}}}' "\${NODE_EXTRA_CA_CERTS-unset}" "\${SSHPOOL_DEFERRED_CA_CERTS-unset}"
`;

describe('the sshpool command (bin/sshpool): found through npm\'s symlinks, it starts Node without NODE_EXTRA_CA_CERTS and gives it back to what the CLI starts', function () {
  this.timeout(30_000);
  let dir: string;
  let viaChain: string;
  let inventoryScript: string;
  let missingCaFile: string;

  before(async () => {
    // A space in the path, as in a home directory: the script must quote what it resolves.
    dir = await mkdtemp(path.join(tmpdir(), 'sshpool bin-'));
    // As npm links it: node_modules/.bin/sshpool -> ../sshpool/bin/sshpool (relative), here behind an absolute link too.
    await mkdir(path.join(dir, 'node_modules/.bin'), { recursive: true });
    await symlink(path.dirname(path.dirname(SSHPOOL_BIN)), path.join(dir, 'node_modules/sshpool'));
    await symlink('../sshpool/bin/sshpool', path.join(dir, 'node_modules/.bin/sshpool'));
    viaChain = path.join(dir, 'sshpool');
    await symlink(path.join(dir, 'node_modules/.bin/sshpool'), viaChain);
    inventoryScript = path.join(dir, 'inventory.sh');
    await writeFile(inventoryScript, ENV_REPORTING_INVENTORY);
    await chmod(inventoryScript, 0o755);
    missingCaFile = path.join(dir, 'no such CA bundle.pem');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache'), ...extra });

  it('runs the CLI through a chain of symlinks, and by its bare name from PATH', async () => {
    const direct = await run(process.execPath, [CLI_MAIN, '--version'], { env: env() });
    expect(direct.stdout).to.match(/^\d+\.\d+\.\d+\n$/);
    expect((await run(viaChain, ['--version'], { env: env() })).stdout).to.equal(direct.stdout);
    const fromPath = await run('sshpool', ['--version'], { env: env({ PATH: `${path.join(dir, 'node_modules/.bin')}:${process.env.PATH}` }), cwd: tmpdir() });
    expect(fromPath.stdout).to.equal(direct.stdout);
  });

  it('starts Node without NODE_EXTRA_CA_CERTS: Node warns of a missing CA file when it reads it at start, and here it does not', async () => {
    // The probe: Node itself reads the variable before any script and warns that the file is missing.
    const direct = await run(process.execPath, [CLI_MAIN, '--version'], { env: env({ NODE_EXTRA_CA_CERTS: missingCaFile }) });
    expect(direct.stderr).to.include(`Ignoring extra certs from \`${missingCaFile}\``);
    const viaBin = await run(viaChain, ['--version'], { env: env({ NODE_EXTRA_CA_CERTS: missingCaFile }) });
    expect(viaBin.stdout).to.equal(direct.stdout);
    expect(viaBin.stderr).to.equal('');
  });

  it('gives what the CLI starts (an inventory script here) NODE_EXTRA_CA_CERTS as it was, and not the hand-over variable', async () => {
    const hostVars = async (extra: NodeJS.ProcessEnv): Promise<unknown> => {
      const { stdout } = await run(viaChain, ['inventory', '-i', inventoryScript, '--host', 'h1'], { env: env(extra) });
      return JSON.parse(stdout);
    };
    expect(await hostVars({ NODE_EXTRA_CA_CERTS: missingCaFile })).to.deep.equal({ extra: missingCaFile, handed_over: 'unset' });
    expect(await hostVars({})).to.deep.equal({ extra: 'unset', handed_over: 'unset' });
    // Empty is no file to Node: left as it is.
    expect(await hostVars({ NODE_EXTRA_CA_CERTS: '' })).to.deep.equal({ extra: '', handed_over: 'unset' });
  });
});
