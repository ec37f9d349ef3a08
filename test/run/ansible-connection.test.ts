import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadInventory } from '../../src/inventory/index.js';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet, closedPort } from '../fleet/index.js';
import { generateKey } from '../fleet/keys.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { isolatedOptions } from '../helpers/fleet-hosts.js';

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Output> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** One host's result, as `ansible --tree DIR` writes it to DIR/HOST. */
interface AnsibleHostResult {
  rc?: number;
  stdout?: string;
  unreachable?: boolean;
  failed?: boolean;
  msg?: string;
}

/** The server's view of the session: login user, and the address and port it was reached on. */
const WHO_AND_WHERE = 'set -- $SSH_CONNECTION; echo "$(id -un) $3 $4"';
/** `cat` ends at once only on a closed stdin (Ansible's raw over SSH has a terminal there, so it is only in the local command). */
const LOCAL_VIEW = 'echo "$0"; id -un; pwd; cat';

/**
 * Which of two names of a connection var wins, proven against the real
 * Ansible: each host sets the old and the new name to different values, only
 * one of them right, and `ansible -m raw` must reach the fleet's sshd (or
 * fail) exactly where sshpool does, as the same user, address and port.
 * Skipped when ansible is not installed.
 */
describe('connection vars against the real Ansible (ansible -m raw on a fleet sshd)', function () {
  this.timeout(120_000);
  let fleet: Fleet;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let inventoryPath: string;

  before(async function () {
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-ansible-conn-'));
    await writeFile(path.join(scratch, 'ansible.cfg'), '');
    fleet = await Fleet.start({ hosts: 1 });
    env = {
      PATH: process.env.PATH,
      HOME: scratch,
      LANG: 'C.UTF-8',
      ANSIBLE_CONFIG: path.join(scratch, 'ansible.cfg'),
      ANSIBLE_LOCAL_TEMP: path.join(scratch, 'tmp'),
      ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(scratch, 'cp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_TIMEOUT: '5',
      // The same isolation sshpool gets from isolatedOptions(): only the fleet's known_hosts, no agent, no ssh_config, no multiplexing.
      ANSIBLE_SSH_ARGS: `-F /dev/null -o UserKnownHostsFile=${fleet.knownHostsPath} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes -o ControlMaster=no`,
    };
    if ((await run('ansible', ['--version'], env)).code !== 0) {
      process.stderr.write('      ansible is not installed (apt-get install ansible-core): skipping the comparison with Ansible\n');
      this.skip();
    }
    const host = fleet.host('h01');
    const wrongKey = path.join(scratch, 'not_authorized_key');
    await generateKey(wrongKey, 'not-authorized');
    const right = { host: host.address, port: host.port, user: fleet.user, key: fleet.userKeyPath };
    const wrong = { host: '127.0.0.2', port: await closedPort(), user: 'sshpool-nobody', key: wrongKey };
    const newNames = (v: typeof right) => ({ ansible_host: v.host, ansible_port: v.port, ansible_user: v.user, ansible_private_key_file: v.key });
    const oldNames = (v: typeof right) => ({ ansible_ssh_host: v.host, ansible_ssh_port: v.port, ansible_ssh_user: v.user, ansible_ssh_private_key_file: v.key });
    inventoryPath = path.join(scratch, 'hosts.yml');
    await writeFile(
      inventoryPath,
      stringify({
        all: {
          hosts: {
            new_first: { ...newNames(wrong), ...oldNames(right) },
            old_first: { ...oldNames(right), ...newNames(wrong) },
            // Control: the same two names the other way round, so it is the old name that decides, not luck.
            reversed: { ...newNames(right), ...oldNames(wrong) },
            // Ansible's config strips one pair of quotes around a string option.
            quoted: { ...newNames(right), ansible_user: `'${right.user}'`, ansible_host: `"${right.host}"` },
            ctl: { ...newNames(wrong), ansible_connection: 'local' },
            privileged: { ...oldNames(right), ansible_ssh_pass: 'pw-shown-by-both', ansible_become: 'yes', ansible_become_user: 'postgres', ansible_become_pass: 'become-pw' },
          },
          children: {
            old_in_group: { vars: oldNames(right), hosts: { group_old: newNames(wrong) } },
            new_in_group: { vars: newNames(wrong), hosts: { group_new: oldNames(right) } },
          },
        },
      }),
    );
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function ansibleRaw(pattern: string, command: string): Promise<Record<string, AnsibleHostResult>> {
    const tree = await mkdtemp(path.join(scratch, 'tree-'));
    const output = await run('ansible', [pattern, '-i', inventoryPath, '--tree', tree, '-m', 'raw', '-a', command], env);
    const hosts = await readdir(tree);
    expect(hosts, `ansible wrote no result: ${JSON.stringify(output)}`).to.not.be.empty;
    return Object.fromEntries(await Promise.all(hosts.map(async (host) => [host, JSON.parse(await readFile(path.join(tree, host), 'utf8'))] as const)));
  }

  it('connects where Ansible connects, as the same user to the same address and port, old names winning', async () => {
    const pattern = 'all:!ctl:!privileged';
    const [ansible, inventory] = await Promise.all([ansibleRaw(pattern, WHO_AND_WHERE), loadInventory([inventoryPath])]);
    const ours = await runCommand(inventory.select(pattern), WHO_AND_WHERE, isolatedOptions(fleet));
    const host = fleet.host('h01');
    const reached = `${fleet.user} ${host.address} ${host.port}`;
    const ansibleView = Object.fromEntries(
      Object.entries(ansible).map(([name, result]) => [name, result.unreachable ? 'unreachable' : (result.stdout ?? '').replace(/\r\n/g, '\n').trim()]),
    );
    const ourView = Object.fromEntries(ours.map((result) => [result.host, result.status === 'ok' ? result.stdout.trim() : result.status]));
    expect(ansibleView).to.deep.equal({
      new_first: reached,
      old_first: reached,
      reversed: 'unreachable',
      quoted: reached,
      group_old: reached,
      group_new: reached,
    });
    expect(ourView).to.deep.equal(ansibleView);
  });

  it('runs a local host’s command on this machine as Ansible’s local connection does', async () => {
    const ansible = await ansibleRaw('ctl', LOCAL_VIEW);
    const inventory = await loadInventory([inventoryPath]);
    const [ours] = await runCommand(inventory.select('ctl'), LOCAL_VIEW, isolatedOptions(fleet));
    expect(ansible.ctl!.rc).to.equal(0);
    expect(ours!.status).to.equal('ok');
    // Ansible ran in the same working directory as this test (execFile's default), as sshpool does.
    expect(ours!.stdout).to.equal(ansible.ctl!.stdout);
    expect(ours!.stdout).to.equal(`/bin/sh\n${ours!.user}\n${process.cwd()}\n`);
  });

  it('sshpool inventory --host shows passwords and become vars as ansible-inventory does', async () => {
    const [ansible, ours] = await Promise.all([
      run('ansible-inventory', ['-i', inventoryPath, '--host', 'privileged'], env),
      runCliProcess(['inventory', '-i', inventoryPath, '--host', 'privileged']),
    ]);
    expect(ours.stdout).to.equal(ansible.stdout);
    expect(JSON.parse(ours.stdout)).to.include({ ansible_ssh_pass: 'pw-shown-by-both', ansible_become: true, ansible_become_pass: 'become-pw' });
  });
});
