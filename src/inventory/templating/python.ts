import { pythonRepr, pythonStr } from '../python-repr.js';
import { JinjaError } from './errors.js';
import { LazyMapping } from './lazy-mapping.js';
import { Undefined } from './undefined.js';

/**
 * Python's semantics for the values a template sees (JSON-like data: str,
 * number, bool, None, list, dict, plus lazy mappings and Undefined), where
 * JavaScript's differ: truth, str(), ==, ordering, + - * / // % **.
 * JavaScript has one number type, so an int and a float with the same value
 * are the same here.
 */

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (value instanceof LazyMapping) return value.typeName;
  if (value instanceof Undefined) return 'AnsibleUndefined';
  if (typeof value === 'function') return 'builtin_function_or_method';
  return 'dict';
}

/** Raises the Undefined's error if `value` is one: what StrictUndefined does on any use. */
export function defined<T>(value: T): Exclude<T, Undefined> {
  if (value instanceof Undefined) value.fail();
  return value as Exclude<T, Undefined>;
}

export function truthy(value: unknown): boolean {
  defined(value);
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof LazyMapping) return value.keys().length > 0;
  if (isDict(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** A plain copy with every lazy mapping read out, failing on anything undefined inside (Ansible's _fail_on_undefined). */
export function materialize(value: unknown): unknown {
  defined(value);
  if (Array.isArray(value)) return value.map(materialize);
  if (value instanceof LazyMapping) return Object.fromEntries(value.keys().map((key) => [key, materialize(value.get(key))]));
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, materialize(item)]));
  return value;
}

/** Python's str(), as Jinja's output and `~` use it. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') return '<built-in method>';
  return pythonStr(materialize(value));
}

/** Python's iter(): a list's items, a string's characters, a mapping's keys. */
export function iterate(value: unknown): readonly unknown[] {
  defined(value);
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (value instanceof LazyMapping) return value.keys();
  if (isDict(value)) return Object.keys(value);
  throw new JinjaError(`'${typeName(value)}' object is not iterable`);
}

export function length(value: unknown): number {
  defined(value);
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value) || value instanceof LazyMapping || isDict(value)) return iterate(value).length;
  throw new JinjaError(`object of type '${typeName(value)}' has no len()`);
}

function isNumeric(value: unknown): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

export function equals(left: unknown, right: unknown): boolean {
  defined(left);
  defined(right);
  if (isNumeric(left) && isNumeric(right)) return Number(left) === Number(right);
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, index) => equals(item, right[index]));
  const [a, b] = [mappingOf(left), mappingOf(right)];
  if (a && b) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && equals(a[key], b[key]));
  }
  return (left ?? null) === (right ?? null);
}

function mappingOf(value: unknown): Dict | undefined {
  if (value instanceof LazyMapping) return materialize(value) as Dict;
  return isDict(value) ? value : undefined;
}

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** One comparison; Jinja chains them (`a < b < c`) as Python does. */
export function compare(operator: ComparisonOperator, left: unknown, right: unknown): boolean {
  if (operator === '==') return equals(left, right);
  if (operator === '!=') return !equals(left, right);
  const order = ordering(operator, left, right);
  if (operator === '<') return order < 0;
  if (operator === '<=') return order <= 0;
  if (operator === '>') return order > 0;
  return order >= 0;
}

function ordering(operator: string, left: unknown, right: unknown): number {
  defined(left);
  defined(right);
  if (isNumeric(left) && isNumeric(right)) return Math.sign(Number(left) - Number(right));
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (Array.isArray(left) && Array.isArray(right)) {
    for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
      if (!equals(left[index], right[index])) return ordering(operator, left[index], right[index]);
    }
    return Math.sign(left.length - right.length);
  }
  throw new JinjaError(`'${operator}' not supported between instances of '${typeName(left)}' and '${typeName(right)}'`);
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**';

