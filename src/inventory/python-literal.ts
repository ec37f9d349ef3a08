import { parsePython, PYTHON_CONSTANTS } from './python-syntax.js';
import type { Node, PyValue } from './python-syntax.js';

/**
 * Ansible's INI plugin reads every value with Python's `ast.literal_eval`
 * (`_parse_value` in plugins/inventory/ini.py): `5` is an int, `True` a bool,
 * `'x'` a str, `[1, 2]` a list, `{'a': 1}` a dict, `(1, 2)` and `1, 2` lists
 * (tuples), `None` null; anything that is no literal (`deploy`, `10.0.0.5`,
 * `08`, `yes`) stays the text itself. This is literal_eval for Python 3.11:
 * its tokens (numbers with `_`, `0x`/`0o`/`0b`, string prefixes and escapes,
 * adjacent strings joined), its rules (`-5` and `1+2j`, but not `1+2`), and its
 * failures: a list as a dict key or set member is Python's TypeError, which
 * fails the file in Ansible too. (The syntax is in python-syntax.ts.)
 */

/**
 * A value Python evaluates but that cannot be an inventory value (Ansible
 * fails on it, when parsing or when printing it); `offset` is in the text.
 */
export class PythonLiteralError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A literal's Python value, where in the text it starts, and a `\N{...}` escape it holds (which sshpool cannot look up). */
export interface PythonLiteral {
  value: PyValue;
  offset: number;
  namedEscape?: { name: string; offset: number };
}

/**
 * Python's `ast.literal_eval(text)`: undefined where it raises ValueError or
 * SyntaxError (no literal); TypeError (an unhashable dict key or set member)
 * as PythonLiteralError. `names` are names read as constants, as Ansible's
 * Json2Python reads JSON's true, false and null in a template's result.
 */
export function literalEval(text: string, names: Readonly<Record<string, PyValue>> = NO_NAMES): PythonLiteral | undefined {
  const parsed = parsePython(text);
  if (!parsed) return undefined;
  const value = evaluate(parsed.node, names);
  return value && { value, offset: parsed.node.offset, ...(parsed.namedEscape ? { namedEscape: parsed.namedEscape } : {}) };
}

const NO_NAMES: Readonly<Record<string, PyValue>> = {};

/** The value Ansible's INI plugin gives `text`. */
export function parseIniValue(text: string): unknown {
  // The commonest values, without the parser: a plain name (user, group) or an IPv4 address is no literal; plain digits are an int.
  if ((PLAIN_NAME.test(text) && !Object.hasOwn(PYTHON_CONSTANTS, text)) || DOTTED_NUMBERS.test(text)) return text;
  if (PLAIN_INTEGER.test(text)) return Number(text);
  const literal = literalEval(text);
  if (!literal) return text;
  const { value, offset, namedEscape } = literal;
  if (namedEscape) {
    const { name, offset } = namedEscape;
    throw new PythonLiteralError(`the escape \\N${name} names a Unicode character, which sshpool cannot look up: write the character itself`, offset);
  }
  // Ansible's to_text turns a top-level bytes value into text; nested bytes stay bytes and break its JSON output.
  if (value.type === 'bytes') return bytesToText(value, offset);
  return toJsonValue(value, offset, INVENTORY_VALUE);
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `10.0.0.5`: a float followed by another, which Python refuses. */
const DOTTED_NUMBERS = /^[0-9]+(?:\.[0-9]+){2,}$/;
/** Short enough to be exact as a double; no leading zero (Python refuses 07, and 00 is 0 anyway). */
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Thrown to leave the evaluation where literal_eval raises ValueError (cheaply: no stack trace). */
class Malformed {}
const MALFORMED_NODE = new Malformed();

/** literal_eval's _convert: undefined where it raises ValueError (Ansible keeps the text), PythonLiteralError where TypeError. */
function evaluate(node: Node, names: Readonly<Record<string, PyValue>>): PyValue | undefined {
  try {
    return convert(node, names);
  } catch (error) {
    if (error instanceof Malformed) return undefined;
    throw error;
  }
}

function convert(node: Node, names: Readonly<Record<string, PyValue>>): PyValue {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'tuple':
    case 'list':
      return { type: node.kind, items: node.items.map((item) => convert(item, names)), offsets: node.items.map((item) => item.offset) };
    case 'set': {
      const members = new PyDict();
      for (const item of node.items) members.set(convert(item, names), { type: 'none' }, item.offset);
      return { type: 'set', items: members.keys };
    }
    case 'name':
      if (!Object.hasOwn(names, node.id)) throw MALFORMED_NODE;
      return names[node.id]!;
    case 'emptySet':
      return { type: 'set', items: [] };
    case 'dict': {
      // Python converts key, value, key, value... and hashes each key as it is inserted.
      const dict = new PyDict();
      node.keys.forEach((key, index) => dict.set(convert(key, names), convert(node.values[index]!, names), key.offset));
      return { type: 'dict', keys: dict.keys, values: dict.values, offsets: dict.offsets };
    }
    case 'binary': {
      const left = signedNumber(node.left);
      const right = number(node.right);
      if ((left.type === 'int' || left.type === 'float') && right.type === 'complex') {
        const real = left.type === 'int' ? Number(left.value) : left.value;
        return { type: 'complex', real: node.operator === '+' ? real + right.real : real - right.real, imag: node.operator === '+' ? right.imag : -right.imag };
      }
      throw MALFORMED_NODE;
    }
    default:
      return signedNumber(node);
  }
}

