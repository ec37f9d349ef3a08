/**
 * Ansible's INI plugin reads every value with Python's `ast.literal_eval`
 * (`_parse_value` in plugins/inventory/ini.py): `5` is an int, `True` a bool,
 * `'x'` a str, `[1, 2]` a list, `{'a': 1}` a dict, `(1, 2)` and `1, 2` lists
 * (tuples), `None` null; anything that is no literal (`deploy`, `10.0.0.5`,
 * `08`, `yes`) stays the text itself. This is literal_eval for Python 3.11:
 * its tokens (numbers with `_`, `0x`/`0o`/`0b`, string prefixes and escapes,
 * adjacent strings joined), its rules (`-5` and `1+2j`, but not `1+2`), and its
 * failures: a list as a dict key or set member is Python's TypeError, which
 * fails the file in Ansible too.
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

/** The value Ansible's INI plugin gives `text`. */
export function parseIniValue(text: string): unknown {
  // The commonest values, without the parser: a plain name (user, group) is no literal; plain digits are an int.
  if (PLAIN_NAME.test(text) && !Object.hasOwn(CONSTANTS, text)) return text;
  if (PLAIN_INTEGER.test(text)) return Number(text);
  // literal_eval strips leading spaces and tabs only.
  const lead = /^[ \t]*/.exec(text)![0].length;
  const parser = new Parser(text.slice(lead), lead);
  const node = parser.parse();
  if (!node) return text;
  const value = evaluate(node);
  if (value === MALFORMED) return text;
  if (parser.namedEscape) {
    const { name, offset } = parser.namedEscape;
    throw new PythonLiteralError(`the escape \\N${name} names a Unicode character, which sshpool cannot look up: write the character itself`, offset);
  }
  // Ansible's to_text turns a top-level bytes value into text; nested bytes stay bytes and break its JSON output.
  if (value.type === 'bytes') return bytesToText(value, node.offset);
  return toInventoryValue(value, node.offset);
}

type PyValue =
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'complex'; real: number; imag: number }
  | { type: 'bool'; value: boolean }
  | { type: 'none' }
  | { type: 'ellipsis' }
  | { type: 'str'; value: string }
  | { type: 'bytes'; value: number[] }
  | { type: 'tuple' | 'list'; items: PyValue[]; offsets: number[] }
  | { type: 'set'; items: PyValue[] }
  | { type: 'dict'; keys: PyValue[]; values: PyValue[]; offsets: number[] };

type Node =
  | { kind: 'constant'; value: PyValue; offset: number }
  | { kind: 'tuple' | 'list' | 'set'; items: Node[]; offset: number }
  | { kind: 'dict'; keys: Node[]; values: Node[]; offset: number }
  | { kind: 'unary'; operator: '+' | '-' | '~'; operand: Node; offset: number }
  | { kind: 'binary'; operator: '+' | '-'; left: Node; right: Node; offset: number }
  | { kind: 'name'; offset: number }
  | { kind: 'emptySet'; offset: number };

