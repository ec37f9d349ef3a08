import { posix } from 'node:path';
import { shellQuote } from '../../shell-quote.js';
import { bindArguments, splitKeywords } from './arguments.js';
import { JinjaError } from './errors.js';
import { LazyMapping } from './lazy-mapping.js';
import { getAttribute, getItem, pythonCapitalize, pythonReplace, pythonSplit, pythonStrip } from './members.js';
import { compare, defined, equals, isDict, iterate, length, materialize, toText, truthy, typeName } from './python.js';
import type { Dict } from './python.js';
import { pythonRegExp, pythonReplacement, pythonSub } from './regex.js';
import { contains, hasTest, runTest, toBool } from './tests.js';
import { Undefined } from './undefined.js';

/**
 * The filters inventories use, from Jinja (default, join, int, map, ...) and
 * Ansible (bool, ternary, regex_replace, split, combine, ...), each with its
 * Python signature, so keyword arguments (`default('x', boolean=true)`) work.
 */
interface Filter {
  /** The filtered value first. */
  parameters: readonly string[];
  /** How many parameters must be given (default 1: the value). */
  required?: number;
  /** Takes further positional arguments (`map('replace', 'a', 'b')`). */
  rest?: boolean;
  /** `default`, `d` and `mandatory` look at an Undefined; every other filter fails on one, as with StrictUndefined. */
  acceptsUndefined?: boolean;
  /** Ansible's STRING_TYPE_FILTERS: a template made of this filter's result alone stays a string. */
  text?: boolean;
  run(...values: any[]): unknown;
}

const stringFilter = (change: (text: string) => string): Filter => ({ parameters: ['value'], run: (value) => change(toText(value)) });

