import { bindArguments } from './arguments.js';
import { JinjaError } from './errors.js';
import { LazyMapping } from './lazy-mapping.js';
import { compare, defined, equals, isDict, iterate, toText, truthy, typeName } from './python.js';
import type { ComparisonOperator } from './python.js';
import { pythonRegExp } from './regex.js';
import { Undefined } from './undefined.js';

/** A Jinja test (`x is defined`, `x is version('2', '>=')`): the value first, then the test's own arguments. */
interface Test {
  parameters: readonly string[];
  /** `defined` and `undefined` look at an Undefined; every other test fails on one. */
  acceptsUndefined?: boolean;
  run(...values: any[]): boolean;
}

const numeric = (value: unknown) => typeof value === 'number' || typeof value === 'boolean';
const comparison = (operator: ComparisonOperator): Test => ({ parameters: ['value', 'other'], run: (value, other) => compare(operator, value, other) });

function regexTest(anchored: 'match' | 'search'): Test {
  return {
    parameters: ['value', 'pattern', 'ignorecase', 'multiline'],
    run: (value, pattern, ignorecase, multiline) => matches(value, pattern, ignorecase, multiline, anchored),
  };
}

function matches(value: unknown, pattern: unknown, ignorecase: unknown, multiline: unknown, kind: unknown): boolean {
  const regex = pythonRegExp(toText(pattern), { ignorecase: truthy(ignorecase ?? false), multiline: truthy(multiline ?? false) });
  const text = toText(value);
  if (kind === 'search') return regex.test(text);
  const match = regex.exec(text);
  return match !== null && match.index === 0 && (kind !== 'fullmatch' || match[0].length === text.length);
}

const TESTS: Record<string, Test> = {
  defined: { parameters: ['value'], acceptsUndefined: true, run: (value) => !(value instanceof Undefined) },
  undefined: { parameters: ['value'], acceptsUndefined: true, run: (value) => value instanceof Undefined },
  none: { parameters: ['value'], run: (value) => value === null },
  boolean: { parameters: ['value'], run: (value) => typeof value === 'boolean' },
  true: { parameters: ['value'], run: (value) => value === true },
  false: { parameters: ['value'], run: (value) => value === false },
  integer: { parameters: ['value'], run: (value) => typeof value === 'number' && Number.isInteger(value) },
  float: { parameters: ['value'], run: (value) => typeof value === 'number' && !Number.isInteger(value) },
  number: { parameters: ['value'], run: numeric },
  string: { parameters: ['value'], run: (value) => typeof value === 'string' },
  mapping: { parameters: ['value'], run: (value) => isDict(value) || value instanceof LazyMapping },
  iterable: { parameters: ['value'], run: (value) => typeof value === 'string' || Array.isArray(value) || isDict(value) || value instanceof LazyMapping },
  sequence: { parameters: ['value'], run: (value) => typeof value === 'string' || Array.isArray(value) || isDict(value) || value instanceof LazyMapping },
  callable: { parameters: ['value'], run: (value) => typeof value === 'function' },
  sameas: { parameters: ['value', 'other'], run: (value, other) => value === other || (numeric(value) && value === other) },
  eq: comparison('=='),
  ne: comparison('!='),
  lt: comparison('<'),
  le: comparison('<='),
  gt: comparison('>'),
  ge: comparison('>='),
  in: { parameters: ['value', 'seq'], run: (value, seq) => contains(seq, value) },
  divisibleby: { parameters: ['value', 'num'], run: (value, num) => Number(value) % Number(num) === 0 },
  even: { parameters: ['value'], run: (value) => Number(value) % 2 === 0 },
  odd: { parameters: ['value'], run: (value) => Math.abs(Number(value) % 2) === 1 },
  lower: { parameters: ['value'], run: (value) => toText(value) === toText(value).toLowerCase() },
  upper: { parameters: ['value'], run: (value) => toText(value) === toText(value).toUpperCase() },
  truthy: { parameters: ['value', 'convert_bool'], run: (value, convert) => truthy(truthy(convert ?? false) ? toBool(value) : value) },
  falsy: { parameters: ['value', 'convert_bool'], run: (value, convert) => !truthy(truthy(convert ?? false) ? toBool(value) : value) },
  match: regexTest('match'),
  search: regexTest('search'),
  regex: {
    parameters: ['value', 'pattern', 'ignorecase', 'multiline', 'match_type'],
    run: (value, pattern, ignorecase, multiline, type) => matches(value, pattern, ignorecase, multiline, type ?? 'search'),
  },
  version: { parameters: ['value', 'version', 'operator', 'strict', 'version_type'], run: (value, version, operator) => versionTest(value, version, operator) },
  subset: { parameters: ['value', 'superset'], run: (value, superset) => iterate(value).every((item) => contains(superset, item)) },
  superset: { parameters: ['value', 'subset'], run: (value, subset) => iterate(subset).every((item) => contains(value, item)) },
  contains: { parameters: ['seq', 'value'], run: (seq, value) => contains(seq, value) },
};

