import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HostVariableError, TemplatedVariables, UnsafeText, VaultSecrets, VaultText } from '../../src/inventory/index.js';
import type { InventoryHost } from '../../src/inventory/index.js';
import { inventoryFrom } from './fixtures.js';
import { TEMPLATE_CASES, TEMPLATE_VARS } from './template-cases.js';

/** A host made by hand, as a library caller would: its vars are its whole scope. */
function host(vars: Record<string, unknown>, name = 'web01.example.com'): InventoryHost {
  return { name, vars, groups: ['all', 'web', 'prod'] };
}

/** The templated value of `value` for a host with `vars`. */
function render(value: unknown, vars: Record<string, unknown> = {}): unknown {
  return new TemplatedVariables().of(host({ ...vars, subject: value })).get('subject');
}

function failure(value: unknown, vars: Record<string, unknown> = {}): HostVariableError {
  try {
    render(value, vars);
  } catch (error) {
    expect(error).to.be.instanceOf(HostVariableError);
    return error as HostVariableError;
  }
  throw new Error(`expected ${JSON.stringify(value)} to fail`);
}

describe('templated inventory values (the Jinja engine, as Ansible 2.14 renders them)', () => {
  for (const { template, expected } of TEMPLATE_CASES) {
    it(template, () => {
      expect(render(template, TEMPLATE_VARS)).to.deep.equal(expected);
    });
  }

  it('gives a value with no template in it back as it is, and templates lists and dicts item by item', () => {
    expect(render('plain {text}')).to.equal('plain {text}');
    expect(render(['{{ n }}', 'x', 3, { k: '{{ s }}' }], TEMPLATE_VARS)).to.deep.equal([5, 'x', 3, { k: 'Hello' }]);
  });

  it('follows vars that reference vars, and gives the magic vars of the host', () => {
    const variables = new TemplatedVariables().of(host({ a: '{{ b }}-a', b: '{{ c | upper }}', c: 'c' }));
    expect(variables.get('a')).to.equal('C-a');
    const magic = new TemplatedVariables().of(host({ v: '{{ inventory_hostname }} {{ inventory_hostname_short }} {{ group_names | join(",") }}' }));
    expect(magic.get('v')).to.equal('web01.example.com web01 prod,web');
    expect(new TemplatedVariables().of(host({ v: '{{ inventory_hostname_short }}' }, '10.0.0.1')).get('v')).to.equal('10.0.0.1');
  });

  it('fails on an undefined variable, naming it and the vars it was reached through', () => {
    const error = failure('{{ ipmi_user }}');
    expect(error.code).to.equal('INVENTORY_TEMPLATE');
    expect(error.message).to.equal("host 'web01.example.com': subject: 'ipmi_user' is undefined");
    const chained = failure('{{ a }}', { a: '{{ b }}', b: '{{ nope }}' });
    expect(chained.message).to.equal("host 'web01.example.com': subject: 'nope' is undefined (through a, b)");
    for (const use of ['{{ nope + 1 }}', '{{ nope | lower }}', '{{ nope.x.y }}', "{{ 'a' if nope else 'b' }}", '{% for x in nope %}{% endfor %}', '{{ nope == 1 }}']) {
      expect(failure(use).message, use).to.match(/'nope' is undefined$/);
    }
    expect(failure('{{ d.nope }}', TEMPLATE_VARS).message).to.match(/'dict object' has no attribute 'nope'$/);
    expect(failure('{{ l[7] }}', TEMPLATE_VARS).message).to.match(/list object has no element 7$/);
  });

  it('detects a loop through vars as Ansible does', () => {
    const error = failure('{{ a }}', { a: '{{ b }}', b: '{{ a }}' });
    expect(error.code).to.equal('INVENTORY_TEMPLATE');
    expect(error.message).to.match(/recursive loop detected in template string: a -> b -> a/);
  });

  it('fails a chain of vars too deep for the stack as a template error of that host, not a crash', () => {
    const vars: Record<string, unknown> = { v3000: 'end' };
    for (let index = 0; index < 3000; index += 1) vars[`v${index}`] = `{{ v${index + 1} }}`;
    // Node's default: mocha records whole stacks, which at this depth takes seconds per error.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 10;
    let error: HostVariableError;
    try {
      error = failure('{{ v0 }}', vars);
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(error.code).to.equal('INVENTORY_TEMPLATE');
    expect(error.message).to.match(/^host 'web01\.example\.com': subject: templates nested too deeply \(a recursive loop\?\) \(through v0, v1, v2, \d+ more, v\d+, v\d+\)$/);
  });

  it('fails on what the engine cannot evaluate, naming the reason but not the value', () => {
    expect(failure('{{ 1 + }}').message).to.equal("host 'web01.example.com': subject: template syntax error: unexpected token: }} (line 1, column 8 of the value)");
    expect(failure("secret{{ 'a' 'hunter2' }}").message).to.not.include('hunter2');
    expect(failure("{{ x | default('a' 'hunter2') }}").message).to.not.include('hunter2');
    expect(failure('{{ s | nofilter }}', TEMPLATE_VARS).message).to.match(/no filter named 'nofilter'/);
    expect(failure('{{ s + 1 }}', TEMPLATE_VARS).message).to.match(/unsupported operand type\(s\) for \+: 'str' and 'int'$/);
    expect(failure("{{ lookup('pipe', 'id') }}").message).to.match(/lookup plugin 'pipe' is not supported here/);
  });

  it('never templates an !unsafe value, and reads `default(omit)` as not set', () => {
    expect(render(new UnsafeText('{{ nope }}'))).to.equal('{{ nope }}');
    expect(render('{{ u }}-x', { u: new UnsafeText('{{ nope }}') })).to.equal('{{ nope }}-x');
    expect(render('{{ nope | default(omit) }}')).to.equal(undefined);
  });

  it('loads the template engine only when a value holds a template', async () => {
    // A fresh process: in this one, other tests have loaded it already.
    const script = `
      import { createRequire } from 'node:module';
      import { TemplatedVariables } from ${JSON.stringify(new URL('../../src/inventory/index.js', import.meta.url).href)};
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/nunjucks/'));
      const variables = new TemplatedVariables();
      const before = [variables.of({ name: 'h', vars: { ansible_user: 'plain', port: 22 }, groups: ['all'] }).get('ansible_user'), loaded()];
      const after = [variables.of({ name: 'h', vars: { ansible_user: '{{ 1 + 1 }}' }, groups: ['all'] }).get('ansible_user'), loaded()];
      console.log(JSON.stringify([before, after]));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).to.deep.equal([['plain', false], ['2', true]]);
  });

  it('reads env lookups', () => {
    process.env.SSHPOOL_TEMPLATE_TEST = 'from-env';
    try {
      expect(render("{{ lookup('env', 'SSHPOOL_TEMPLATE_TEST') }}|{{ lookup('env', 'SSHPOOL_NOT_SET') }}")).to.equal('from-env|');
    } finally {
      delete process.env.SSHPOOL_TEMPLATE_TEST;
    }
  });

  describe('hostvars and groups of an inventory', () => {
    const YAML = `
all:
  vars: {domain: example.com}
  children:
    web:
      hosts:
        web1: {ansible_host: "10.0.0.1", url: "https://{{ inventory_hostname }}.{{ domain }}"}
        web2: {ansible_host: "10.0.0.2", broken: "{{ nope }}"}
    db:
      hosts:
        db1:
          peers: "{{ groups['web'] | map('extract', hostvars, 'ansible_host') | join(',') }}"
          first_url: "{{ hostvars['web1'].url }}"
          broken: "{{ hostvars['web2'].broken }}"
          missing: "{{ hostvars['web9'] }}"
          all_hosts: "{{ groups.all }}"
`;

    it("reads other hosts' vars templated in their own scope, and the groups' hosts", async () => {
      const inventory = await inventoryFrom(YAML);
      const db1 = new TemplatedVariables().of(inventory.host('db1')!);
      expect(db1.get('peers')).to.equal('10.0.0.1,10.0.0.2');
      expect(db1.get('first_url')).to.equal('https://web1.example.com');
      expect(db1.get('all_hosts')).to.deep.equal(['web1', 'web2', 'db1']);
      // As Ansible's HostVarsVars: a var of another host that reads an undefined variable is left untemplated.
      expect(db1.get('broken')).to.equal('{{ nope }}');
    });

    it('names the file and line of a failing value, and the host it is for', async () => {
      const inventory = await inventoryFrom(YAML);
      const error = (() => {
        try {
          return new TemplatedVariables().of(inventory.host('db1')!).get('missing');
        } catch (caught) {
          return caught;
        }
      })() as HostVariableError;
      expect(error).to.be.instanceOf(HostVariableError);
      expect(error).to.include({ code: 'INVENTORY_TEMPLATE', host: 'db1', variable: 'missing', file: 'inventory.yml', line: 15, column: 11 });
      expect(error.message).to.equal(`inventory.yml:15:11: host 'db1': missing: "hostvars['web9']" is undefined`);
    });

    it('templates nothing until a var is read', async () => {
      const inventory = await inventoryFrom(YAML);
      const web2 = new TemplatedVariables().of(inventory.host('web2')!);
      expect(web2.get('ansible_host')).to.equal('10.0.0.2');
      expect(() => web2.get('broken')).to.throw(HostVariableError, /'nope' is undefined/);
    });
  });

  describe('!vault values', () => {
    // Made with ansible-vault 2.14: `ansible-vault encrypt_string --vault-password-file pw 'sshpool-test'` (password hunter2),
    // and with `--vault-id prod@pw 'v12secret'`.
    const V11 = new VaultText(
      '$ANSIBLE_VAULT;1.1;AES256\n32613530393061303933616366393264646237616337653131623063363430643037663736633433\n3666376632366464346639356334306537626665346163650a623562343962653936626133386430\n62633933626138616635303564346536306539653266363431636466633063613531633336363932\n3538316664616335300a376430336633656231353932353565326335306338343232326262626430\n3662\n',
    );
    const V12 = new VaultText(
      '$ANSIBLE_VAULT;1.2;AES256;prod\n30306365393731393237646333333264353436373031353532353435393566326335343762373465\n3236303464316665353936306161343734346366363961370a373338343364383730636163323137\n34663563356165363131333962666366623834616461353231326238346664373239373433636533\n3439643339316161360a303833306465643537613761633632613530313061376538643636633463\n6361\n',
    );

    it('decrypts 1.1 and 1.2 values with the password that fits, when a var needs them', () => {
      const variables = new TemplatedVariables({ vault: new VaultSecrets(['wrong', 'hunter2']) }).of(host({ user: V11, other: V12, ref: '{{ other }}-x' }));
      expect(variables.get('user')).to.equal('sshpool-test');
      expect(variables.get('ref')).to.equal('v12secret-x');
    });

    it('fails only the var that needs one without a password, or with none that fits, never showing a secret', () => {
      const vars = { user: V11, ref: '{{ user }}', plain: 'ok' };
      const without = new TemplatedVariables().of(host(vars));
      expect(without.get('plain')).to.equal('ok');
      expect(() => without.get('ref')).to.throw(HostVariableError, /ref: a !vault value is needed and no vault password was given .* \(through user\)/);
      const wrong = new TemplatedVariables({ vault: new VaultSecrets(['not-it']) }).of(host({ other: V12 }));
      let error: HostVariableError | undefined;
      try {
        wrong.get('other');
      } catch (caught) {
        error = caught as HostVariableError;
      }
      expect(error).to.include({ code: 'INVENTORY_VAULT' });
      expect(error!.message).to.equal("host 'web01.example.com': other: no vault password given decrypts this !vault value (vault id 'prod'): tried 1");
      const secrets = new VaultSecrets(['hunter2']);
      expect(`${JSON.stringify(secrets)} ${String(secrets)}`).to.not.include('hunter2');
      const broken = new TemplatedVariables({ vault: secrets }).of(host({ v: new VaultText('$ANSIBLE_VAULT;9.9;ROT13\n00\n') }));
      expect(() => broken.get('v')).to.throw(HostVariableError, /not an Ansible vault value/);
    });
  });
});