const FILTERS: Record<string, Filter> = {
  default: {
    parameters: ['value', 'default_value', 'boolean'],
    acceptsUndefined: true,
    run: (value, fallback = '', boolean = false) => (value instanceof Undefined || (truthy(boolean) && !truthy(value)) ? fallback : value),
  },
  mandatory: {
    parameters: ['value', 'msg'],
    acceptsUndefined: true,
    run: (value, msg) => {
      if (!(value instanceof Undefined)) return value;
      throw new JinjaError(msg === undefined ? `mandatory variable not defined: ${value.message}` : toText(msg));
    },
  },
  lower: stringFilter((text) => text.toLowerCase()),
  upper: stringFilter((text) => text.toUpperCase()),
  capitalize: stringFilter(pythonCapitalize),
  title: stringFilter((text) => text.split(/([-\s({[<]+)/).map((part) => (part ? pythonCapitalize(part) : part)).join('')),
  trim: { parameters: ['value', 'chars'], run: (value, chars) => pythonStrip(toText(value), chars, 'both') },
  replace: { parameters: ['value', 'old', 'new', 'count'], required: 3, run: (value, old, replacement, count) => pythonReplace(toText(value), toText(old), toText(replacement), count) },
  string: { parameters: ['value'], text: true, run: (value) => toText(value) },
  int: { parameters: ['value', 'default', 'base'], run: (value, fallback = 0, base = 10) => toInt(value, fallback, Number(base)) },
  float: { parameters: ['value', 'default'], run: (value, fallback = 0) => toFloat(value) ?? fallback },
  bool: { parameters: ['value'], run: toBool },
  abs: { parameters: ['value'], run: (value) => Math.abs(number(value, 'abs')) },
  round: { parameters: ['value', 'precision', 'method'], run: (value, precision = 0, method = 'common') => round(number(value, 'round'), Number(precision), toText(method)) },
  length: { parameters: ['value'], run: length },
  first: { parameters: ['value'], run: (value) => iterate(value)[0] ?? new Undefined('No first item, sequence was empty.') },
  last: { parameters: ['value'], run: (value) => iterate(value).at(-1) ?? new Undefined('No last item, sequence was empty.') },
  list: { parameters: ['value'], run: (value) => [...iterate(value)] },
  reverse: { parameters: ['value'], run: (value) => (typeof value === 'string' ? [...value].reverse().join('') : [...iterate(value)].reverse()) },
  join: {
    parameters: ['value', 'd', 'attribute'],
    run: (value, separator = '', attribute) => iterate(value).map((item) => toText(defined(attribute === undefined ? item : attributeOf(item, attribute)))).join(toText(separator)),
  },
  sort: {
    parameters: ['value', 'reverse', 'case_sensitive', 'attribute'],
    run: (value, reverse = false, caseSensitive = false, attribute) => {
      const key = sortKey(truthy(caseSensitive), attribute);
      const sorted = [...iterate(value)].sort((a, b) => (compare('<', key(a), key(b)) ? -1 : compare('>', key(a), key(b)) ? 1 : 0));
      return truthy(reverse) ? sorted.reverse() : sorted;
    },
  },
  unique: {
    parameters: ['value', 'case_sensitive', 'attribute'],
    run: (value, caseSensitive = false, attribute) => {
      const key = sortKey(truthy(caseSensitive), attribute);
      const kept: unknown[] = [];
      for (const item of iterate(value)) if (!kept.some((other) => equals(key(other), key(item)))) kept.push(item);
      return kept;
    },
  },
  min: { parameters: ['value', 'case_sensitive', 'attribute'], run: (value, caseSensitive = false, attribute) => extreme(value, '<', truthy(caseSensitive), attribute) },
  max: { parameters: ['value', 'case_sensitive', 'attribute'], run: (value, caseSensitive = false, attribute) => extreme(value, '>', truthy(caseSensitive), attribute) },
  sum: {
    parameters: ['value', 'attribute', 'start'],
    run: (value, attribute, start = 0) => iterate(value).reduce((total: number, item) => total + number(attribute === undefined ? item : attributeOf(item, attribute), 'sum'), number(start, 'sum')),
  },
  map: {
    parameters: ['value'],
    rest: true,
    run: (value, ...args: unknown[]) => {
      const { values: [attribute, fallback], positional } = splitKeywords('filter map', args, ['attribute', 'default']);
      if (attribute !== undefined) {
        return iterate(value).map((item) => {
          const found = attributeOf(item, attribute);
          return found instanceof Undefined && fallback !== undefined ? fallback : found;
        });
      }
      const [name, ...filterArgs] = positional;
      if (typeof name !== 'string') throw new JinjaError('map needs a filter name or attribute=');
      return iterate(value).map((item) => runFilter(name, [item, ...filterArgs]));
    },
  },
  select: { parameters: ['value'], rest: true, run: (value, ...args: unknown[]) => selectItems(value, args, false, undefined) },
  reject: { parameters: ['value'], rest: true, run: (value, ...args: unknown[]) => selectItems(value, args, true, undefined) },
  selectattr: { parameters: ['value', 'attribute'], required: 2, rest: true, run: (value, attribute, ...args: unknown[]) => selectItems(value, args, false, attribute) },
  rejectattr: { parameters: ['value', 'attribute'], required: 2, rest: true, run: (value, attribute, ...args: unknown[]) => selectItems(value, args, true, attribute) },
  items: { parameters: ['value'], run: (value) => dictItems(value) },
  dict2items: {
    parameters: ['value', 'key_name', 'value_name'],
    run: (value, keyName = 'key', valueName = 'value') => dictItems(value).map(([key, item]) => ({ [toText(keyName)]: key, [toText(valueName)]: item })),
  },
  items2dict: {
    parameters: ['value', 'key_name', 'value_name'],
    run: (value, keyName = 'key', valueName = 'value') => Object.fromEntries(iterate(value).map((item) => [toText(getItem(item, keyName)), defined(getItem(item, valueName))])),
  },
  combine: {
    parameters: ['value'],
    rest: true,
    run: (value, ...args: unknown[]) => {
      const { values: [recursive, listMerge], positional: rest } = splitKeywords('filter combine', args, ['recursive', 'list_merge']);
      if (listMerge !== undefined && listMerge !== 'replace') throw new JinjaError(`combine: list_merge='${toText(listMerge)}' is not supported`);
      const dicts = [...(Array.isArray(value) ? value : [value]), ...rest].map((item) => asDict(item, 'combine'));
      return dicts.reduce((merged, next) => merge(merged, next, truthy(recursive ?? false)), {});
    },
  },
  extract: {
    parameters: ['item', 'container', 'morekeys'],
    required: 2,
    run: (item, container, morekeys) => {
      const keys = morekeys === undefined ? [item] : Array.isArray(morekeys) ? [item, ...morekeys] : [item, morekeys];
      return keys.reduce((found, key) => getItem(found, key), container);
    },
  },
  flatten: {
    parameters: ['value', 'levels', 'skip_nulls'],
    run: (value, levels, skipNulls = true) => flatten(iterate(value), levels === undefined || levels === null ? Infinity : Number(levels), truthy(skipNulls)),
  },
  union: { parameters: ['value', 'other'], required: 2, run: (value, other) => uniqueItems([...iterate(value), ...iterate(other)]) },
  intersect: { parameters: ['value', 'other'], required: 2, run: (value, other) => uniqueItems(iterate(value).filter((item) => contains([...iterate(other)], item))) },
  difference: { parameters: ['value', 'other'], required: 2, run: (value, other) => uniqueItems(iterate(value).filter((item) => !contains([...iterate(other)], item))) },
  ternary: {
    parameters: ['value', 'true_val', 'false_val', 'none_val'],
    required: 3,
    run: (value, whenTrue, whenFalse, whenNone) => (value === null && whenNone !== undefined && whenNone !== null ? whenNone : truthy(value) ? whenTrue : whenFalse),
  },
  split: { parameters: ['value', 'sep', 'maxsplit'], run: (value, sep, maxsplit) => pythonSplit(toText(value), sep, maxsplit) },
  regex_replace: {
    parameters: ['value', 'pattern', 'replacement', 'ignorecase', 'multiline'],
    run: (value = '', pattern = '', replacement = '', ignorecase = false, multiline = false) =>
      pythonSub(pythonRegExp(toText(pattern), { ignorecase: truthy(ignorecase), multiline: truthy(multiline), global: true }), toText(replacement), toText(value)),
  },
  regex_search: {
    parameters: ['value', 'regex'],
    required: 2,
    rest: true,
    run: (value, regex, ...args: unknown[]) => {
      const { values: [ignorecase, multiline], positional: rest } = splitKeywords('filter regex_search', args, ['ignorecase', 'multiline']);
      const match = pythonRegExp(toText(regex), { ignorecase: truthy(ignorecase ?? false), multiline: truthy(multiline ?? false) }).exec(toText(value));
      if (!match) return null;
      if (rest.length === 0) return match[0];
      return rest.map((reference) => pythonReplacement(toText(reference))(match, match.groups));
    },
  },
  regex_findall: {
    parameters: ['value', 'regex', 'multiline', 'ignorecase'],
    required: 2,
    run: (value, regex, multiline = false, ignorecase = false) => {
      const pattern = pythonRegExp(toText(regex), { ignorecase: truthy(ignorecase), multiline: truthy(multiline), global: true });
      return [...toText(value).matchAll(pattern)].map((match) => (match.length === 1 ? match[0] : match.length === 2 ? (match[1] ?? '') : match.slice(1).map((group) => group ?? '')));
    },
  },
  regex_escape: { parameters: ['value', 're_type'], run: (value) => toText(value).replace(/[^\p{L}\p{N}_]/gu, (char) => `\\${char}`) },
  to_json: { parameters: ['value'], text: true, run: (value) => pythonJson(materialize(value), undefined, false) },
  to_nice_json: { parameters: ['value', 'indent'], text: true, run: (value, indent = 4) => pythonJson(materialize(value), Number(indent), true) },
  from_json: { parameters: ['value'], run: (value) => parseJson(toText(value)) },
  b64encode: { parameters: ['value', 'encoding'], run: (value) => Buffer.from(toText(value), 'utf8').toString('base64') },
  b64decode: { parameters: ['value', 'encoding'], run: (value) => Buffer.from(toText(value), 'base64').toString('utf8') },
  basename: { parameters: ['value'], run: (value) => posix.basename(toText(value)) },
  dirname: { parameters: ['value'], run: (value) => pythonDirname(toText(value)) },
  quote: { parameters: ['value'], run: (value) => shellQuote(value === null ? '' : toText(value)) },
  type_debug: { parameters: ['value'], run: (value) => typeName(value) },
};

const ALIASES: Record<string, string> = { d: 'default', count: 'length' };

function filterName(name: string): string {
  const short = name.replace(/^ansible\.(?:builtin|legacy)\./, '');
  return ALIASES[short] ?? short;
}

export function hasFilter(name: string): boolean {
  return Object.hasOwn(FILTERS, filterName(name));
}

/** Whether a template made of this filter's result alone keeps it a string (Ansible's NativeJinjaText). */
export function isTextFilter(name: string): boolean {
  return FILTERS[filterName(name)]?.text === true;
}

export function runFilter(name: string, args: readonly unknown[]): unknown {
  const filter = FILTERS[filterName(name)];
  if (!filter) throw new JinjaError(`no filter named '${name}'`);
  const { values, rest } = bindArguments(`filter '${name}'`, filter.parameters, args, { required: filter.required ?? 1, rest: filter.rest });
  if (!filter.acceptsUndefined) [...values, ...rest].forEach((value) => defined(value));
  return filter.run(...values, ...rest);
}

/** Jinja's make_attrgetter: `attribute='a.b'` reads item a, then b; a numeric part is an index. */
function attributeOf(item: unknown, attribute: unknown): unknown {
  const path = typeof attribute === 'number' ? [attribute] : toText(attribute).split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return path.reduce((found: unknown, key) => (typeof key === 'number' ? getItem(found, key) : getAttribute(found, key)), item);
}

function sortKey(caseSensitive: boolean, attribute: unknown): (item: unknown) => unknown {
  return (item) => {
    const value = defined(attribute === undefined || attribute === null ? item : attributeOf(item, attribute));
    return !caseSensitive && typeof value === 'string' ? value.toLowerCase() : value;
  };
}

function extreme(value: unknown, operator: '<' | '>', caseSensitive: boolean, attribute: unknown): unknown {
  const key = sortKey(caseSensitive, attribute);
  const items = iterate(value);
  if (items.length === 0) return new Undefined('No aggregated item, sequence was empty.');
  return items.reduce((best, item) => (compare(operator, key(item), key(best)) ? item : best));
}

/** select/reject and selectattr/rejectattr: no test name means "is truthy". */
function selectItems(value: unknown, args: readonly unknown[], reject: boolean, attribute: unknown): unknown[] {
  const [name, ...testArgs] = args;
  if (name !== undefined && (typeof name !== 'string' || !hasTest(name))) throw new JinjaError(`no test named '${toText(name)}'`);
  return iterate(value).filter((item) => {
    const subject = attribute === undefined ? item : attributeOf(item, attribute);
    const passed = name === undefined ? truthy(subject) : runTest(name, [subject, ...testArgs]);
    return passed !== reject;
  });
}

function dictItems(value: unknown): Array<[string, unknown]> {
  if (value instanceof LazyMapping) return value.keys().map((key) => [key, value.get(key)]);
  return Object.entries(asDict(value, 'dict2items'));
}

function asDict(value: unknown, filter: string): Dict {
  if (value instanceof LazyMapping) return materialize(value) as Dict;
  if (!isDict(value)) throw new JinjaError(`${filter} expects a dictionary, got ${typeName(value)}`);
  return value;
}

function merge(base: Dict, next: Dict, recursive: boolean): Dict {
  const merged: Dict = { ...base };
  for (const [key, value] of Object.entries(next)) {
    merged[key] = recursive && isDict(merged[key]) && isDict(value) ? merge(merged[key] as Dict, value, true) : value;
  }
  return merged;
}

function flatten(items: readonly unknown[], levels: number, skipNulls: boolean): unknown[] {
  return items.flatMap((item) => {
    if (skipNulls && (item === null || item === 'None')) return [];
    return Array.isArray(item) && levels > 0 ? flatten(item, levels - 1, skipNulls) : [item];
  });
}

function uniqueItems(items: readonly unknown[]): unknown[] {
  const kept: unknown[] = [];
  for (const item of items) if (!kept.some((other) => equals(other, item))) kept.push(item);
  return kept;
}

function number(value: unknown, filter: string): number {
  if (typeof value === 'number' || typeof value === 'boolean') return Number(value);
  throw new JinjaError(`${filter}: a number is required, not ${typeName(value)}`);
}

/** Jinja's int filter: int(value, base), else int(float(value)), else the default. */
function toInt(value: unknown, fallback: unknown, base: number): unknown {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value === 'string') {
    const digits = value.trim().replace(/(?<=\d)_(?=\d)/g, '');
    const prefixed = base === 16 ? digits.replace(/^([-+]?)0x/i, '$1') : base === 8 ? digits.replace(/^([-+]?)0o/i, '$1') : base === 2 ? digits.replace(/^([-+]?)0b/i, '$1') : digits;
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
    if (new RegExp(`^[-+]?[${alphabet}]+$`, 'i').test(prefixed)) return parseInt(prefixed, base);
    const float = toFloat(value);
    return float !== undefined && Number.isFinite(float) ? Math.trunc(float) : fallback;
  }
  return fallback;
}

function toFloat(value: unknown): number | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return Number(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim().replace(/(?<=\d)_(?=\d)/g, '');
  if (/^[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?|inf(?:inity)?|nan)$/i.test(text)) {
    return /inf/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : /nan/i.test(text) ? NaN : Number(text);
  }
  return undefined;
}

/** Python's round() rounds a tie to the even neighbour; ceil and floor as Jinja's methods. */
function round(value: number, precision: number, method: string): number {
  const factor = 10 ** precision;
  const scaled = value * factor;
  if (method === 'ceil') return Math.ceil(scaled) / factor;
  if (method === 'floor') return Math.floor(scaled) / factor;
  if (method !== 'common') throw new JinjaError("method must be 'common', 'ceil' or 'floor'");
  const floor = Math.floor(scaled);
  const tie = Math.abs(scaled - floor - 0.5) < 1e-9;
  return (tie ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled)) / factor;
}

/** Python's json.dumps as Ansible calls it: ASCII only, `, ` and `: ` separators (or `,` when indenting). */
function pythonJson(value: unknown, indent: number | undefined, sortKeys: boolean, depth = 0): string {
  const newline = indent === undefined ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
  const close = indent === undefined ? '' : `\n${' '.repeat(indent * depth)}`;
  const comma = indent === undefined ? ', ' : ',';
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${newline}${value.map((item) => pythonJson(item, indent, sortKeys, depth + 1)).join(comma + newline)}${close}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  if (sortKeys) keys.sort();
  const members = keys.map((key) => `${pythonJson(key, indent, sortKeys)}: ${pythonJson((value as Dict)[key], indent, sortKeys, depth + 1)}`);
  return `{${newline}${members.join(comma + newline)}${close}}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JinjaError(`from_json: ${(error as Error).message}`);
  }
}

/** os.path.dirname keeps a trailing slash's meaning: dirname('/a/b/') is '/a/b'. */
function pythonDirname(path: string): string {
  const cut = path.lastIndexOf('/') + 1;
  const head = path.slice(0, cut);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