const ALIASES: Record<string, string> = {
  '==': 'eq', equalto: 'eq', '!=': 'ne', '<': 'lt', lessthan: 'lt', '<=': 'le', '>': 'gt', greaterthan: 'gt', '>=': 'ge', version_compare: 'version',
};

export function hasTest(name: string): boolean {
  return Object.hasOwn(TESTS, testName(name));
}

/** Ansible's names may be qualified: `ansible.builtin.version`. */
function testName(name: string): string {
  const short = name.replace(/^ansible\.(?:builtin|legacy)\./, '');
  return ALIASES[short] ?? short;
}

export function runTest(name: string, args: readonly unknown[]): boolean {
  const test = TESTS[testName(name)];
  if (!test) throw new JinjaError(`no test named '${name}'`);
  const { values } = bindArguments(`test '${name}'`, test.parameters, args, { required: 1 });
  if (!test.acceptsUndefined) values.forEach(defined);
  return test.run(...values);
}

/** Python's `item in container`: a substring, a list member (==), a mapping key. */
export function contains(container: unknown, item: unknown): boolean {
  defined(container);
  defined(item);
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new JinjaError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((member) => equals(member, item));
  if (container instanceof LazyMapping) return typeof item === 'string' && container.has(item);
  if (isDict(container)) return (typeof item === 'string' || typeof item === 'number') && Object.hasOwn(container, String(item));
  throw new JinjaError(`argument of type '${typeName(container)}' is not iterable`);
}

/** Ansible's `bool` filter (to_bool): yes/on/1/true in any case, and 1, are true; None stays None. */
export function toBool(value: unknown): boolean | null {
  if (value === null || typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.toLowerCase() : value;
  return text === 'yes' || text === 'on' || text === '1' || text === 'true' || text === 1;
}

const VERSION_OPERATORS: Record<string, ComparisonOperator> = {
  '==': '==', '=': '==', eq: '==', '<': '<', lt: '<', '<=': '<=', le: '<=', '>': '>', gt: '>', '>=': '>=', ge: '>=', '!=': '!=', '<>': '!=', ne: '!=',
};

/** Ansible's `version` test with its default LooseVersion: numbers compare as numbers, letters as text. */
function versionTest(value: unknown, version: unknown, operator: unknown): boolean {
  const op = VERSION_OPERATORS[operator === undefined ? 'eq' : toText(operator)];
  if (!op) throw new JinjaError(`invalid version comparison operator '${toText(operator)}'`);
  return compare(op, looseVersion(toText(value)), looseVersion(toText(version)));
}

function looseVersion(text: string): Array<number | string> {
  return text
    .split(/(\d+|[a-z]+|\.)/i)
    .filter((part) => part !== '' && part !== '.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
