import { expect } from 'chai';
import { HostVariableError, TemplatedVariables, UnsafeText, VaultSecrets, VaultText } from '../../src/inventory/index.js';
import type { InventoryHost } from '../../src/inventory/index.js';
import { inventoryFrom } from './fixtures.js';

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

const VARS = { n: 5, s: 'Hello', l: [3, 1, 2], d: { a: 1, b: [1, 2] }, e: '', none: null, yes: 'yes', t: true, host: 'db1.example.com' };

/** [template, expected], against VARS: each Jinja feature inventories use, rendered as Ansible 2.14 renders it. */
const CASES: Array<[string, unknown]> = [
  // References, attribute and index access, and how results come back (ansible_eval_concat).
  ['{{ s }}', 'Hello'],
  ['{{ n }}', 5],
  ['{{ n + 1 }}', '6'],
  ['x{{ n }}', 'x5'],
  ['{{ l }}', [3, 1, 2]],
  ['{{ d }}', { a: 1, b: [1, 2] }],
  ['{{ d.a }}', '1'],
  ["{{ d['b'][1] }}", '2'],
  ['{{ d.b.0 }}', '1'],
  ['{{ l[-1] }}', '2'],
  ['{{ l[1:] }}', [1, 2]],
  ['{{ s[::-1] }}', 'olleH'],
  ['{{ t }}', true],
  ['{{ 1 == 1 }}', true],
  ['{{ none }}', null],
  ['a{{ none }}b', 'ab'],
  ['{{ [1, "a", none, True] }}', [1, 'a', null, true]],
  ['{{ "[1, 2]" }}', [1, 2]],
  ['{{ "True" | string }}', 'True'],
  ['{{ l | to_json }}', '[3, 1, 2]'],
  ['{{ {"k": n} }}', { k: 5 }],
  ['{{ (1, 2) }}', [1, 2]],
  // Operators with Python's meaning.
  ['{{ s ~ "-" ~ n }}', 'Hello-5'],
  ['{{ n * 2 - 1 }}', '9'],
  ['{{ 7 // 2 }}|{{ 7 % 3 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}', '3|1|2|1024'],
  ['{{ 10 / 4 }}', '2.5'],
  ['{{ [1] + [2] }}', [1, 2]],
  ['{{ "ab" * 2 }}', 'abab'],
  ['{{ "%s-%02d" % ("node", 7) }}', 'node-07'],
  ['{{ "1" == 1 }}', false],
  ['{{ 1 < n < 10 }}', true],
  ['{{ "b" in "abc" }}|{{ 3 in l }}|{{ "a" in d }}|{{ 9 not in l }}', 'True|True|True|True'],
  // Truth as Python's: empty lists and strings are false, `or` gives a value.
  ["{{ 'yes' if [] else 'no' }}", 'no'],
  ["{{ e or 'fallback' }}", 'fallback'],
  ["{{ s and n }}", '5'],
  ['{{ not e }}', true],
  ['{% if d %}full{% else %}empty{% endif %}', 'full'],
  ['{% for x in l %}{{ x }},{% endfor %}', '3,1,2,'],
  ['{% for k in d %}{{ k }}{% endfor %}', 'ab'],
  ['{% set x = n * 2 %}{{ x }}', '10'],
  // Tests.
  ['{{ nope is defined }}|{{ s is defined }}|{{ nope is undefined }}', 'False|True|True'],
  ['{{ none is none }}|{{ s is string }}|{{ n is number }}|{{ d is mapping }}|{{ l is iterable }}', 'True|True|True|True|True'],
  ["{{ host is match('db') }}|{{ host is search('example') }}|{{ host is match('example') }}", 'True|True|False'],
  ["{{ '2.10' is version('2.9', '>') }}|{{ n is divisibleby(5) }}|{{ n is odd }}", 'True|True|True'],
  // Filters.
  ["{{ nope | default('dflt') }}|{{ e | default('dflt') }}|{{ e | d('dflt', true) }}|{{ e | default('x', boolean=true) }}", 'dflt||dflt|x'],
  ['{{ s | lower }}{{ s | upper }}', 'helloHELLO'],
  ["{{ s | replace('l', 'L') }}|{{ s | replace('l', 'L', 1) }}", 'HeLLo|HeLlo'],
  ["{{ l | join(',') }}|{{ l | join }}", '3,1,2|312'],
  ["{{ '42' | int + 1 }}|{{ '4.7' | int }}|{{ 'x' | int }}|{{ 'x' | int(7) }}|{{ '0x1F' | int(base=16) }}", '43|4|0|7|31'],
  ["{{ '2.5' | float * 2 }}", '5'],
  ['{{ n | string }}', '5'],
  ["{{ yes | bool }}|{{ 'off' | bool }}|{{ 1 | bool }}", 'True|False|True'],
  ["{{ t | ternary('on', 'off') }}|{{ none | ternary('on', 'off', 'unset') }}", 'on|unset'],
  ['{{ l | length }}|{{ s | length }}|{{ d | count }}', '3|5|2'],
  ["{{ host | regex_replace('\\.example\\.com$', '') }}|{{ host | regex_replace('^(?P<h>\\w+)\\d', '\\g<h>-\\1') }}", 'db1|db-db.example.com'],
  ["{{ host | regex_search('\\d+') }}|{{ host | regex_search('(\\w+)\\.(\\w+)', '\\2') }}", '1|[\'example\']'],
  ["{{ host.split('.') }}", ['db1', 'example', 'com']],
  ["{{ host | split('.') | first }}|{{ (host | split('.'))[-1] }}|{{ 'a b  c' | split }}", "db1|com|['a', 'b', 'c']"],
  ["{{ host.split('.', 1) }}", ['db1', 'example.com']],
  ['{{ host.upper() }}|{{ host.startswith("db") }}|{{ "  x ".strip() }}', 'DB1.EXAMPLE.COM|True|x'],
  ['{{ d.keys() | list }}|{{ d.get("z", 0) }}', "['a', 'b']|0"],
  ['{{ l | first }}|{{ l | last }}|{{ l | min }}|{{ l | max }}|{{ l | sum }}', '3|2|1|3|6'],
  ['{{ l | sort }}', [1, 2, 3]],
  ["{{ ['b', 'A', 'a'] | sort }}|{{ ['b', 'A', 'a'] | unique }}", "['A', 'a', 'b']|['b', 'A']"],
  ["{{ [{'n': 'x'}, {'n': 'y'}] | map(attribute='n') | join('+') }}", 'x+y'],
  ["{{ ['a', 'B'] | map('upper') | list }}", ['A', 'B']],
  ["{{ l | select('odd') | list }}|{{ l | reject('odd') | list }}", '[3, 1]|[2]'],
  ["{{ [{'on': true, 'n': 1}, {'on': false, 'n': 2}] | selectattr('on') | map(attribute='n') | list }}", [1]],
  ["{{ d | dict2items | first }}", { key: 'a', value: 1 }],
  ["{{ {'a': 1} | combine({'b': 2}) }}", { a: 1, b: 2 }],
  ["{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=true) }}", { a: { x: 1, y: 2 } }],
  ["{{ [1, [2, [3]]] | flatten }}|{{ [1, [2, [3]]] | flatten(levels=1) }}", '[1, 2, 3]|[1, 2, [3]]'],
  ["{{ [1, 2] | union([2, 3]) }}|{{ [1, 2] | intersect([2, 3]) }}|{{ [1, 2] | difference([2, 3]) }}", '[1, 2, 3]|[2]|[1]'],
  ["{{ '  pad  ' | trim }}|{{ 'web server' | title }}|{{ 'wEB' | capitalize }}", 'pad|Web Server|Web'],
  ["{{ '/etc/ssh/sshd_config' | basename }}|{{ '/etc/ssh/sshd_config' | dirname }}", 'sshd_config|/etc/ssh'],
  ["{{ 'hi' | b64encode }}|{{ 'aGk=' | b64decode }}|{{ \"it's\" | quote }}", "aGk=|hi|'it'\"'\"'s'"],
  ["{{ d | to_json }}|{{ '{\"x\": [1]}' | from_json }}", '{"a": 1, "b": [1, 2]}|{\'x\': [1]}'],
  ['{{ 2.5 | round }}|{{ 3.5 | round }}|{{ 1.234 | round(1) }}|{{ -3 | abs }}', '2|4|1.2|3'],
  ['{{ range(3) | list }}|{{ dict(a=1) }}', "[0, 1, 2]|{'a': 1}"],
  ["{{ nope | mandatory('x') if false else 'ok' }}", 'ok'],
  // Backslashes in a string inside {{ }} stay as written, as Ansible keeps them.
  ["{{ 'a\\nb' }}", 'a\\nb'],
];

