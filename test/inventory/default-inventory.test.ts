import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmod, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { parseConfig } from '../../src/inventory/ansible-config.js';
import { findDefaultInventory, InventoryError } from '../../src/inventory/index.js';
import type { DefaultInventoryOptions } from '../../src/inventory/index.js';
import { tempFiles } from './fixtures.js';

const run = promisify(execFile);

/** ansible.cfg texts for Python's own configparser to judge: its value of [defaults] inventory, or the line it fails on. */
const CONFIG_TEXTS = [
  '[defaults]\ninventory = hosts\n',
  '[defaults]\nInventory: a.yml , b.yml ; a comment\n',
  '[defaults]\ninventory = a.yml;not a comment\n',
  '[defaults]\ninventory = a.yml # not a comment either\n',
  '# comment\n; comment\n[other]\nx = 1\n[defaults]\n  ; indented comment\ninventory =\n    a.yml,\n\n    b.yml\n\nforks = 5\n',
  '[defaults]\ninventory = a\n  [not a section]\n',
  '[DEFAULT]\ninventory = from_default\n[defaults]\nforks = 5\n',
  '[DEFAULT]\ninventory = from_default\n',
  '[defaults]\r\ninventory = crlf\r\n',
  '[defaults] trailing\ninventory = x\n',
  '[Defaults]\ninventory = x\n',
  'inventory = x\n',
  '[defaults]\ninventory = a\nINVENTORY = b\n',
  '[defaults]\n[defaults]\n',
  '[DEFAULT]\n[DEFAULT]\ninventory = twice\n[defaults]\n',
  '[defaults]\njust words\n',
  '[defaults]\n= value\n',
  '[]\n',
  '',
];

const PYTHON_CONFIGPARSER = `
import configparser, json, sys
out = []
for text in json.load(sys.stdin):
    parser = configparser.ConfigParser(inline_comment_prefixes=(';',))
    try:
        parser.read_string(text)
    except configparser.Error as error:
        line = getattr(error, 'lineno', None) or (error.errors[0][0] if getattr(error, 'errors', None) else None)
        out.append({'error': line})
        continue
    try:
        out.append({'value': parser.get('defaults', 'inventory', raw=True)})
    except (configparser.NoSectionError, configparser.NoOptionError):
        out.append({})
print(json.dumps(out))
`;

function ours(text: string): { value?: string; error?: number } {
  try {
    const sections = parseConfig('ansible.cfg', text);
    const value = sections.has('defaults') ? (sections.get('defaults')!.get('inventory') ?? sections.get('DEFAULT')?.get('inventory')) : undefined;
    return value === undefined ? {} : { value };
  } catch (error) {
    expect(error).to.be.instanceOf(InventoryError);
    return { error: (error as InventoryError).line };
  }
}

/** Keeps the machine's own configuration and environment out of a lookup. */
function isolated(home: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', ...env };
}