export function arithmetic(operator: ArithmeticOperator, left: unknown, right: unknown): unknown {
  defined(left);
  defined(right);
  if (isNumeric(left) && isNumeric(right)) return numeric(operator, Number(left), Number(right));
  if (operator === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  if (operator === '+' && Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  if (operator === '*' && isRepeatable(left) && isNumeric(right)) return repeat(left, Number(right));
  if (operator === '*' && isNumeric(left) && isRepeatable(right)) return repeat(right, Number(left));
  if (operator === '%' && typeof left === 'string') return percentFormat(left, right);
  throw new JinjaError(`unsupported operand type(s) for ${operator}: '${typeName(left)}' and '${typeName(right)}'`);
}

function numeric(operator: ArithmeticOperator, left: number, right: number): number {
  if (right === 0 && (operator === '/' || operator === '//' || operator === '%')) {
    throw new JinjaError(operator === '/' ? 'division by zero' : 'integer division or modulo by zero');
  }
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '//':
      return Math.floor(left / right);
    case '%':
      // Python's modulo takes the sign of the divisor.
      return left - right * Math.floor(left / right);
    case '**':
      return left ** right;
  }
}

function isRepeatable(value: unknown): value is string | unknown[] {
  return typeof value === 'string' || Array.isArray(value);
}

function repeat(value: string | unknown[], times: number): string | unknown[] {
  if (!Number.isInteger(times)) throw new JinjaError(`can't multiply sequence by non-int of type 'float'`);
  const count = Math.max(0, times);
  return typeof value === 'string' ? value.repeat(count) : Array.from({ length: count }, () => value).flat();
}

export function negate(operator: '-' | '+', value: unknown): number {
  defined(value);
  if (!isNumeric(value)) throw new JinjaError(`bad operand type for unary ${operator}: '${typeName(value)}'`);
  return operator === '-' ? -Number(value) : Number(value);
}

const FORMAT_SPEC = /%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** Python's printf-style `format % values`, for `'%s-%02d' % (name, n)`. */
function percentFormat(format: string, values: unknown): string {
  const positional = Array.isArray(values) ? [...values] : isDict(values) ? undefined : [values];
  let used = 0;
  const next = (): unknown => {
    if (!positional || used >= positional.length) throw new JinjaError('not enough arguments for format string');
    return positional[used++];
  };
  const text = format.replace(FORMAT_SPEC, (_match, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, type: string) => {
    if (type === '%') return '%';
    const widthValue = width === '*' ? Number(next()) : width === undefined ? 0 : Number(width);
    const precisionValue = precision === '*' ? Number(next()) : precision === undefined ? undefined : Number(precision);
    const value = key !== undefined ? mappingValue(values, key) : next();
    return pad(convert(type, value, flags, precisionValue), flags, widthValue, type);
  });
  if (positional && used < positional.length && !isDict(values)) throw new JinjaError('not all arguments converted during string formatting');
  return text;
}

function mappingValue(values: unknown, key: string): unknown {
  if (!isDict(values)) throw new JinjaError('format requires a mapping');
  if (!Object.hasOwn(values, key)) throw new JinjaError(`format key ${JSON.stringify(key)} not found`);
  return values[key];
}

function convert(type: string, value: unknown, flags: string, precision: number | undefined): string {
  defined(value);
  if (type === 's') return precision === undefined ? toText(value) : toText(value).slice(0, precision);
  if (type === 'r' || type === 'a') return pythonRepr(materialize(value));
  if (type === 'c') return typeof value === 'string' ? value : String.fromCodePoint(Number(value));
  if (!isNumeric(value)) throw new JinjaError(`%${type} format: a real number is required, not ${typeName(value)}`);
  const number = Number(value);
  const sign = number < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const magnitude = Math.abs(number);
  let digits: string;
  if ('diu'.includes(type)) digits = String(Math.trunc(magnitude));
  else if ('xX'.includes(type)) digits = (flags.includes('#') ? '0x' : '') + Math.trunc(magnitude).toString(16);
  else if (type === 'o') digits = (flags.includes('#') ? '0o' : '') + Math.trunc(magnitude).toString(8);
  else if ('eE'.includes(type)) digits = magnitude.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
  else if ('fF'.includes(type)) digits = magnitude.toFixed(precision ?? 6);
  else digits = String(Number(magnitude.toPrecision(precision || 6)));
  if (type === 'X' || type === 'E' || type === 'F' || type === 'G') digits = digits.toUpperCase();
  return sign + digits;
}

function pad(text: string, flags: string, width: number, type: string): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (flags.includes('0') && type !== 's' && type !== 'r' && type !== 'c') {
    const sign = /^[-+ ]/.test(text) ? text[0]! : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}
