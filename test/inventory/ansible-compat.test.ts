import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import PQueue from 'p-queue';
import { runCli } from '../../src/cli/cli.js';
import { InputError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';

/**
 * sshpool's inventory against the real Ansible (Debian's ansible-core): the
 * same --list JSON, --graph text and --host vars, and host patterns selecting
 * the hosts `ansible PATTERN --list-hosts` lists, in its order. Skipped when
 * ansible-inventory is not installed. The differences sshpool keeps on purpose
 * are asserted on both sides at the end, so the README's list of them stays true.
 */

/** The compiled test runs from build/test/inventory; the fixtures stay in the source tree. */
const FIXTURES = fileURLToPath(new URL('../../../test/inventory/ansible-fixtures/', import.meta.url));

interface Fixture {
  /** -i values: paths relative to FIXTURES, or a comma host list as it is. */
  sources: string[];
  /** For --host. */
  hosts: string[];
  /** Groups for --graph (with and without --vars). */
  graphs: string[];
  patterns: string[];
  /** Ansible orders a grandchild group's hosts in Python set order, which varies run to run: compare these as sets. */
  unordered?: true;
  /** Why --graph --vars differs, when it does. */
  graphVarsDiffer?: string;
}

const PATTERNS = [
  'all', '*', 'web', 'db', 'web:db', 'web,db', 'web:&prod', 'web:!web02', '!web:all', 'all:!web', '!web', '&web',
  'web*', 'w?b*', '*.local', '~web0[12]', '~web[0-9]+$', '~(db|prod)', 'web[0]', 'web[1:2]', 'web[-1]', 'web[1:]',
  'web[0:0]', 'web[2:1]', 'web[7]', 'web[-5]', 'db[0]:web[0]', 'prod:&db:!web01', '&prod:db', '!db', 'db:&prod',
  'ungrouped', 'lonely', 'web01, db01', ' web ', 'web::db', 'empty', 'empty:web', 'nomatch', 'web:nomatch',
  'web:!nomatch', 'Web01', '~(', 'web0[1-2]', 'web:&db:&prod',
];

const CASES: Record<string, Fixture> = {
  nested: {
    sources: ['nested.yml'],
    hosts: ['web1', 'web2', 'mon1', 'mon2'],
    graphs: ['all', 'prod_web'],
    patterns: ['all', 'prod', 'prod_web', 'prod_web_eu*', 'prod:monitoring', 'monitoring:prod', 'backup:&prod', '!prod', 'prod[-1]', 'prod[0:1]', '*web*', '~prod_web_eu', 'alpha:backup:monitoring', 'ungrouped', 'bastion:web1'],
  },
  ranges: {
    sources: ['ranges.yml'],
    hosts: ['node09.example.com', 'app2', 'xd'],
    graphs: ['all'],
    patterns: ['all', 'padded', 'node09.example.com', 'node[08:09].example.com', 'node0*', 'shard*', 'app2', 'letters[2:3]', 'x*', 'rack2-u0?', 't*:&strides'],
  },
  values: {
    sources: ['values.yml'],
    hosts: ['h2', 'h3', 'h5'],
    graphs: ['all', 'base'],
    patterns: ['all', 'base', 'special', 'h*', 'empty_group', 'empty_hosts', 'empty*', 'string_hosts', 'defaults'],
  },
  scalars: {
    sources: ['scalars.yml'],
    hosts: ['s1'],
    graphs: ['all'],
    patterns: ['all'],
    graphVarsDiffer: 'Python prints 1500.0 and "2024-01-31 10:20:30.500000+02:00" where sshpool prints 1500 and the isoformat() string',
  },
  patterns: {
    sources: ['patterns.yml'],
    hosts: ['db', 'web02', 'lonely'],
    graphs: ['all', 'web'],
    patterns: PATTERNS,
  },
  directory: {
    sources: ['dir'],
    hosts: ['web1', 'web3', 'db1'],
    graphs: ['all'],
    patterns: ['all', 'web', 'db', 'ungrouped', 'web:!web1'],
  },
  'two files': {
    sources: ['patterns.yml', 'extra.yml'],
    hosts: ['web01', 'db01'],
    graphs: ['all'],
    patterns: ['all', 'db', '&db', 'cache', 'db:&cache', '!cache:db01', 'cache:!db', 'cache:&prod'],
  },
  'host list': {
    sources: ['a,b:2222,c'],
    hosts: ['a', 'b'],
    graphs: ['all'],
    patterns: ['all', 'b', '*', 'ungrouped', 'a:c', '!b'],
  },
  'file and host list': {
    sources: ['nested.yml', 'x1,web1:2200,'],
    hosts: ['x1', 'web1'],
    graphs: ['all'],
    patterns: ['all', 'ungrouped', 'x1:prod', 'web1'],
  },
  siblings: {
    sources: ['siblings.yml'],
    hosts: ['h_a1'],
    graphs: ['all'],
    patterns: ['all', 'a:b', 'c', '!c', '*1'],
    unordered: true,
  },
  'group_vars and host_vars': {
    sources: ['group-vars/hosts.yml'],
    hosts: ['web1', 'web2', 'web3', 'db1'],
    graphs: ['all', 'web'],
    patterns: ['all', 'web', 'cache:&backend', 'nosuch'],
  },
  'group_vars of two sources and a host list': {
    sources: ['two-sources/a/hosts.yml', 'two-sources/b', 'x9,'],
    hosts: ['h1', 'h2', 'h3', 'x9'],
    graphs: ['all', 'parent'],
    patterns: ['all', 'ungrouped', 'child'],
  },
};

/** Where sshpool and Ansible 2.14 part ways on purpose (README, "Compared with Ansible"), on patterns.yml. */
const PATTERN_DIFFERENCES: Array<{ pattern: string; ansible: string[]; sshpool: string[] | 'error' }> = [
  // Ansible's subscript needs a start, so it takes web[:2] for a glob; its documentation shows web[:2] as sshpool reads it.
  { pattern: 'web[:2]', ansible: [], sshpool: ['web01', 'web02', 'web03'] },
  // An end of 0 is false in Python, so Ansible reads [1:0] as [1].
  { pattern: 'web[1:0]', ansible: ['web02'], sshpool: 'error' },
  // Ansible warns that [x-y] "has been removed" and still takes it.
  { pattern: 'web[1-2]', ansible: ['web02', 'web03'], sshpool: 'error' },
  // Ansible's implicit localhost runs on the control machine without SSH; sshpool only has inventory hosts.
  { pattern: 'localhost', ansible: ['localhost'], sshpool: 'error' },
];

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What Ansible printed, by the command line that printed it. */
const ansibleOutputs = new Map<string, Output>();

function inventoryArgs(sources: readonly string[]): string[] {
  return sources.flatMap((source) => ['-i', source]);
}

function ansibleKey(command: string, args: readonly string[]): string {
  return JSON.stringify([command, ...args]);
}

function ansibleOutput(command: string, args: readonly string[]): Output {
  const output = ansibleOutputs.get(ansibleKey(command, args));
  if (!output) throw new Error(`${command} ${args.join(' ')} was not run in before()`);
  return output;
}

/** Every Ansible command line the tests compare with: run up front, two at a time, as each costs ~0.3 s of Python start-up. */
function ansibleCommands(): Array<[string, string[]]> {
  const commands: Array<[string, string[]]> = [];
  for (const fixture of Object.values(CASES)) {
    const i = inventoryArgs(fixture.sources);
    commands.push(['ansible-inventory', [...i, '--list']]);
    for (const group of fixture.graphs) {
      commands.push(['ansible-inventory', [...i, '--graph', group]], ['ansible-inventory', [...i, '--graph', group, '--vars']]);
    }
    for (const host of fixture.hosts) commands.push(['ansible-inventory', [...i, '--host', host]]);
    for (const pattern of fixture.patterns) commands.push(['ansible', [...i, pattern, '--list-hosts']]);
  }
  const names = inventoryArgs(['same-name.yml']);
  commands.push(['ansible-inventory', [...names, '--list']], ['ansible', [...names, 'ungrouped', '--list-hosts']]);
  for (const { pattern } of PATTERN_DIFFERENCES) commands.push(['ansible', [...inventoryArgs(['patterns.yml']), pattern, '--list-hosts']]);
  return commands;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Output> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: FIXTURES, env, timeout: 30_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** sshpool's own CLI in this process (the real binary's start-up is tested in cli.test.ts). */
async function sshpool(args: string[]): Promise<Output> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (chunk: Buffer) => (chunks.out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (chunks.err += chunk.toString()));
  const code = await runCli(['inventory', ...args], { stdout, stderr });
  return { code, stdout: chunks.out, stderr: chunks.err };
}

