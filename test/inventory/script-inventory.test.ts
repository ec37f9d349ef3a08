import { expect } from 'chai';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { InventoryError, InventoryUnparsedError, loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { names, tempFiles } from './fixtures.js';

/** Runs `script` (a /bin/sh body) as the inventory source `inv.sh`, from a temp directory that also holds `files`. */
async function fromScript(script: string, files: Record<string, string> = {}, mode = 0o755): Promise<Inventory | InventoryError> {
  const { dir, cleanup } = await tempFiles({ 'inv.sh': `#!/bin/sh\n${script}`, ...files });
  try {
    await chmod(join(dir, 'inv.sh'), mode);
    return await loadInventory(['inv.sh'], { cwd: dir });
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  } finally {
    await cleanup();
  }
}

async function scriptInventory(script: string, files?: Record<string, string>): Promise<Inventory> {
  const result = await fromScript(script, files);
  if (result instanceof InventoryError) throw result;
  return result;
}

/** The script's own failure, however many other formats were tried after it. */
async function scriptFailure(script: string, mode?: number): Promise<InventoryError> {
  const result = await fromScript(script, {}, mode);
  expect(result).to.be.instanceOf(InventoryError);
  return result instanceof InventoryUnparsedError ? result.attempts.find((attempt) => attempt.format === 'script')!.error : (result as InventoryError);
}

const json = (value: unknown) => `cat <<'EOF'\n${JSON.stringify(value)}\nEOF\n`;

describe('inventory scripts (Ansible script plugin)', () => {
  it('reads --list: groups as lists or {hosts, vars, children}, _meta.hostvars, groups in the order printed', async () => {
    // Written out, not JSON.stringify'd: a JavaScript object would put the key "10" first.
    const output = `{"web": {"hosts": ["web1", "web2"], "vars": {"http_port": 8080}, "children": ["canary"]}, "10": ["web2"],
      "canary": {"hosts": ["web2"]}, "bastion": {"ansible_host": "192.0.2.1"}, "_meta": {"hostvars": {"web1": {"weight": 2}}}}`;
    const inventory = await scriptInventory(`[ "$1" = --list ] || exit 9\ncat <<'EOF'\n${output}\nEOF\n`);
    // canary is created when web names it as a child, before "10" is read.
    expect([...inventory.groups.keys()]).to.deep.equal(['all', 'ungrouped', 'web', 'canary', '10', 'bastion']);
    expect(names(inventory.hosts)).to.deep.equal(['web1', 'web2', 'bastion']);
    expect(inventory.host('web1')!.vars).to.deep.equal({ http_port: 8080, weight: 2 });
    // A group mapping without hosts, vars or children is a host of that name, with those vars as the group's.
    expect(inventory.host('bastion')!.vars).to.deep.equal({ ansible_host: '192.0.2.1' });
    expect(inventory.host('web2')!.groups).to.include.members(['web', '10', 'canary']);
    expect(inventory.host('web1')!.origins!.weight).to.deep.equal({ file: 'inv.sh' });
  });

  it('runs --host NAME for each host when _meta.hostvars is absent, taking JSON or YAML', async () => {
    const inventory = await scriptInventory(
      `case "$1 $2" in\n  "--list ") ${json({ app: ['app1', 'app2'], _meta: {} })};;\n  "--host app1") echo '{"slot": 1}';;\n  "--host app2") printf 'slot: 2\\n';;\nesac\n`,
    );
    expect(inventory.host('app1')!.vars).to.deep.equal({ slot: 1 });
    expect(inventory.host('app2')!.vars).to.deep.equal({ slot: 2 });
  });

  it('runs the script from the working directory, with no shell and its input at end of file', async () => {
    const inventory = await scriptInventory(`read -r line; [ -z "$line" ] || exit 7\necho "{\\"here\\": [\\"$(cat marker)\\"], \\"_meta\\": {\\"hostvars\\": {}}}"\n`, {
      marker: 'from-cwd',
    });
    expect(names(inventory.hosts)).to.deep.equal(['from-cwd']);
  });

  it("passes on what a successful script wrote on stderr as a warning", async () => {
    const inventory = await scriptInventory(`echo 'cache is stale' >&2\n${json({ g: ['h'] , _meta: { hostvars: {} } })}`);
    expect(inventory.warnings).to.deep.equal(["'inv.sh --list' wrote on stderr:\n    cache is stale"]);
  });

  it("shows a failing script's exit status and stderr", async () => {
    const error = await scriptFailure("echo 'Traceback: no credentials' >&2\nexit 3\n");
    expect(error).to.include({ code: 'INVENTORY_SCRIPT', file: 'inv.sh' });
    expect(error.message).to.equal("inv.sh: 'inv.sh --list' exited with status 3; its stderr:\n    Traceback: no credentials");
  });

  it('says so when the script is killed, or cannot be run', async () => {
    expect((await scriptFailure('kill -TERM $$\n')).message).to.contain("'inv.sh --list' was killed by SIGTERM");
    expect((await scriptFailure('echo {}\n', 0o644)).message).to.contain("cannot run 'inv.sh --list': permission denied");
  });

  it('names the script, line and column when its output is not JSON, and shows nothing else as the inventory', async () => {
    const error = await scriptFailure("echo '{\"web\": [\"w1\",'\necho ']'\n");
    expect(error.message).to.equal("inv.sh: the output of 'inv.sh --list' is not JSON: expected a value, found \"]\" at line 2, column 1");
  });

  it('refuses output of the wrong shape, naming the group and the script', async () => {
    const shapes: Array<[unknown, RegExp]> = [
      [['web1'], /must print a JSON object of groups, not a list/],
      [{ web: { hosts: 'web1' } }, /group 'web': its hosts must be a list of host names, not the string "web1" \(in the output of 'inv.sh --list'\)/],
      [{ web: { hosts: [1] } }, /host names must be non-empty strings, found 1/],
      [{ web: { vars: [1] } }, /group 'web': its vars must be an object/],
      [{ web: { children: 'db' } }, /its children must be a list of group names/],
      [{ a: { children: ['b'] }, b: { children: ['a'] } }, /its own ancestor/],
      [{ web: ['w1'], _meta: { hostvars: { w1: null } } }, /the vars of host 'w1' from 'inv.sh' must be an object, not null/],
      [{ web: { hosts: ['w1'], vars: { ansible_port: 'x' } } }, /group 'web': ansible_port must be an integer/],
      [{ web: ['w1'], _meta: ['hostvars'] }, /'_meta' in the output of 'inv.sh --list' must be an object, not a list/],
    ];
    for (const [output, reason] of shapes) {
      const error = await scriptFailure(json(output));
      expect(error.message, JSON.stringify(output)).to.match(reason);
    }
  });

  it('fails when --host NAME fails, where Ansible would ignore its exit status', async () => {
    const error = await scriptFailure(`if [ "$1" = --list ]; then ${json({ g: ['h1'] })}else echo 'no such host' >&2; exit 4; fi\n`);
    expect(error.message).to.equal("inv.sh: 'inv.sh --host h1' exited with status 4; its stderr:\n    no such host");
  });

  it('refuses --host output that is empty or no object, as Ansible 2.14 does', async () => {
    const error = await scriptFailure(`if [ "$1" = --list ]; then ${json({ g: ['h1'] })}fi\n`);
    expect(error.message).to.match(/the vars of host 'h1' from 'inv.sh' must be an object, not null/);
  });
});