describe('the default inventory (no -i)', () => {
  describe("ansible.cfg read as Python's configparser reads it", () => {
    it('gives the same [defaults] inventory, or fails on the same line, for every sample', async function () {
      this.timeout(30_000);
      const output = await new Promise<string | undefined>((resolve, reject) => {
        const child = execFile('python3', ['-c', PYTHON_CONFIGPARSER], { encoding: 'utf8' }, (error, stdout) => {
          if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve(undefined);
          else if (error) reject(error);
          else resolve(stdout);
        });
        child.stdin!.end(JSON.stringify(CONFIG_TEXTS));
      });
      if (output === undefined) this.skip();
      const expected = JSON.parse(output!) as Array<{ value?: string; error?: number }>;
      CONFIG_TEXTS.forEach((text, index) => expect(ours(text), JSON.stringify(text)).to.deep.equal(expected[index]));
    });

    it('names the file, line and column of a syntax error, with the line quoted', () => {
      expect(() => parseConfig('/x/ansible.cfg', '[defaults]\ninventory = a\njust words\n'))
        .to.throw(InventoryError)
        .with.property('message')
        .that.matches(/^\/x\/ansible\.cfg:3:1: not a section header, a comment or an option/)
        .and.contains('3 | just words');
    });
  });

  describe('found as Ansible finds DEFAULT_HOST_LIST', () => {
    let root: string;
    let cleanup: () => Promise<void>;
    let ansible = true;

    before(async function () {
      this.timeout(30_000);
      ({ dir: root, cleanup } = await tempFiles({
        'home/.ansible.cfg': '[defaults]\ninventory = ~/home-inventory.yml\n',
        'work/ansible.cfg': '[defaults]\ninventory: work.yml , {{CWD}}/cwd.yml ; comment\n  ${EXTRA}/extra.yml,$NOSUCH/kept.yml\n',
        'cfgdir/ansible.cfg': '[defaults]\ninventory = sub/hosts.yml,/abs/hosts.yml, ../up.yml\n',
        'cfgdir/named.cfg': '[DEFAULT]\ninventory = from_default.yml\n[defaults]\nforks = 5\n',
        'cfgdir/empty.cfg': '[defaults]\nforks = 5\n',
        'cfgdir/odd.conf': '[defaults]\ninventory = x\n',
        'open/ansible.cfg': '[defaults]\ninventory = world-writable.yml\n',
        'plain/.keep': '',
      }));
      root = await realpath(root);
      // A directory anyone may write to: Ansible skips an ansible.cfg there.
      await chmod(join(root, 'open'), 0o777);
      ansible = await run('ansible-config', ['--version'], { env: isolated(join(root, 'home')) })
        .then(() => true)
        .catch(() => false);
    });
    after(() => cleanup());

    /** What ansible-config says DEFAULT_HOST_LIST is, in the same environment; undefined when it is Ansible's built-in default. */
    async function ansibleHostList(cwd: string, env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
      const { stdout } = await run('ansible-config', ['dump', '--only-changed'], { cwd, env, encoding: 'utf8' });
      const line = stdout.split('\n').find((text) => text.startsWith('DEFAULT_HOST_LIST('));
      if (!line) return undefined;
      return JSON.parse(line.slice(line.indexOf(' = ') + 3).replaceAll("'", '"')) as string[];
    }

    const SCENARIOS: Array<{ name: string; cwd: string; env: NodeJS.ProcessEnv }> = [
      { name: '$ANSIBLE_INVENTORY beats ansible.cfg, relative to the working directory', cwd: 'work', env: { ANSIBLE_INVENTORY: 'inv/a.yml, ~/b.yml,${EXTRA}/c.yml', EXTRA: '/extra' } },
      { name: '$ANSIBLE_CONFIG naming a directory, paths relative to the file', cwd: 'plain', env: { ANSIBLE_CONFIG: '../cfgdir' } },
      { name: '$ANSIBLE_CONFIG naming a file whose [DEFAULT] has the inventory', cwd: 'plain', env: { ANSIBLE_CONFIG: 'ROOT/cfgdir/named.cfg' } },
      { name: 'a missing $ANSIBLE_CONFIG falls through to ./ansible.cfg ({{CWD}}, $VARS, continued line)', cwd: 'work', env: { ANSIBLE_CONFIG: 'ROOT/nosuch.cfg', EXTRA: '/extra' } },
      { name: 'a world-writable working directory is skipped for ~/.ansible.cfg', cwd: 'open', env: {} },
      { name: '~/.ansible.cfg', cwd: 'plain', env: {} },
    ];

    for (const scenario of SCENARIOS) {
      it(scenario.name, async function () {
        this.timeout(30_000);
        const cwd = join(root, scenario.cwd);
        const env = isolated(join(root, 'home'), Object.fromEntries(Object.entries(scenario.env).map(([key, value]) => [key, value!.replace('ROOT', root)])));
        const found = await findDefaultInventory({ env, cwd, systemDir: join(root, 'no-etc') });
        if (ansible) expect(found.sources).to.deep.equal(await ansibleHostList(cwd, env));
        expect(found.sources).to.not.be.empty;
      });
    }

    it('says which file or variable named the sources, and warns about a skipped world-writable ./ansible.cfg', async () => {
      const home = join(root, 'home');
      const fromConfig = await findDefaultInventory({ env: isolated(home), cwd: join(root, 'open'), systemDir: join(root, 'no-etc') });
      expect(fromConfig.origin).to.equal(`inventory in [defaults] of ${join(home, '.ansible.cfg')}`);
      expect(fromConfig.sources).to.deep.equal([join(home, 'home-inventory.yml')]);
      expect(fromConfig.warnings).to.deep.equal([`${join(root, 'open', 'ansible.cfg')} ignored: ${join(root, 'open')} is world-writable (Ansible ignores it too)`]);
      const fromEnv = await findDefaultInventory({ env: isolated(home, { ANSIBLE_INVENTORY: 'x.yml' }), cwd: root });
      expect(fromEnv).to.include({ origin: '$ANSIBLE_INVENTORY' });
      // sshpool's own variable comes first and is one -i value, not a list of paths.
      const own = await findDefaultInventory({ env: isolated(home, { SSHPOOL_INVENTORY: 'web1,web2,', ANSIBLE_INVENTORY: 'x.yml' }), cwd: root });
      expect(own).to.include({ origin: '$SSHPOOL_INVENTORY' });
      expect(own.sources).to.deep.equal(['web1,web2,']);
    });

    it('drops empty items, which Ansible would read as the working directory', async function () {
      this.timeout(30_000);
      const env = isolated(join(root, 'nohome'), { ANSIBLE_INVENTORY: 'a.yml,,b.yml,' });
      const found = await findDefaultInventory({ env, cwd: join(root, 'plain'), systemDir: join(root, 'no-etc') });
      expect(found.sources).to.deep.equal([join(root, 'plain', 'a.yml'), join(root, 'plain', 'b.yml')]);
      const [a, b] = found.sources;
      if (ansible) expect(await ansibleHostList(join(root, 'plain'), env)).to.deep.equal([a, join(root, 'plain'), b, join(root, 'plain')]);
    });

    it("falls back to Ansible's /etc/ansible/hosts, else gives nothing and every place it looked", async () => {
      const { dir: etc, cleanup: removeEtc } = await tempFiles({ hosts: 'all: {}\n' });
      try {
        const options: DefaultInventoryOptions = { env: isolated(join(root, 'nohome'), { ANSIBLE_CONFIG: join(root, 'cfgdir', 'empty.cfg') }), cwd: join(root, 'plain') };
        expect((await findDefaultInventory({ ...options, systemDir: etc })).sources).to.deep.equal([join(etc, 'hosts')]);
        const none = await findDefaultInventory({ ...options, systemDir: join(root, 'no-etc') });
        expect(none.sources).to.deep.equal([]);
        expect(none.looked).to.deep.equal([
          '$SSHPOOL_INVENTORY (unset)',
          '$ANSIBLE_INVENTORY (unset)',
          `${join(root, 'cfgdir', 'empty.cfg')} (no inventory in [defaults])`,
          `${join(root, 'no-etc', 'hosts')} (not found)`,
        ]);
        const nothing = await findDefaultInventory({ env: isolated(join(root, 'nohome')), cwd: join(root, 'plain'), systemDir: join(root, 'no-etc') });
        expect(nothing.looked).to.deep.equal([
          '$SSHPOOL_INVENTORY (unset)',
          '$ANSIBLE_INVENTORY (unset)',
          '$ANSIBLE_CONFIG (unset)',
          `${join(root, 'plain', 'ansible.cfg')} (not found)`,
          `${join(root, 'nohome', '.ansible.cfg')} (not found)`,
          `${join(root, 'no-etc', 'ansible.cfg')} (not found)`,
          `${join(root, 'no-etc', 'hosts')} (not found)`,
        ]);
      } finally {
        await removeEtc();
      }
    });

    it('refuses an $ANSIBLE_CONFIG that is no .cfg or .ini file, as Ansible does', async () => {
      const env = isolated(join(root, 'home'), { ANSIBLE_CONFIG: join(root, 'cfgdir', 'odd.conf') });
      const error = await findDefaultInventory({ env, cwd: root }).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(UsageError).with.property('message').that.contains('odd.conf');
    });
  });
});
