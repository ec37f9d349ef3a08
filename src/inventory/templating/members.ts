import { bindArguments } from './arguments.js';
import { JinjaError } from './errors.js';
import { LazyMapping } from './lazy-mapping.js';
import { defined, equals, isDict, typeName } from './python.js';
import type { Dict } from './python.js';
import { Undefined } from './undefined.js';

/**
 * Jinja's attribute and item access on Python values: `x.name` tries the
 * attribute (a method such as `str.split` or `dict.items`) before the item,
 * `x['name']` the item first; negative indexes count from the end; what is
 * missing is an Undefined, which fails only when used. Only a value's own
 * keys are reachable, never JavaScript's prototype members.
 */
export function getAttribute(target: unknown, name: string): unknown {
  if (target instanceof Undefined) return target;
  return methodOf(target, name) ?? itemOf(target, name) ?? missing(target, name);
}

export function getItem(target: unknown, key: unknown): unknown {
  if (target instanceof Undefined) return target;
  defined(key);
  return itemOf(target, key) ?? (typeof key === 'string' ? methodOf(target, key) : undefined) ?? missing(target, key);
}

/** Python's `x[start:stop:step]` on a list or string. */
export function getSlice(target: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (target instanceof Undefined) return target;
  const items = typeof target === 'string' ? [...target] : Array.isArray(target) ? target : undefined;
  if (!items) throw new JinjaError(`'${typeName(target)}' object is not subscriptable`);
  const by = step === null ? 1 : integer(step, 'slice step');
  if (by === 0) throw new JinjaError('slice step cannot be zero');
  const bound = (value: unknown, fallback: number): number => {
    if (value === null) return fallback;
    const index = integer(value, 'slice index');
    const from = index < 0 ? index + items.length : index;
    return by > 0 ? Math.min(Math.max(from, 0), items.length) : Math.min(Math.max(from, -1), items.length - 1);
  };
  const first = bound(start, by > 0 ? 0 : items.length - 1);
  const end = bound(stop, by > 0 ? items.length : -1);
  const picked: unknown[] = [];
  for (let index = first; by > 0 ? index < end : index > end; index += by) picked.push(items[index]);
  return typeof target === 'string' ? picked.join('') : picked;
}

function integer(value: unknown, what: string): number {
  defined(value);
  if (typeof value === 'boolean') return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new JinjaError(`${what} must be an integer, not ${typeName(value)}`);
  return value;
}

function itemOf(target: unknown, key: unknown): unknown {
  if (target instanceof LazyMapping) return typeof key === 'string' && target.has(key) ? target.get(key) : undefined;
  if (isDict(target)) {
    const name = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : undefined;
    return name !== undefined && Object.hasOwn(target, name) ? target[name] : undefined;
  }
  if ((Array.isArray(target) || typeof target === 'string') && (typeof key === 'number' || typeof key === 'boolean')) {
    const items = typeof target === 'string' ? [...target] : target;
    const index = Number(key) < 0 ? Number(key) + items.length : Number(key);
    return Number.isInteger(index) && index >= 0 && index < items.length ? items[index] : undefined;
  }
  return undefined;
}

/** Jinja's messages: `'dict object' has no attribute 'x'`, `list object has no element 5`. */
function missing(target: unknown, key: unknown): Undefined {
  if (target instanceof LazyMapping && typeof key === 'string') return target.missing(key);
  if (target === null || target === undefined) return new Undefined(`'None' has no attribute ${pyQuote(String(key))}`);
  const type = `${typeName(target)} object`;
  return typeof key === 'string' ? new Undefined(`'${type}' has no attribute ${pyQuote(key)}`) : new Undefined(`${type} has no element ${String(key)}`);
}

function pyQuote(text: string): string {
  return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replaceAll("'", "\\'")}'`;
}

type Method = (self: never, args: readonly unknown[]) => unknown;

function method<T>(name: string, parameters: readonly string[], body: (self: T, ...values: any[]) => unknown, required = 0): Method {
  return ((self: T, args: readonly unknown[]) => {
    const { values } = bindArguments(name, parameters, args, { required });
    values.forEach(defined);
    return body(self, ...values);
  }) as Method;
}

const STRING_METHODS: Record<string, Method> = {
  split: method<string>('str.split', ['sep', 'maxsplit'], (self, sep, maxsplit) => pythonSplit(self, sep, maxsplit)),
  rsplit: method<string>('str.rsplit', ['sep', 'maxsplit'], (self, sep, maxsplit) => pythonSplit(self, sep, maxsplit, true)),
  splitlines: method<string>('str.splitlines', [], (self) => self.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/).filter((line, index, lines) => index < lines.length - 1 || line !== '')),
  strip: method<string>('str.strip', ['chars'], (self, chars) => pythonStrip(self, chars, 'both')),
  lstrip: method<string>('str.lstrip', ['chars'], (self, chars) => pythonStrip(self, chars, 'start')),
  rstrip: method<string>('str.rstrip', ['chars'], (self, chars) => pythonStrip(self, chars, 'end')),
  lower: method<string>('str.lower', [], (self) => self.toLowerCase()),
  upper: method<string>('str.upper', [], (self) => self.toUpperCase()),
  title: method<string>('str.title', [], (self) => self.toLowerCase().replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase())),
  capitalize: method<string>('str.capitalize', [], (self) => pythonCapitalize(self)),
  startswith: method<string>('str.startswith', ['prefix'], (self, prefix) => affixes(prefix).some((item) => self.startsWith(item)), 1),
  endswith: method<string>('str.endswith', ['suffix'], (self, suffix) => affixes(suffix).some((item) => self.endsWith(item)), 1),
  replace: method<string>('str.replace', ['old', 'new', 'count'], (self, old, replacement, count) => pythonReplace(self, text(old), text(replacement), count), 2),
  join: method<string>('str.join', ['iterable'], (self, items) => (items as unknown[]).map(text).join(self), 1),
  find: method<string>('str.find', ['sub'], (self, sub) => self.indexOf(text(sub)), 1),
  count: method<string>('str.count', ['sub'], (self, sub) => (text(sub) === '' ? [...self].length + 1 : self.split(text(sub)).length - 1), 1),
  isdigit: method<string>('str.isdigit', [], (self) => /^\p{Nd}+$/u.test(self)),
  isalpha: method<string>('str.isalpha', [], (self) => /^\p{L}+$/u.test(self)),
  isalnum: method<string>('str.isalnum', [], (self) => /^[\p{L}\p{N}]+$/u.test(self)),
  zfill: method<string>('str.zfill', ['width'], (self, width) => {
    const sign = /^[-+]/.test(self) ? self[0]! : '';
    return sign + self.slice(sign.length).padStart(Number(width) - sign.length, '0');
  }, 1),
};

