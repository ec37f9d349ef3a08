import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { pingHosts, runCommand, streamCommand, streamPing } from '../../src/run/host-run.js';
import { becomeUnavailable, Fleet } from '../fleet/index.js';
import type { FleetHost } from '../fleet/index.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { isolatedOptions } from '../helpers/fleet-hosts.js';
import { clearLoginPassword, setLoginPassword } from '../helpers/login-password.js';

/** A loopback port that counts the TCP connections made to it: a host refused before connecting never adds one. */
async function countingPort(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('connection vars from the inventory, against a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;
  /** What reaching a fleet host takes, as inventory vars. */
  const reach = (host: FleetHost, extra: Record<string, unknown> = {}) => ({
    ansible_host: host.address,
    ansible_port: host.port,
    ansible_user: fleet.user,
    ansible_ssh_private_key_file: fleet.userKeyPath,
    ...extra,
  });
  const inventoryOf = async (hosts: Record<string, Record<string, unknown>>, file = 'hosts.yml'): Promise<{ path: string; inventory: Inventory }> => {
    const inventoryPath = path.join(scratch, file);
    await writeFile(inventoryPath, stringify({ all: { hosts } }));
    return { path: inventoryPath, inventory: await loadInventory([inventoryPath]) };
  };
  const cliBase = (inventoryPath: string) => ['-i', inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent'];

  before(async () => {
    // h02 refuses the user's key; ExposeAuthInfo lets a command see how its session authenticated ($SSH_USER_AUTH).
    fleet = await Fleet.start({ hosts: 2, refuseUserKey: ['h02'], sshdOptions: ['PasswordAuthentication yes', 'ExposeAuthInfo yes'] });
    scratch = await mkdtemp(path.join(tmpdir(), 'sshpool-conn-vars-'));
  });
  after(async () => {
    await fleet?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  describe('connection types', () => {
    it('refuses hosts of other connection types and with unusable vars, attempting nothing there, while the others run', async () => {
      const trap = await countingPort();
      try {
        const elsewhere = { ansible_host: '127.0.0.1', ansible_port: trap.port };
        const { inventory } = await inventoryOf({
          ssh: reach(fleet.host('h01')),
          smart: reach(fleet.host('h01'), { ansible_connection: 'smart' }),
          win: { ...elsewhere, ansible_connection: 'winrm' },
          ps: { ...elsewhere, ansible_connection: 'psrp' },
          box: { ...elsewhere, ansible_connection: 'community.docker.docker' },
          pod: { ...elsewhere, ansible_connection: 'kubernetes.core.kubectl' },
          typo: { ...elsewhere, ansible_user: ['a', 'b'] },
          here: { ansible_connection: 'local' },
        });
        const results = await runCommand(inventory.hosts, 'echo ran', isolatedOptions(fleet));
        expect(results.map((r) => [r.host, r.status, r.error?.code ?? null, r.stdout])).to.deep.equal([
          ['ssh', 'ok', null, 'ran\n'],
          ['smart', 'ok', null, 'ran\n'],
          ['win', 'skipped', 'CONNECTION_UNSUPPORTED', ''],
          ['ps', 'skipped', 'CONNECTION_UNSUPPORTED', ''],
          ['box', 'skipped', 'CONNECTION_UNSUPPORTED', ''],
          ['pod', 'skipped', 'CONNECTION_UNSUPPORTED', ''],
          ['typo', 'skipped', 'INVENTORY_VALUE', ''],
          ['here', 'ok', null, 'ran\n'],
        ]);
        const byHost = new Map(results.map((r) => [r.host, r]));
        expect(byHost.get('win')!.error!.message).to.match(/^.*hosts\.yml:\d+:\d+: host 'win': ansible_connection is 'winrm', which sshpool cannot use/);
        expect(byHost.get('box')!.error!.message).to.include("host 'box': ansible_connection is 'community.docker.docker'");
        expect(byHost.get('typo')!.error!.message).to.match(/hosts\.yml:\d+:\d+: host 'typo': ansible_user must be a string, found a list$/);
        expect(byHost.get('win')!.slot).to.equal(-1);
        expect(trap.connections()).to.equal(0);
        // The trap does count a connection, so the zero above means something.
        const [probe] = await pingHosts([{ name: 'probe', vars: elsewhere, groups: ['all'] }], isolatedOptions(fleet));
        expect(probe!.status).to.equal('unreachable');
        expect(trap.connections()).to.equal(1);
      } finally {
        await trap.close();
      }
    });

    it('sshpool run: refused hosts are listed as skipped with their code, and make the exit code 1 when all else is ok', async () => {
      const { path: inventoryPath } = await inventoryOf({ ssh: reach(fleet.host('h01')), win: { ansible_connection: 'winrm' } }, 'refused.yml');
      const { code, stdout, stderr } = await runCliProcess(['run', ...cliBase(inventoryPath), '--', 'echo ran']);
      expect(stdout).to.equal('ssh: ran\n');
      expect(stderr).to.match(/win: \[skipped\] CONNECTION_UNSUPPORTED: .*host 'win': ansible_connection is 'winrm'/);
      expect(code).to.equal(1);
    });
  });

  describe('become', () => {
    const becoming = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ name: `b${index + 1}`, vars: { ansible_connection: 'local', ansible_become: 'yes' }, groups: ['all'] }));

    it('applies ansible_become per host, with no warning (local hosts as root: sudo to root asks nothing); ping does not become', async function () {
      if (await becomeUnavailable()) this.skip();
      const events: string[] = [];
      const stream = streamCommand([...becoming(5), { name: 'plain', vars: { ansible_connection: 'local', ansible_become_user: 'nobody' }, groups: ['all'] }], 'id -un', isolatedOptions(fleet));
      stream.on('warning', (message) => events.push(`warning: ${message}`));
      const results = await stream.results;
      expect(events).to.deep.equal([]);
      expect(results.map((r) => [r.host, r.status, r.stdout])).to.deep.equal([
        ...becoming(5).map((host) => [host.name, 'ok', 'root\n']),
        ['plain', 'ok', `${userInfo().username}\n`],
      ]);

      const pinged = streamPing(becoming(2));
      const warnings: string[] = [];
      pinged.on('warning', (message) => warnings.push(message));
      await pinged.results;
      expect(warnings).to.deep.equal([]);
      // ansible_become false, or only the companions set, asks for nothing.
      const quiet = streamCommand([{ name: 'q', vars: { ansible_connection: 'local', ansible_become: false, ansible_become_user: 'root' }, groups: ['all'] }], 'true', {});
      quiet.on('warning', (message) => warnings.push(message));
      await quiet.results;
      expect(warnings).to.deep.equal([]);
    });
  });

  describe('passwords from the inventory', () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    /** How the session logged in, as sshd says it: "publickey" or "password". */
    const authMethod = 'cut -d" " -f1 "$SSH_USER_AUTH"';

    before(async function () {
      if (process.getuid?.() !== 0) this.skip();
      await setLoginPassword(fleet.user, password);
    });
    after(async () => {
      if (process.getuid?.() === 0) await clearLoginPassword(fleet.user);
    });

    it('logs in with ansible_password (or the old name, which wins) after keys, and keeps it out of the records', async () => {
      const { inventory } = await inventoryOf({
        key_first: reach(fleet.host('h01'), { ansible_password: password }),
        by_password: reach(fleet.host('h02'), { ansible_password: password }),
        old_name_wins: reach(fleet.host('h02'), { ansible_ssh_pass: password, ansible_password: wrong }),
        wrong_password: reach(fleet.host('h02'), { ansible_password: wrong }),
        no_password: reach(fleet.host('h02')),
      });
      const results = await runCommand(inventory.hosts, authMethod, isolatedOptions(fleet));
      expect(results.map((r) => [r.host, r.status, r.error?.code ?? null, r.stdout])).to.deep.equal([
        ['key_first', 'ok', null, 'publickey\n'],
        ['by_password', 'ok', null, 'password\n'],
        ['old_name_wins', 'ok', null, 'password\n'],
        ['wrong_password', 'unreachable', 'AUTH_FAILED', ''],
        ['no_password', 'unreachable', 'AUTH_FAILED', ''],
      ]);
      expect(JSON.stringify(results)).to.not.include(password).and.not.include(wrong);
    });

    it('takes a password typed for the run (--ask-pass) over the inventory’s', async () => {
      const { inventory } = await inventoryOf({ h: reach(fleet.host('h02'), { ansible_password: wrong }) });
      const [result] = await runCommand(inventory.hosts, authMethod, { ...isolatedOptions(fleet), passwordPrompt: async () => password });
      expect([result!.status, result!.stdout]).to.deep.equal(['ok', 'password\n']);
    });

    it('sshpool run: no password or become password in stdout, stderr, the results file or the report, whatever happens to the host', async () => {
      const secrets = {
        login: password,
        wrongLogin: wrong,
        become: `become-${randomBytes(8).toString('hex')}`,
        inList: `listed-${randomBytes(8).toString('hex')}`,
        local: `local-${randomBytes(8).toString('hex')}`,
      };
      const { path: inventoryPath } = await inventoryOf(
        {
          right: reach(fleet.host('h02'), { ansible_ssh_pass: secrets.login, ansible_become: true, ansible_become_pass: secrets.become }),
          wrong: reach(fleet.host('h02'), { ansible_password: secrets.wrongLogin }),
          listed: reach(fleet.host('h02'), { ansible_password: [secrets.inList] }),
          here: { ansible_connection: 'local', ansible_password: secrets.local, ansible_become: 'yes', ansible_become_password: secrets.become },
        },
        'secrets.yml',
      );
      const resultsPath = path.join(scratch, 'results.json');
      const reportPath = path.join(scratch, 'report.html');
      const run = await runCliProcess([
        'run', ...cliBase(inventoryPath), '-o', 'json', '--summary', '--results', resultsPath, '--report', reportPath, '--', 'echo in',
      ]);
      const records = JSON.parse(run.stdout) as Array<{ host: string; status: string; error: { code: string } | null }>;
      // The login user has no sudo rule: its become password is sent, refused, and the host fails without saying it.
      expect(records.map((r) => [r.host, r.status, r.error?.code ?? null])).to.deep.equal([
        ['right', 'failed', 'BECOME_FAILED'],
        ['wrong', 'unreachable', 'AUTH_FAILED'],
        ['listed', 'skipped', 'INVENTORY_VALUE'],
        ['here', 'ok', null],
      ]);
      expect(run.code).to.equal(4);
      const written = { stdout: run.stdout, stderr: run.stderr, results: await readFile(resultsPath, 'utf8'), report: await readFile(reportPath, 'utf8') };
      for (const [where, text] of Object.entries(written)) {
        for (const [which, secret] of Object.entries(secrets)) expect(text, `${which} secret in ${where}`).to.not.include(secret);
      }
      // The inventory listing does show them, as ansible-inventory does (test/run/ansible-connection.test.ts compares the two).
      const listed = await runCliProcess(['inventory', '-i', inventoryPath, '--host', 'right']);
      expect(JSON.parse(listed.stdout)).to.deep.include({ ansible_ssh_pass: secrets.login, ansible_become: true, ansible_become_pass: secrets.become });
    });
  });
});
