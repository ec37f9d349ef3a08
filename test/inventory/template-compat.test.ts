import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import PQueue from 'p-queue';
import { runCli } from '../../src/cli/cli.js';
import { connectionSettings, HostVariableError, loadInventory, TemplatedVariables, VaultSecrets } from '../../src/inventory/index.js';
import type { Inventory, InventoryHost } from '../../src/inventory/index.js';
import { TEMPLATE_CASES, TEMPLATE_VARS } from './template-cases.js';

/**
 * sshpool's templated values against Ansible's own rendering (ansible-core
 * 2.14): `ansible HOST -m debug -a var=NAME` (debug connects nowhere; its
 * results are read from --tree files) for connection vars and others, the
 * whole table of template-cases.ts at once, and what `ansible-inventory`
 * prints for templated, !unsafe and !vault values. Skipped without Ansible.
 */

const FIXTURES = fileURLToPath(new URL('../../../test/inventory/template-fixtures/', import.meta.url));
const execFileAsync = promisify(execFile);

/** Connection vars, compared with `debug var=NAME` on every host of templated.yml (ipmi01's fails). */
const CONNECTION_VARS = ['ansible_host', 'ansible_port', 'ansible_user'];
const HOSTS = ['web01', 'web02', 'db01', 'ipmi01'];
/** Other vars, compared in one `debug msg=` per group of hosts that has them all. */
const OTHER_VARS: Record<string, { pattern: string; hosts: string[]; vars: string[] }> = {
  web: { pattern: 'web', hosts: ['web01', 'web02'], vars: ['http_port', 'tier', 'base_port', 'env_name'] },
  db: {
    pattern: 'db',
    hosts: ['db01'],
    vars: ['peers', 'replica', 'backup_user', 'mode', 'ports', 'short', 'first_web', 'num', 'maybe', 'http_of_web', 'tier'],
  },
};
/** What debug prints for a var that is not defined, or whose template reads an undefined variable. */
const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';

interface Ansible {
  env: NodeJS.ProcessEnv;
  home: string;
}