const DICT_METHODS: Record<string, Method> = {
  keys: method<Dict | LazyMapping>('dict.keys', [], (self) => (self instanceof LazyMapping ? [...self.keys()] : Object.keys(self))),
  values: method<Dict | LazyMapping>('dict.values', [], (self) => entries(self).map(([, value]) => value)),
  items: method<Dict | LazyMapping>('dict.items', [], (self) => entries(self)),
  get: method<Dict | LazyMapping>('dict.get', ['key', 'default'], (self, key, fallback) => {
    const value = itemOf(self, key);
    return value === undefined || value instanceof Undefined ? (fallback ?? null) : value;
  }, 1),
};

const LIST_METHODS: Record<string, Method> = {
  index: method<unknown[]>('list.index', ['value'], (self, value) => {
    const index = self.findIndex((item) => equals(item, value));
    if (index < 0) throw new JinjaError('list.index(x): x not in list');
    return index;
  }, 1),
  count: method<unknown[]>('list.count', ['value'], (self, value) => self.filter((item) => equals(item, value)).length, 1),
};

function methodOf(target: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  const table = typeof target === 'string' ? STRING_METHODS : Array.isArray(target) ? LIST_METHODS : isDict(target) || target instanceof LazyMapping ? DICT_METHODS : undefined;
  const body = table && Object.hasOwn(table, name) ? table[name]! : undefined;
  return body && ((...args: unknown[]) => body(target as never, args));
}

function entries(mapping: Dict | LazyMapping): Array<[string, unknown]> {
  return mapping instanceof LazyMapping ? mapping.keys().map((key) => [key, mapping.get(key)]) : Object.entries(mapping);
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new JinjaError(`expected str, got ${typeName(value)}`);
  return value;
}

function affixes(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text) : [text(value)];
}

/** str.split: no separator splits on runs of whitespace and drops empty pieces; maxsplit counts from the left (or the right for rsplit). */
export function pythonSplit(value: string, separator: unknown, maxsplit: unknown, fromRight = false): string[] {
  const limit = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (separator === undefined || separator === null) {
    const words = value.trim().split(/\s+/).filter((word) => word !== '');
    if (limit < 0 || words.length <= limit + 1) return words;
    return splitKeepingRest(fromRight ? value.trimEnd() : value.trimStart(), /\s+/, limit, fromRight);
  }
  const sep = text(separator);
  if (sep === '') throw new JinjaError('empty separator');
  const pieces = value.split(sep);
  if (limit < 0 || pieces.length <= limit + 1) return pieces;
  return fromRight ? [pieces.slice(0, pieces.length - limit).join(sep), ...pieces.slice(pieces.length - limit)] : [...pieces.slice(0, limit), pieces.slice(limit).join(sep)];
}

function splitKeepingRest(value: string, whitespace: RegExp, limit: number, fromRight: boolean): string[] {
  const words: string[] = [];
  let rest = value;
  for (let count = 0; count < limit; count += 1) {
    if (fromRight) {
      const match = /\s+(\S*)$/.exec(rest)!;
      words.unshift(match[1]!);
      rest = rest.slice(0, match.index);
    } else {
      const match = whitespace.exec(rest)!;
      words.push(rest.slice(0, match.index));
      rest = rest.slice(match.index + match[0].length);
    }
  }
  return fromRight ? [rest, ...words] : [...words, rest];
}

export function pythonStrip(value: string, chars: unknown, side: 'both' | 'start' | 'end'): string {
  const set = chars === undefined || chars === null ? undefined : [...text(chars)];
  const strippable = (char: string) => (set ? set.includes(char) : /\s/.test(char));
  const characters = [...value];
  let start = 0;
  let end = characters.length;
  if (side !== 'end') while (start < end && strippable(characters[start]!)) start += 1;
  if (side !== 'start') while (end > start && strippable(characters[end - 1]!)) end -= 1;
  return characters.slice(start, end).join('');
}

export function pythonReplace(value: string, old: string, replacement: string, count: unknown): string {
  const limit = count === undefined || count === null ? -1 : Number(count);
  if (limit < 0) return value.replaceAll(old, replacement);
  let result = value;
  let from = 0;
  for (let done = 0; done < limit; done += 1) {
    const at = result.indexOf(old, from);
    if (at < 0) break;
    result = result.slice(0, at) + replacement + result.slice(at + old.length);
    from = at + replacement.length + (old === '' ? 1 : 0);
  }
  return result;
}

export function pythonCapitalize(value: string): string {
  const [first = '', ...rest] = [...value];
  return first.toUpperCase() + rest.join('').toLowerCase();
}
