/**
 * The literal part of Python 3.11's expression syntax, as `ast.parse` reads
 * it for `ast.literal_eval`: tokens (numbers with `_`, `0x`/`0o`/`0b`, `j`;
 * string prefixes, escapes and adjacent strings joined; `True`, `None`, `...`),
 * and the tree of tuples, lists, sets, dicts, unary and binary `+`/`-`, names
 * and `set()` that literal_eval then judges. Whatever else Python would parse
 * (calls, attributes, operators, comprehensions) is no literal either, and is
 * reported as no tree, as a syntax error would be.
 */

import { madeOnFirstUse } from '../made-on-first-use.js';

/** The tree of `text` (leading spaces and tabs stripped, as literal_eval does), or undefined where it is no literal syntax. */
export function parsePython(text: string): { node: Node; namedEscape?: { name: string; offset: number } } | undefined {
  const lead = /^[ \t]*/.exec(text)![0].length;
  const parser = new Parser(text.slice(lead), lead);
  const node = parser.parse();
  return node && { node, namedEscape: parser.namedEscape };
}

export type PyValue =
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

export type Node =
  | { kind: 'constant'; value: PyValue; offset: number }
  | { kind: 'tuple' | 'list' | 'set'; items: Node[]; offset: number }
  | { kind: 'dict'; keys: Node[]; values: Node[]; offset: number }
  | { kind: 'unary'; operator: '+' | '-' | '~'; operand: Node; offset: number }
  | { kind: 'binary'; operator: '+' | '-'; left: Node; right: Node; offset: number }
  | { kind: 'name'; id: string; offset: number }
  | { kind: 'emptySet'; offset: number };

interface Token {
  type: 'number' | 'string' | 'name' | 'operator' | 'end';
  text: string;
  offset: number;
  /** Numbers and strings. */
  value?: PyValue;
}

/** Python's tokenizer refuses deeper nesting of brackets ("too many nested parentheses"). */
const MAX_NESTING = 200;
/** Python 3.11 refuses longer decimal integer literals (sys.int_info.default_max_str_digits). */
const MAX_DECIMAL_DIGITS = 4300;
const KEYWORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally',
  'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);
export const PYTHON_CONSTANTS: Record<string, PyValue> = {
  True: { type: 'bool', value: true },
  False: { type: 'bool', value: false },
  None: { type: 'none' },
};
const identifier = madeOnFirstUse(() => /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy);
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

/** Thrown to leave the parse where Python sees a syntax error: not an Error, as most INI values (`deploy`, `10.0.0.5`) end up here and a stack trace each costs. */
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
      const identifierAt = identifier();
      identifierAt.lastIndex = index;
      const word = identifierAt.exec(text)?.[0];
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
    const identifierAt = identifier();
    identifierAt.lastIndex = index;
    return identifierAt.test(this.text) || this.text[index] === '.';
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
    const constant = PYTHON_CONSTANTS[token.text];
    if (constant) return { kind: 'constant', value: constant, offset };
    if (KEYWORDS.has(token.text)) throw NOT_LITERAL;
    if (!this.isOperator('(')) return { kind: 'name', id: token.text, offset };
    // A call: literal_eval accepts only set() with no arguments.
    this.position += 1;
    this.expect(')');
    return token.text === 'set' ? { kind: 'emptySet', offset } : { kind: 'name', id: `${token.text}()`, offset };
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
