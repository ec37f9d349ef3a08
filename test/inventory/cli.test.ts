import { expect } from 'chai';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/cli.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { tempFiles } from './fixtures.js';

const YAML = `
all:
  vars: {ansible_ssh_common_args: -o Foo=bar}
  children:
    web:
      hosts:
        web[1:2]: {ansible_host: 127.0.0.1}
`;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('sshpool inventory', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup } = await tempFiles({ 'hosts.yml': YAML, 'bad.yml': 'all:\n  hosts:\n    - web1\n' }));
  });
  after(() => cleanup());

  it('--list prints the ansible-inventory JSON and the warnings once on stderr', async () => {
    const { code, stdout, stderr } = await cli(['inventory', '-i', join(dir, 'hosts.yml'), '--list']);
    expect(code).to.equal(0);
    const list = JSON.parse(stdout);
    expect(list.web).to.deep.equal({ hosts: ['web1', 'web2'] });
    expect(list._meta.hostvars.web1).to.deep.equal({ ansible_host: '127.0.0.1', ansible_ssh_common_args: '-o Foo=bar' });
    expect(stderr.match(/warning: .*ansible_ssh_common_args is ignored/g)).to.have.length(1);
  });

  it('--limit narrows --list; --host prints merged vars; --graph draws groups', async () => {
    const limited = JSON.parse((await cli(['inventory', '-i', join(dir, 'hosts.yml'), '-l', 'web2', '--list'])).stdout);
    expect(Object.keys(limited._meta.hostvars)).to.deep.equal(['web2']);
    const host = await cli(['inventory', '-i', join(dir, 'hosts.yml'), '--host', 'web1']);
    expect(JSON.parse(host.stdout)).to.deep.equal({ ansible_host: '127.0.0.1', ansible_ssh_common_args: '-o Foo=bar' });
    const graph = await cli(['inventory', '-i', join(dir, 'hosts.yml'), '--graph', 'web']);
    expect(graph.stdout).to.equal('@web:\n  |--web1\n  |--web2\n');
  });

  it('exits 2 with a clear message when the limit matches nothing, or the inventory is bad', async () => {
    const none = await cli(['inventory', '-i', join(dir, 'hosts.yml'), '-l', 'db', '--list']);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.contain("no hosts matched the pattern 'db'");
    const bad = await cli(['inventory', '-i', join(dir, 'bad.yml'), '--list']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/bad\.yml:3:5: all\.hosts: 'hosts' of group 'all' must be a mapping/);
    const noAction = await cli(['inventory', '-i', join(dir, 'hosts.yml')]);
    expect(noAction.code).to.equal(2);
  });

  it("--list prints Ansible's empty structure for an empty inventory and exits 0, as --graph does; -l still must match", async () => {
    const { dir: emptyDir, cleanup: removeEmpty } = await tempFiles({ 'empty.ini': '', 'inv/README.md': 'nothing' });
    try {
      for (const source of ['empty.ini', 'inv']) {
        const list = await cli(['inventory', '-i', join(emptyDir, source), '--list']);
        expect(list.code, list.stderr).to.equal(0);
        expect(JSON.parse(list.stdout)).to.deep.equal({ _meta: { hostvars: {} }, all: { children: ['ungrouped'] } });
        expect((await cli(['inventory', '-i', join(emptyDir, source), '--graph'])).stdout).to.equal('@all:\n  |--@ungrouped:\n');
      }
      expect((await cli(['inventory', '-i', join(emptyDir, 'empty.ini'), '-l', 'web', '--list'])).code).to.equal(2);
    } finally {
      await removeEmpty();
    }
  });

  it("adds the --help hint to usage errors only, not to inventory or pattern errors", async () => {
    const usage = await cli(['inventory', '-i', join(dir, 'hosts.yml'), '--list', '--graph']);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.contain("Run 'sshpool --help' for usage.");
    const unknown = await cli(['inventory', '--lsit']);
    expect(unknown.stderr).to.contain("Run 'sshpool --help' for usage.");
    for (const args of [['-i', join(dir, 'bad.yml'), '--list'], ['-i', join(dir, 'hosts.yml'), '-l', 'nosuch', '--list']]) {
      const data = await cli(['inventory', ...args]);
      expect(data.code).to.equal(2);
      expect(data.stderr).to.not.contain('--help');
    }
  });

  it('exits 2 from the real binary when nothing matches, and 0 otherwise', async () => {
    const none = await runCliProcess(['inventory', '-i', 'web1,web2,', '-l', 'nosuch', '--list']);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.contain("no hosts matched the pattern 'nosuch'");
    expect((await runCliProcess(['inventory', '-i', 'web1,web2,', '--list'])).code).to.equal(0);
  });

  it('runs nothing and exits 2 from the real binary for `run` on an empty inventory', async () => {
    const { dir: emptyDir, cleanup: removeEmpty } = await tempFiles({ 'empty.ini': '# no hosts yet\n' });
    try {
      const run = await runCliProcess(['run', '-i', join(emptyDir, 'empty.ini'), '--', 'true']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal("sshpool: no hosts matched the pattern 'all'\n");
    } finally {
      await removeEmpty();
    }
  });
});
