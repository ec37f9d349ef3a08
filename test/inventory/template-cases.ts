/**
 * Each Jinja feature inventories use, as [template, what sshpool renders it
 * to with TEMPLATE_VARS, and what Ansible 2.14 renders when that differs on
 * purpose]. The unit test checks sshpool's value; the comparison with Ansible
 * (template-compat.test.ts) renders the same table with ansible itself.
 */
export const TEMPLATE_VARS: Record<string, unknown> = { n: 5, s: 'Hello', l: [3, 1, 2], d: { a: 1, b: [1, 2] }, e: '', none: null, yes: 'yes', t: true, host: 'db1.example.com' };

const CASES: Array<[string, unknown] | [string, unknown, unknown]> = [
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
  // A rendered literal goes through literal_eval: Python's numbers and adjacent strings, JSON's names (Json2Python).
  ['{{ "[1, 0x10, -2.5, 1_000, None, true, null, \'a\' \'b\']" }}', [1, 16, -2.5, 1000, null, true, null, 'ab']],
  ['{{ "{\'k\': (1, 2), 3: {}}" }}', { k: [1, 2], 3: {} }],
  // No literal (a name that is none of JSON's): the text stays.
  ['{{ "[1, yes]" }}', '[1, yes]'],
  ['{{ "True" | string }}', 'True'],
  ['{{ l | to_json }}', '[3, 1, 2]'],
  ['{{ {"k": n} }}', { k: 5 }],
  // A tuple is a list here (JSON has no tuples); Python prints it as (1, 2), which is no list literal.
  ['{{ (1, 2) }}', [1, 2], '(1, 2)'],
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
  // JavaScript has one number type: a float with an integral value prints without `.0`.
  ["{{ '2.5' | float * 2 }}", '5', '5.0'],
  ['{{ 10 / 5 }}', '2', '2.0'],
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
  ['{{ 2.5 | round }}|{{ 3.5 | round }}|{{ 1.234 | round(1) }}|{{ -3 | abs }}', '2|4|1.2|3', '2.0|4.0|1.2|3'],
  ['{{ range(3) | list }}|{{ dict(a=1) }}', "[0, 1, 2]|{'a': 1}"],
  ["{{ nope | mandatory('x') if false else 'ok' }}", 'ok'],
  // Backslashes in a string inside {{ }} stay as written, as Ansible keeps them.
  ["{{ 'a\\nb' }}", 'a\\nb'],
];


export interface TemplateCase {
  template: string;
  expected: unknown;
  /** Set when Ansible's value differs, for a reason the README gives. */
  ansible?: unknown;
}

export const TEMPLATE_CASES: readonly TemplateCase[] = CASES.map(([template, expected, ...ansible]) => ({ template, expected, ...(ansible.length ? { ansible: ansible[0] } : {}) }));