function signedNumber(node: Node): PyValue {
  if (node.kind !== 'unary' || node.operator === '~') return number(node);
  const operand = number(node.operand);
  if (node.operator === '+') return operand;
  if (operand.type === 'int') return { type: 'int', value: -operand.value };
  if (operand.type === 'float') return { type: 'float', value: -operand.value };
  return { type: 'complex', real: -(operand as { real: number }).real, imag: -(operand as { imag: number }).imag };
}

/** A numeric constant: not a bool, which is an int in Python but excluded by literal_eval. */
function number(node: Node): PyValue {
  if (node.kind === 'constant' && (node.value.type === 'int' || node.value.type === 'float' || node.value.type === 'complex')) return node.value;
  throw MALFORMED_NODE;
}

/** A Python dict's insertion rules: equal keys (1, 1.0 and True are equal) keep the first key and take the last value. */
class PyDict {
  readonly keys: PyValue[] = [];
  readonly values: PyValue[] = [];
  readonly offsets: number[] = [];
  private readonly index = new Map<string, number>();

  set(key: PyValue, value: PyValue, offset: number): void {
    const hash = hashKey(key, offset);
    const existing = this.index.get(hash);
    if (existing !== undefined) {
      this.values[existing] = value;
      return;
    }
    this.index.set(hash, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
    this.offsets.push(offset);
  }
}

/** A string equal for values Python considers equal; TypeError (as PythonLiteralError) for unhashable ones. */
function hashKey(value: PyValue, offset: number): string {
  switch (value.type) {
    case 'list':
    case 'dict':
    case 'set':
      throw new PythonLiteralError(`unhashable type: '${value.type}' (Python cannot use a ${value.type} as a dict key or set member)`, offset);
    case 'tuple':
      return `t${JSON.stringify(value.items.map((item) => hashKey(item, offset)))}`;
    case 'str':
      return `s${value.value}`;
    case 'bytes':
      return `b${value.value.join(',')}`;
    case 'none':
    case 'ellipsis':
      return value.type;
    case 'complex':
      return value.imag === 0 ? realHash(value.real) : `c${value.real},${value.imag}`;
    case 'bool':
      return value.value ? 'n1' : 'n0';
    case 'int':
      return `n${value.value}`;
    case 'float':
      return realHash(value.value);
  }
}

function realHash(value: number): string {
  return Number.isInteger(value) ? `n${BigInt(value)}` : `f${value}`;
}

function bytesToText(value: { value: number[] }, offset: number): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(value.value));
  } catch {
    throw new PythonLiteralError('a bytes value that is not UTF-8 cannot be an inventory value', offset);
  }
}

/**
 * How a Python value becomes a JavaScript one where its context differs: an
 * INI value is what ansible-inventory prints, a template's result what
 * `ansible -m debug` shows.
 */
export interface LiteralConversion {
  /** A value of a type the context has no place for (a complex number, ...); must throw. */
  refuse(value: PyValue, offset: number): never;
  /** A dict key as its JSON key. */
  key(key: PyValue, offset: number): string;
  /** Sets and bytes inside the value, where the context takes them; else `refuse`d. */
  set?: (items: unknown[]) => unknown;
  bytes?: (value: number[]) => unknown;
}

/** A Python value as JSON holds it, by the context's `conversion` where contexts differ. */
export function toJsonValue(value: PyValue, offset: number, conversion: LiteralConversion): unknown {
  const inner = (item: PyValue, at: number): unknown => toJsonValue(item, at, conversion);
  switch (value.type) {
    case 'int':
      return Number(value.value);
    case 'float':
    case 'bool':
    case 'str':
      return value.value;
    case 'none':
      return null;
    case 'tuple':
    case 'list':
      return value.items.map((item, index) => inner(item, value.offsets[index]!));
    case 'dict': {
      const object: Record<string, unknown> = {};
      value.keys.forEach((key, index) => {
        // defineProperty: a `__proto__` key is a key like any other.
        Object.defineProperty(object, conversion.key(key, value.offsets[index]!), {
          value: inner(value.values[index]!, value.offsets[index]!),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return object;
    }
    case 'set':
      if (conversion.set) return conversion.set(value.items.map((item) => inner(item, offset)));
      return conversion.refuse(value, offset);
    case 'bytes':
      return conversion.bytes ? conversion.bytes(value.value) : conversion.refuse(value, offset);
    default:
      return conversion.refuse(value, offset);
  }
}

/** What ansible-inventory prints: its JSON encoder fails on sets, bytes inside a value and complex numbers. */
const INVENTORY_VALUE: LiteralConversion = {
  refuse: (value, offset) => {
    throw new PythonLiteralError(`a Python ${describe(value)} cannot be an inventory value (ansible-inventory cannot print it either)`, offset);
  },
  key: (key, offset) => jsonKey(key, offset),
};

/** json.dumps's key conversion: str as is; int, float, bool and None spelled as JSON; other keys are an error. */
function jsonKey(key: PyValue, offset: number): string {
  switch (key.type) {
    case 'str':
      return key.value;
    case 'int':
      return String(key.value);
    case 'float':
      return pythonFloatRepr(key.value);
    case 'bool':
      return String(key.value);
    case 'none':
      return 'null';
    default:
      throw new PythonLiteralError(`a Python ${describe(key)} cannot be a dict key in an inventory (JSON keys are strings, numbers, booleans or null)`, offset);
  }
}

const DESCRIPTIONS: Partial<Record<PyValue['type'], string>> = {
  ellipsis: 'Ellipsis (...)',
  bytes: 'bytes value inside a list or dict',
  complex: 'complex number',
};

function describe(value: PyValue): string {
  return DESCRIPTIONS[value.type] ?? value.type;
}

/** Python's repr of a float, as json.dumps writes float keys: `1.0`, `1e+16`, `1.5e-07`, `Infinity`. */
function pythonFloatRepr(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}