interface Token {
  type: 'number' | 'string' | 'name' | 'operator' | 'end';
  text: string;
  offset: number;
  /** Numbers and strings. */
  value?: PyValue;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Short enough to be exact as a double; no leading zero (Python refuses 07, and 00 is 0 anyway). */
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Python's tokenizer refuses deeper nesting of brackets ("too many nested parentheses"). */
const MAX_NESTING = 200;
/** Python 3.11 refuses longer decimal integer literals (sys.int_info.default_max_str_digits). */
const MAX_DECIMAL_DIGITS = 4300;
const KEYWORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally',
  'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);
const CONSTANTS: Record<string, PyValue> = {
  True: { type: 'bool', value: true },
  False: { type: 'bool', value: false },
  None: { type: 'none' },
};
const IDENTIFIER = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const STRING_PREFIX = /^(?:[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/;
const DIGITS = String.raw`[0-9](?:_?[0-9])*`;
const EXPONENT = String.raw`[eE][+-]?${DIGITS}`;
const NUMBER = new RegExp(
  String.raw`0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+` +
    String.raw`|(?:${DIGITS}\.(?:${DIGITS})?|\.${DIGITS})(?:${EXPONENT})?[jJ]?|${DIGITS}(?:${EXPONENT}[jJ]?|[jJ])?`,
  'y',
);
const OPERATORS = ['...', '(', ')', '[', ']', '{', '}', ',', ':', '+', '-', '~'];
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Not a literal: literal_eval raised SyntaxError or ValueError, and Ansible keeps the text. */
const MALFORMED = Symbol('malformed');
/** Thrown to leave the parse: not an Error, as most INI values (`deploy`, `10.0.0.5`) end up here and a stack trace each costs. */
class NotLiteral {}
const NOT_LITERAL = new NotLiteral();

/** Tokens, then a recursive descent over the literal subset of Python's expression grammar. */
class Parser {
  private readonly tokens: Token[] = [];
  private position = 0;
  private depth = 0;
  /** The first `\N{NAME}` escape: without Python's Unicode name table its character is unknown. */
  namedEscape?: { name: string; offset: number };

  constructor(
    private readonly text: string,
    private readonly base: number,
  ) {}

  /** The expression's tree, or undefined where Python sees a syntax error (or syntax literal_eval rejects). */
  parse(): Node | undefined {
    // Python refuses source text with a NUL character anywhere, inside strings too.
    if (this.text.includes('\0')) return undefined;
    try {
      this.tokenize();
      const node = this.expressionList(true);
      if (this.peek().type !== 'end') return undefined;
      return node;
    } catch (error) {
      if (error instanceof NotLiteral) return undefined;
      throw error;
    }
  }

  private tokenize(): void {
    const text = this.text;
    let index = 0;
    while (index < text.length) {
      const char = text[index]!;
      if (char === ' ' || char === '\t' || char === '\f') {
        index += 1;
        continue;
      }
      if (char === '#') break;
      NUMBER.lastIndex = index;
      const number = NUMBER.exec(text);
      if (number && !this.continuesWord(index + number[0].length)) {
        this.tokens.push({ type: 'number', text: number[0], offset: index, value: numberValue(number[0]) });
        index += number[0].length;
        continue;
      }
      IDENTIFIER.lastIndex = index;
      const word = IDENTIFIER.exec(text)?.[0];
      if (word !== undefined) {
        const quote = text[index + word.length];
        if ((quote === "'" || quote === '"') && STRING_PREFIX.test(word)) index = this.string(index, word);
        else {
          this.tokens.push({ type: 'name', text: word, offset: index });
          index += word.length;
        }
        continue;
      }
      if (char === "'" || char === '"') {
        index = this.string(index, '');
        continue;
      }
      const operator = OPERATORS.find((candidate) => text.startsWith(candidate, index));
      // Any other character is an operator literal_eval rejects, or no Python at all: either way not a literal.
      if (!operator) throw NOT_LITERAL;
      this.tokens.push({ type: 'operator', text: operator, offset: index });
      index += operator.length;
    }
    this.tokens.push({ type: 'end', text: '', offset: text.length });
  }

  /** `1abc` and `1if` are no number followed by a name as far as literals go. */
  private continuesWord(index: number): boolean {
    IDENTIFIER.lastIndex = index;
    return IDENTIFIER.test(this.text) || this.text[index] === '.';
  }

  /** Reads a string literal at `index` (after its prefix) and returns the index after it. */
  private string(index: number, prefix: string): number {
    const flags = prefix.toLowerCase();
    // An f-string is a JoinedStr, which literal_eval rejects.
    if (flags.includes('f')) throw NOT_LITERAL;
    const raw = flags.includes('r');
    const bytes = flags.includes('b');
    const open = index + prefix.length;
    const quote = this.text[open]!;
    const delimiter = this.text.startsWith(quote.repeat(3), open) ? quote.repeat(3) : quote;
    let end = open + delimiter.length;
    while (!this.text.startsWith(delimiter, end)) {
      if (end >= this.text.length) throw NOT_LITERAL;
      end += this.text[end] === '\\' ? 2 : 1;
    }
    const body = this.text.slice(open + delimiter.length, end);
    const value: PyValue = bytes ? { type: 'bytes', value: bytesBody(body, raw) } : { type: 'str', value: raw ? body : this.unescape(body, this.base + open + delimiter.length) };
    this.tokens.push({ type: 'string', text: this.text.slice(index, end + delimiter.length), offset: index, value });
    return end + delimiter.length;
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    return this.tokens[this.position++]!;
  }

  private isOperator(text: string): boolean {
    const token = this.peek();
    return token.type === 'operator' && token.text === text;
  }

  private expect(text: string): void {
    if (!this.isOperator(text)) throw NOT_LITERAL;
    this.position += 1;
  }

  /** `a, b` is a tuple; `inBrackets` is false where the list ends at a closing bracket that the caller reads. */
  private expressionList(topLevel: boolean): Node {
    const offset = this.peek().offset;
    const first = this.expression();
    if (!this.isOperator(',')) return first;
    const items = [first];
    while (this.isOperator(',')) {
      this.position += 1;
      if (this.endsList(topLevel)) break;
      items.push(this.expression());
    }
    return { kind: 'tuple', items, offset: this.base + offset };
  }

  private endsList(topLevel: boolean): boolean {
    return topLevel ? this.peek().type === 'end' : this.isOperator(')');
  }

  /** Python's arithmetic level: `+` and `-` between unary terms, left to right. */
  private expression(): Node {
    let left = this.unary();
    while (this.isOperator('+') || this.isOperator('-')) {
      const token = this.next();
      const right = this.unary();
      left = { kind: 'binary', operator: token.text as '+' | '-', left, right, offset: this.base + token.offset };
    }
    return left;
  }

  private unary(): Node {
    const operators: Token[] = [];
    while (this.isOperator('+') || this.isOperator('-') || this.isOperator('~')) operators.push(this.next());
    let node = this.atom();
    for (const token of operators.reverse()) {
      node = { kind: 'unary', operator: token.text as '+' | '-' | '~', operand: node, offset: this.base + token.offset };
    }
    return node;
  }

  private atom(): Node {
    const token = this.next();
    const offset = this.base + token.offset;
    if (token.type === 'number') return { kind: 'constant', value: token.value!, offset };
    if (token.type === 'string') return this.strings(token);
    if (token.type === 'name') return this.name(token);
    if (token.type !== 'operator') throw NOT_LITERAL;
    if (token.text === '...') return { kind: 'constant', value: { type: 'ellipsis' }, offset };
    if (token.text === '(' || token.text === '[' || token.text === '{') {
      this.depth += 1;
      if (this.depth > MAX_NESTING) throw NOT_LITERAL;
      const node = token.text === '(' ? this.parenthesised(offset) : token.text === '[' ? this.list(offset) : this.braces(offset);
      this.depth -= 1;
      return node;
    }
    throw NOT_LITERAL;
  }

  /** Adjacent strings are one literal; bytes and text cannot be mixed. */
  private strings(first: Token): Node {
    let value = first.value!;
    while (this.peek().type === 'string') {
      const next = this.next().value!;
      if (value.type === 'str' && next.type === 'str') value = { type: 'str', value: value.value + next.value };
      else if (value.type === 'bytes' && next.type === 'bytes') value = { type: 'bytes', value: [...value.value, ...next.value] };
      else throw NOT_LITERAL;
    }
    return { kind: 'constant', value, offset: this.base + first.offset };
  }

  private name(token: Token): Node {
    const offset = this.base + token.offset;
    const constant = CONSTANTS[token.text];
    if (constant) return { kind: 'constant', value: constant, offset };
    if (KEYWORDS.has(token.text)) throw NOT_LITERAL;
    if (!this.isOperator('(')) return { kind: 'name', offset };
    // A call: literal_eval accepts only set() with no arguments.
    this.position += 1;
    this.expect(')');
    return token.text === 'set' ? { kind: 'emptySet', offset } : { kind: 'name', offset };
  }

  private parenthesised(offset: number): Node {
    if (this.isOperator(')')) {
      this.position += 1;
      return { kind: 'tuple', items: [], offset };
    }
    const node = this.expressionList(false);
    this.expect(')');
    return node;
  }

  private list(offset: number): Node {
    const items = this.items(']');
    return { kind: 'list', items, offset };
  }

  private braces(offset: number): Node {
    if (this.isOperator('}')) {
      this.position += 1;
      return { kind: 'dict', keys: [], values: [], offset };
    }
    const first = this.expression();
    if (!this.isOperator(':')) {
      const items = [first];
      if (this.isOperator(',')) {
        this.position += 1;
        items.push(...this.items('}'));
      } else this.expect('}');
      return { kind: 'set', items, offset };
    }
    const keys = [first];
    const values: Node[] = [];
    for (;;) {
      this.expect(':');
      values.push(this.expression());
      if (this.isOperator('}')) break;
      this.expect(',');
      if (this.isOperator('}')) break;
      keys.push(this.expression());
    }
    this.position += 1;
    return { kind: 'dict', keys, values, offset };
  }

  /** Comma-separated expressions up to `close` (read), a trailing comma allowed. */
  private items(close: string): Node[] {
    const items: Node[] = [];
    while (!this.isOperator(close)) {
      items.push(this.expression());
      if (this.isOperator(close)) break;
      this.expect(',');
    }
    this.position += 1;
    return items;
  }

  /** The escapes of a (non-raw) str literal; an unknown escape keeps its backslash, as Python does. */
  private unescape(body: string, offset: number): string {
    return unescape(body, (name, position) => {
      this.namedEscape ??= { name, offset: offset + position };
    });
  }
}

function numberValue(text: string): PyValue {
  const digits = text.replaceAll('_', '');
  if (/[jJ]$/.test(digits)) return { type: 'complex', real: 0, imag: Number(digits.slice(0, -1)) };
  if (/^0[xXoObB]/.test(digits)) return { type: 'int', value: BigInt(digits) };
  if (/[.eE]/.test(digits)) return { type: 'float', value: Number(digits) };
  // Python refuses 0777 (no octal without 0o) and, since 3.11, decimal literals of more than 4300 digits.
  if ((/^0/.test(digits) && /[1-9]/.test(digits)) || digits.length > MAX_DECIMAL_DIGITS) throw NOT_LITERAL;
  return { type: 'int', value: BigInt(digits) };
}


/** Python's str escapes; `\N{NAME}` is left to `onNamedEscape` (it becomes U+FFFD). */
function unescape(body: string, onNamedEscape: (name: string, position: number) => void): string {
  if (!body.includes('\\')) return body;
  return body.replace(/\\(?:([0-7]{1,3})|x(.{0,2})|u(.{0,4})|U(.{0,8})|N(\{[^}]*\}?)?|([\s\S])|$)/g, (match, octal, hex2, hex4, hex8, name, other, position: number) => {
    if (octal !== undefined) return String.fromCodePoint(parseInt(octal, 8));
    const hex = hex2 ?? hex4 ?? hex8;
    if (hex !== undefined) {
      const width = hex2 !== undefined ? 2 : hex4 !== undefined ? 4 : 8;
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw NOT_LITERAL;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw NOT_LITERAL;
      return String.fromCodePoint(code);
    }
    if (match.startsWith('\\N')) {
      if (name === undefined || !name.endsWith('}') || name === '{}') throw NOT_LITERAL;
      onNamedEscape(name, position);
      return '\ufffd';
    }
    if (other === undefined) throw NOT_LITERAL;
    return SIMPLE_ESCAPES[other] ?? match;
  });
}

/** A bytes literal: ASCII only; octal escapes wrap at 256, as Python 3.11 does; \N, \u and \U are no escapes here. */
function bytesBody(body: string, raw: boolean): number[] {
  if (/[^\x00-\x7f]/.test(body)) throw NOT_LITERAL;
  const bytes: number[] = [];
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index]!;
    if (raw || char !== '\\') {
      bytes.push(char.charCodeAt(0));
      continue;
    }
    const next = body[index + 1]!;
    const octal = /^[0-7]{1,3}/.exec(body.slice(index + 1, index + 4))?.[0];
    if (octal) {
      bytes.push(parseInt(octal, 8) & 0xff);
      index += octal.length;
    } else if (next === 'x') {
      const hex = body.slice(index + 2, index + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw NOT_LITERAL;
      bytes.push(parseInt(hex, 16));
      index += 3;
    } else if (SIMPLE_ESCAPES[next] !== undefined) {
      bytes.push(SIMPLE_ESCAPES[next]!.charCodeAt(0));
      index += 1;
    } else bytes.push(0x5c);
  }
  return bytes;
}

/** literal_eval's _convert: MALFORMED where it raises ValueError, PythonLiteralError where TypeError. */
function evaluate(node: Node): PyValue | typeof MALFORMED {
  try {
    return convert(node);
  } catch (error) {
    if (error instanceof NotLiteral) return MALFORMED;
    throw error;
  }
}

function convert(node: Node): PyValue {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'tuple':
    case 'list':
      return { type: node.kind, items: node.items.map(convert), offsets: node.items.map((item) => item.offset) };
    case 'set': {
      const members = new PyDict();
      for (const item of node.items) members.set(convert(item), { type: 'none' }, item.offset);
      return { type: 'set', items: members.keys };
    }
    case 'emptySet':
      return { type: 'set', items: [] };
    case 'dict': {
      // Python converts key, value, key, value... and hashes each key as it is inserted.
      const dict = new PyDict();
      node.keys.forEach((key, index) => dict.set(convert(key), convert(node.values[index]!), key.offset));
      return { type: 'dict', keys: dict.keys, values: dict.values, offsets: dict.offsets };
    }
    case 'binary': {
      const left = signedNumber(node.left);
      const right = number(node.right);
      if ((left.type === 'int' || left.type === 'float') && right.type === 'complex') {
        const real = left.type === 'int' ? Number(left.value) : left.value;
        return { type: 'complex', real: node.operator === '+' ? real + right.real : real - right.real, imag: node.operator === '+' ? right.imag : -right.imag };
      }
      throw NOT_LITERAL;
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
  throw NOT_LITERAL;
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

/** What the value is once Ansible serialises it as JSON; what its JSON encoder fails on is refused here. */
function toInventoryValue(value: PyValue, offset: number): unknown {
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
      return value.items.map((item, index) => toInventoryValue(item, value.offsets[index]!));
    case 'dict': {
      const object: Record<string, unknown> = {};
      value.keys.forEach((key, index) => {
        Object.defineProperty(object, jsonKey(key, value.offsets[index]!), {
          value: toInventoryValue(value.values[index]!, value.offsets[index]!),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return object;
    }
    default:
      throw new PythonLiteralError(`a Python ${describe(value)} cannot be an inventory value (ansible-inventory cannot print it either)`, offset);
  }
}

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