async function ansible(context: Ansible, command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: FIXTURES, env: context.env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `ansible PATTERN -m debug -a ARGS`, each host's result as --tree wrote it. */
async function debug(context: Ansible, inventory: string, pattern: string, args: string, hosts: readonly string[], extra: string[] = []): Promise<Map<string, Record<string, unknown>>> {
  const tree = await mkdtemp(join(context.home, 'tree-'));
  await ansible(context, 'ansible', [pattern, '-i', inventory, '-m', 'debug', '-a', args, '--tree', tree, ...extra]);
  const results = new Map<string, Record<string, unknown>>();
  for (const host of hosts) results.set(host, JSON.parse(await readFile(join(tree, host), 'utf8')) as Record<string, unknown>);
  return results;
}

/** `debug msg={{ {'a': a, 'b': b} }}`: each var's value as Ansible templates it (not as debug var= prints it). */
function varsMessage(names: readonly string[]): string {
  return JSON.stringify({ msg: `{{ {${names.map((name) => `'${name}': ${name}`).join(', ')}} }}` });
}

/** What debug var=NAME shows, rendered by sshpool: `{{ NAME }}` templated in the host's scope. */
function ourDebug(inventory: Inventory, hostName: string, name: string, vault?: VaultSecrets): unknown {
  try {
    const value = new TemplatedVariables({ vault }).of(inventory.host(hostName)!).template(`{{ ${name} }}`, name);
    // Ansible's finalize at the outer level prints None as ''.
    return value === null ? '' : value;
  } catch (error) {
    expect(error, `${hostName} ${name}`).to.be.instanceOf(HostVariableError);
    expect((error as HostVariableError).message).to.match(/is undefined/);
    return NOT_DEFINED;
  }
}

async function sshpoolInventory(args: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await runCli(['inventory', ...args], { stdout, stderr: new PassThrough() });
  return { code, stdout: text };
}

describe('templated inventory values against the real Ansible (ansible-core)', function () {
  this.timeout(120_000);
  const context: Ansible = { env: {}, home: '' };
  let templated: Inventory;

  before(async function () {
    context.home = await mkdtemp(join(tmpdir(), 'sshpool-ansible-templates-'));
    await writeFile(join(context.home, 'ansible.cfg'), '');
    context.env = {
      PATH: process.env.PATH,
      HOME: context.home,
      LANG: 'C.UTF-8',
      ANSIBLE_CONFIG: join(context.home, 'ansible.cfg'),
      ANSIBLE_LOCAL_TEMP: join(context.home, 'tmp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    };
    if ((await ansible(context, 'ansible', ['--version'])).code !== 0) {
      process.stderr.write('      ansible is not installed (apt-get install ansible-core): skipping the comparison with Ansible\n');
      this.skip();
    }
    templated = await loadInventory([join(FIXTURES, 'templated.yml')]);
  });

  after(() => rm(context.home, { recursive: true, force: true }));

  let connection: Array<Map<string, Record<string, unknown>>>;

  it('debug var=NAME shows the connection vars sshpool templates, on every host', async () => {
    const queue = new PQueue({ concurrency: 2 });
    connection = await Promise.all(CONNECTION_VARS.map((name) => queue.add(() => debug(context, 'templated.yml', 'all', `var=${name}`, HOSTS))));
    CONNECTION_VARS.forEach((name, index) => {
      for (const host of HOSTS.filter((host) => host !== 'ipmi01')) {
        const theirs = connection[index]!.get(host)!;
        expect(theirs, `${host} ${name}: ${JSON.stringify(theirs)}`).to.have.property(name);
        expect(ourDebug(templated, host, name), `${host} ${name}`).to.deep.equal(theirs[name]);
      }
    });
    const variables = new TemplatedVariables();
    for (const host of ['web01', 'web02', 'db01']) {
      const [hostname, port, user] = connection.map((results, index) => results.get(host)![CONNECTION_VARS[index]!]);
      const settings = connectionSettings(templated.host(host)!, variables.of(templated.host(host)!).get);
      expect(settings, host).to.deep.equal({ hostname, user, ...(port === NOT_DEFINED ? {} : { port: Number(port) }) });
    }
    expect(connectionSettings(templated.host('web01')!, variables.of(templated.host('web01')!).get)).to.deep.equal({ hostname: '10.0.0.11', port: 2201, user: 'deploy' });
  });

  it('fails a host whose connection var reads an undefined variable, as Ansible does, and only that host', () => {
    expect(connection[0]!.get('ipmi01')!.msg).to.match(/'ipmi_user' is undefined/);
    expect(connection[0]!.get('web01')!.ansible_host).to.equal('10.0.0.11');
    const variables = new TemplatedVariables();
    expect(() => connectionSettings(templated.host('ipmi01')!, variables.of(templated.host('ipmi01')!).get)).to.throw(
      HostVariableError,
      /templated\.yml:42:11: host 'ipmi01': ansible_user: 'ipmi_user' is undefined$/,
    );
  });

  it('templates the other vars as Ansible does: filters, hostvars and groups, a ternary, defaults', async () => {
    const variables = new TemplatedVariables();
    for (const { pattern, hosts, vars } of Object.values(OTHER_VARS)) {
      const results = await debug(context, 'templated.yml', pattern, varsMessage(vars), hosts);
      for (const host of hosts) {
        const theirs = results.get(host)!.msg as Record<string, unknown>;
        expect(theirs, `${host}: ${JSON.stringify(results.get(host))}`).to.be.an('object');
        for (const name of vars) expect(variables.of(templated.host(host)!).get(name), `${host} ${name}`).to.deep.equal(theirs[name]);
      }
    }
  });

  it('renders every case of the template table as Ansible does (or as the README says it differs)', async () => {
    const dir = await mkdtemp(join(context.home, 'cases-'));
    const caseVars = Object.fromEntries(TEMPLATE_CASES.map(({ template }, index) => [`case_${index}`, template]));
    await writeFile(join(dir, 'cases.yml'), JSON.stringify({ all: { hosts: { t1: { ...TEMPLATE_VARS, ...caseVars } } } }));
    const theirs = (await debug(context, join(dir, 'cases.yml'), 't1', varsMessage(Object.keys(caseVars)), ['t1'])).get('t1')!.msg as Record<string, unknown>;
    expect(theirs, 'ansible rendered the table').to.be.an('object');
    const host: InventoryHost = (await loadInventory([join(dir, 'cases.yml')])).host('t1')!;
    const ours = new TemplatedVariables().of(host);
    TEMPLATE_CASES.forEach(({ template, expected, ansible: differs }, index) => {
      expect(ours.get(`case_${index}`), template).to.deep.equal(expected);
      expect(theirs[`case_${index}`], `Ansible: ${template}`).to.deep.equal(differs ?? expected);
    });
  });

  it('fails a value whose rendered literal Python cannot build (a list as a dict key), as Ansible does', async () => {
    const dir = await mkdtemp(join(context.home, 'unhashable-'));
    const template = '{{ "[[1], {[1]: 2}]" }}';
    await writeFile(join(dir, 'unhashable.yml'), JSON.stringify({ all: { hosts: { t1: { bad: template } } } }));
    const theirs = (await debug(context, join(dir, 'unhashable.yml'), 't1', 'var=bad', ['t1'])).get('t1')!;
    expect(JSON.stringify(theirs)).to.match(/unhashable type: 'list'/);
    const host: InventoryHost = (await loadInventory([join(dir, 'unhashable.yml')])).host('t1')!;
    expect(() => new TemplatedVariables().of(host).get('bad')).to.throw(HostVariableError, /bad: unhashable type: 'list'/);
  });

  it('--list, --host and --graph print templated, !unsafe and !vault values untemplated, as ansible-inventory does', async () => {
    const queue = new PQueue({ concurrency: 2 });
    const runs = ['templated.yml', 'tagged.yml'].flatMap((fixture) =>
      [['--list'], ['--host', fixture === 'tagged.yml' ? 'v1' : 'db01'], ['--graph']].map(async (args) => {
        const theirs = await queue.add(() => ansible(context, 'ansible-inventory', ['-i', fixture, ...args]));
        expect(theirs.code, theirs.stderr).to.equal(0);
        const ours = await sshpoolInventory(['-i', join(FIXTURES, fixture), ...args]);
        expect(ours.code, `${fixture} ${args.join(' ')}`).to.equal(0);
        if (args[0] === '--graph') expect(ours.stdout, fixture).to.equal(theirs.stdout);
        else expect(JSON.parse(ours.stdout), `${fixture} ${args.join(' ')}`).to.deep.equal(JSON.parse(theirs.stdout));
      }),
    );
    await Promise.all(runs);
    // --graph --vars: Ansible decrypts a !vault value to print it (or fails without the password); sshpool shows `!vault`.
    const theirs = await ansible(context, 'ansible-inventory', ['-i', 'tagged.yml', '--graph', '--vars', '--vault-password-file', 'vault-password']);
    const ours = await sshpoolInventory(['-i', join(FIXTURES, 'tagged.yml'), '--graph', '--vars']);
    expect(theirs.stdout).to.include('{ansible_user = sshpool-test}');
    expect(ours.stdout).to.not.include('sshpool-test');
    expect(ours.stdout.replace('{ansible_user = !vault}', '').replace('{other = !vault}', '')).to.equal(
      theirs.stdout.replace('{ansible_user = sshpool-test}', '').replace('{other = v12secret}', ''),
    );
  });

  it('decrypts !vault values with the password file and never templates !unsafe ones, as ansible debug shows them', async () => {
    const vault = new VaultSecrets([(await readFile(join(FIXTURES, 'vault-password'), 'utf8')).trim()]);
    const tagged = await loadInventory([join(FIXTURES, 'tagged.yml')]);
    const names = ['ansible_user', 'other', 'ref', 'un', 'unl', 'und', 'un_ref'];
    const extra = ['--vault-password-file', 'vault-password'];
    const [user, message] = await Promise.all([
      debug(context, 'tagged.yml', 'v1', 'var=ansible_user', ['v1'], extra),
      debug(context, 'tagged.yml', 'v1', varsMessage(names), ['v1'], extra),
    ]);
    expect(ourDebug(tagged, 'v1', 'ansible_user', vault)).to.equal(user.get('v1')!.ansible_user).and.to.equal('sshpool-test');
    const theirs = message.get('v1')!.msg as Record<string, unknown>;
    const variables = new TemplatedVariables({ vault }).of(tagged.host('v1')!);
    for (const name of names) expect(variables.get(name), name).to.deep.equal(theirs[name]);
  });
});