describe('templated inventory values (the Jinja engine, as Ansible 2.14 renders them)', () => {
  for (const [template, expected] of CASES) {
    it(template, () => {
      expect(render(template, VARS)).to.deep.equal(expected);
    });
  }

  it('gives a value with no template in it back as it is, and templates lists and dicts item by item', () => {
    expect(render('plain {text}')).to.equal('plain {text}');
    expect(render(['{{ n }}', 'x', 3, { k: '{{ s }}' }], VARS)).to.deep.equal([5, 'x', 3, { k: 'Hello' }]);
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
    expect(failure('{{ d.nope }}', VARS).message).to.match(/'dict object' has no attribute 'nope'$/);
    expect(failure('{{ l[7] }}', VARS).message).to.match(/list object has no element 7$/);
  });

  it('detects a loop through vars as Ansible does', () => {
    const error = failure('{{ a }}', { a: '{{ b }}', b: '{{ a }}' });
    expect(error.code).to.equal('INVENTORY_TEMPLATE');
    expect(error.message).to.match(/recursive loop detected in template string: a -> b -> a/);
  });

  it('fails on what the engine cannot evaluate, naming the reason but not the value', () => {
    expect(failure('{{ 1 + }}').message).to.equal("host 'web01.example.com': subject: template syntax error: unexpected token: }} (line 1, column 8 of the value)");
    expect(failure("secret{{ 'a' 'hunter2' }}").message).to.not.include('hunter2');
    expect(failure('{{ s | nofilter }}', VARS).message).to.match(/no filter named 'nofilter'/);
    expect(failure('{{ s + 1 }}', VARS).message).to.match(/unsupported operand type\(s\) for \+: 'str' and 'int'$/);
    expect(failure("{{ lookup('pipe', 'id') }}").message).to.match(/lookup plugin 'pipe' is not supported here/);
  });

  it('never templates an !unsafe value, and reads `default(omit)` as not set', () => {
    expect(render(new UnsafeText('{{ nope }}'))).to.equal('{{ nope }}');
    expect(render('{{ u }}-x', { u: new UnsafeText('{{ nope }}') })).to.equal('{{ nope }}-x');
    expect(render('{{ nope | default(omit) }}')).to.equal(undefined);
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