/** The -i options for sshpool's CLI, which reads relative sources from the process's cwd (Ansible ran in FIXTURES). */
function ourInventoryArgs(sources: readonly string[]): string[] {
  return inventoryArgs(sources.map((source) => (source.includes(',') ? source : join(FIXTURES, source))));
}

/** `ansible PATTERN --list-hosts`: the hosts in Ansible's order, and whether some part of the pattern matched nothing. */
function listedHosts(output: Output): { hosts: string[]; partMatchedNothing: boolean } {
  const lines = output.stdout.split('\n');
  const header = lines.findIndex((line) => /^ {2}hosts \(\d+\):$/.test(line));
  expect(header, `no "hosts (N):" line in ${JSON.stringify(output)}`).to.be.at.least(0);
  const hosts = lines.slice(header + 1).map((line) => line.trim()).filter((line) => line !== '');
  return { hosts, partMatchedNothing: output.stderr.includes('Could not match supplied host pattern') };
}

function selectOrError(inventory: Inventory, pattern: string): string[] | 'error' {
  try {
    return inventory.select(pattern).map((host) => host.name);
  } catch (error) {
    expect(error, pattern).to.be.instanceOf(InputError);
    return 'error';
  }
}

describe('sshpool inventory against the real Ansible (ansible-core)', function () {
  // Some 250 Ansible command lines at ~0.6 s of CPU each: minutes on a busy 2-core machine.
  this.timeout(600_000);
  let home: string;

  before(async function () {
    home = await mkdtemp(join(tmpdir(), 'sshpool-ansible-'));
    // An empty ansible.cfg: no configuration from the machine, HOME or the working directory.
    await writeFile(join(home, 'ansible.cfg'), '');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      ANSIBLE_CONFIG: join(home, 'ansible.cfg'),
      ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
      // A fixture Ansible cannot read must fail the test, not become an empty inventory.
      ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
      ANSIBLE_HOST_PATTERN_MISMATCH: 'warning',
    };
    const version = await run('ansible-inventory', ['--version'], env);
    if (version.code !== 0) {
      process.stderr.write('      ansible-inventory is not installed (apt-get install ansible-core): skipping the comparison with Ansible\n');
      this.skip();
    }
    const queue = new PQueue({ concurrency: 2 });
    await Promise.all(
      ansibleCommands().map(([command, args]) =>
        queue.add(async () => ansibleOutputs.set(ansibleKey(command, args), await run(command, args, env))),
      ),
    );
  });

  after(() => rm(home, { recursive: true, force: true }));

  for (const [name, fixture] of Object.entries(CASES)) {
    describe(`${name} (-i ${fixture.sources.join(' -i ')})`, () => {
      const i = inventoryArgs(fixture.sources);
      const ourI = ourInventoryArgs(fixture.sources);

      it('--list prints the same JSON', async () => {
        const ansible = ansibleOutput('ansible-inventory', [...i, '--list']);
        expect(ansible.code, ansible.stderr).to.equal(0);
        const ours = await sshpool([...ourI, '--list']);
        expect(ours.code, ours.stderr).to.equal(0);
        expect(JSON.parse(ours.stdout)).to.deep.equal(JSON.parse(ansible.stdout));
      });

      it('--graph prints the same tree, with and without --vars', async () => {
        for (const group of fixture.graphs) {
          for (const vars of fixture.graphVarsDiffer ? [[]] : [[], ['--vars']]) {
            const ansible = ansibleOutput('ansible-inventory', [...i, '--graph', group, ...vars]);
            expect(ansible.code, ansible.stderr).to.equal(0);
            expect((await sshpool([...ourI, '--graph', group, ...vars])).stdout, `--graph ${group} ${vars.join('')}`).to.equal(ansible.stdout);
          }
        }
      });

      it('--host prints the same merged vars', async () => {
        for (const host of fixture.hosts) {
          const ansible = ansibleOutput('ansible-inventory', [...i, '--host', host]);
          expect(ansible.code, ansible.stderr).to.equal(0);
          const ours = await sshpool([...ourI, '--host', host]);
          expect(JSON.parse(ours.stdout), host).to.deep.equal(JSON.parse(ansible.stdout));
        }
      });

      it(`selects the hosts ansible PATTERN --list-hosts lists${fixture.unordered ? ' (as sets)' : ', in its order'}, and fails where a part matches nothing`, async () => {
        const inventory = await loadInventory(fixture.sources, { cwd: FIXTURES });
        for (const pattern of fixture.patterns) {
          const ansible = listedHosts(ansibleOutput('ansible', [...i, pattern, '--list-hosts']));
          const ours = selectOrError(inventory, pattern);
          if (ansible.hosts.length === 0 || ansible.partMatchedNothing) {
            expect(ours, `${pattern}: Ansible lists ${JSON.stringify(ansible.hosts)} and warns`).to.equal('error');
          } else if (fixture.unordered) {
            expect(ours, pattern).to.be.an('array').with.members(ansible.hosts);
          } else {
            expect(ours, pattern).to.deep.equal(ansible.hosts);
          }
        }
      });
    });
  }

  describe('differences kept on purpose', () => {
    it('patterns: web[:2], web[1:0], web[1-2], the implicit localhost', async () => {
      const inventory = await loadInventory(['patterns.yml'], { cwd: FIXTURES });
      for (const { pattern, ansible, sshpool: ours } of PATTERN_DIFFERENCES) {
        expect(listedHosts(ansibleOutput('ansible', ['-i', 'patterns.yml', pattern, '--list-hosts'])).hosts, `Ansible: ${pattern}`).to.deep.equal(ansible);
        expect(selectOrError(inventory, pattern), `sshpool: ${pattern}`).to.deep.equal(ours);
      }
    });

    it('an ungrouped host named like a group: Ansible nests the group under ungrouped instead', async () => {
      const ansible = JSON.parse(ansibleOutput('ansible-inventory', ['-i', 'same-name.yml', '--list']).stdout);
      expect(ansible.ungrouped).to.deep.equal({ hosts: ['solo'], children: ['app'] });
      expect(listedHosts(ansibleOutput('ansible', ['-i', 'same-name.yml', 'ungrouped', '--list-hosts'])).hosts).to.deep.equal(['solo', 'app1']);
      const ours = JSON.parse((await sshpool([...ourInventoryArgs(['same-name.yml']), '--list'])).stdout);
      expect(ours.ungrouped).to.deep.equal({ hosts: ['solo', 'app'] });
      expect({ ...ours, ungrouped: undefined }).to.deep.equal({ ...ansible, ungrouped: undefined });
    });
  });
});
