/**
 * Python's ast.literal_eval, with JSON's true/false/null as Ansible's
 * Json2Python allows: what turns a rendered "[1, 'a']" back into a list.
 * Strings, numbers, True/False/None, lists, tuples and sets (both as lists)
 * and dicts; anything else (names, calls, operators) is not a literal, and
 * the text stays as it is.
 */
export function literalEval(text: string): { value: unknown } | undefined {
  const parser = new LiteralParser(text);
  try {
    const value = parser.expression();
    parser.skipSpace();
    return parser.atEnd() ? { value } : undefined;
  } catch (error) {
    // Nesting deeper than the stack allows is no literal either: the text stays as it is.
    if (error instanceof NotALiteral || error instanceof RangeError) return undefined;
    throw error;
  }
}

class NotALiteral extends Error {}

const NAMES: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, null: null };
const NUMBER = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][-+]?\d(?:_?\d)*)?)/;
const ESCAPES: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

class LiteralParser {
  private index = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.index]!)) this.index += 1;
  }

  expression(): unknown {
    this.skipSpace();
    const char = this.text[this.index];
    if (char === '-' || char === '+') {
      this.index += 1;
      const operand = this.expression();
      if (typeof operand !== 'number') throw new NotALiteral();
      return char === '-' ? -operand : operand;
    }
    if (char === '[') return this.sequence(']');
    if (char === '(') return this.tuple();
    if (char === '{') return this.braces();
    const prefix = /^[rRbBuU]{0,2}(?=['"])/.exec(this.text.slice(this.index));
    if (prefix) return this.strings();
    const number = NUMBER.exec(this.text.slice(this.index));
    if (number?.[0]) return this.number(number[0]);
    const name = /^[A-Za-z_]\w*/.exec(this.text.slice(this.index));
    if (name && Object.hasOwn(NAMES, name[0])) {
      this.index += name[0].length;
      return NAMES[name[0]];
    }
    throw new NotALiteral();
  }

  private number(digits: string): number {
    this.index += digits.length;
    if (/^[jJ\w]/.test(this.text[this.index] ?? '')) throw new NotALiteral();
    const plain = digits.replaceAll('_', '');
    // Python 3 has no 017 octal: a decimal integer with a leading zero is a syntax error.
    if (/^0\d/.test(plain) && /^\d+$/.test(plain) && !/^0+$/.test(plain)) throw new NotALiteral();
    return /^0[xob]/i.test(plain) ? Number(plain.toLowerCase()) : Number(plain);
  }

  private sequence(close: string): unknown[] {
    return this.items(close, () => this.expression());
  }

  /** Comma-separated items up to `close` (a trailing comma allowed), from the opening bracket. */
  private items<T>(close: string, item: () => T): T[] {
    this.index += 1;
    const items: T[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] === close) break;
      items.push(item());
      this.skipSpace();
      if (this.text[this.index] === ',') this.index += 1;
      else if (this.text[this.index] !== close) throw new NotALiteral();
    }
    this.index += 1;
    return items;
  }

  /** `(1)` is 1; `(1,)`, `(1, 2)` and `()` are tuples. */
  private tuple(): unknown {
    const start = this.index;
    this.index += 1;
    this.skipSpace();
    if (this.text[this.index] === ')') {
      this.index += 1;
      return [];
    }
    const first = this.expression();
    this.skipSpace();
    if (this.text[this.index] === ')') {
      this.index += 1;
      return first;
    }
    this.index = start;
    return this.sequence(')');
  }

  /** A dict, or a set (kept as a list: JSON has no sets). */
  private braces(): unknown {
    const start = this.index;
    this.index += 1;
    this.skipSpace();
    if (this.text[this.index] === '}') {
      this.index += 1;
      return {};
    }
    this.expression();
    this.skipSpace();
    const isDict = this.text[this.index] === ':';
    this.index = start;
    return isDict ? this.dict() : this.sequence('}');
  }

  private dict(): Record<string, unknown> {
    return Object.fromEntries(
      this.items('}', () => {
        const key = this.expression();
        if (key !== null && typeof key === 'object') throw new NotALiteral();
        this.skipSpace();
        if (this.text[this.index] !== ':') throw new NotALiteral();
        this.index += 1;
        return [pythonKey(key), this.expression()] as const;
      }),
    );
  }

  /** Adjacent literals concatenate: 'a' "b" is 'ab'. */
  private strings(): string {
    let value = this.string();
    for (;;) {
      const save = this.index;
      this.skipSpace();
      if (!/^[rRbBuU]{0,2}['"]/.test(this.text.slice(this.index))) {
        this.index = save;
        return value;
      }
      value += this.string();
    }
  }

  private string(): string {
    const prefix = /^[rRbBuU]{0,2}/.exec(this.text.slice(this.index))![0];
    this.index += prefix.length;
    const raw = /r/i.test(prefix);
    const quote = this.text.startsWith(this.text[this.index]!.repeat(3), this.index) ? this.text[this.index]!.repeat(3) : this.text[this.index]!;
    this.index += quote.length;
    let value = '';
    for (;;) {
      if (this.atEnd()) throw new NotALiteral();
      if (this.text.startsWith(quote, this.index)) break;
      const char = this.text[this.index]!;
      if (char === '\n' && quote.length === 1) throw new NotALiteral();
      if (char !== '\\') {
        value += char;
        this.index += 1;
      } else if (raw) {
        value += this.text.slice(this.index, this.index + 2);
        this.index += 2;
      } else {
        value += this.escape();
      }
    }
    this.index += quote.length;
    return value;
  }

  private escape(): string {
    const next = this.text[this.index + 1] ?? '';
    this.index += 2;
    if (Object.hasOwn(ESCAPES, next)) return ESCAPES[next]!;
    const hex = { x: 2, u: 4, U: 8 }[next as 'x' | 'u' | 'U'];
    if (hex !== undefined) {
      const digits = this.text.slice(this.index, this.index + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) throw new NotALiteral();
      this.index += hex;
      return String.fromCodePoint(parseInt(digits, 16));
    }
    const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.index - 1));
    if (octal) {
      this.index += octal[0].length - 1;
      return String.fromCodePoint(parseInt(octal[0], 8));
    }
    // Python keeps an unknown escape as it is written.
    return `\\${next}`;
  }
}

function pythonKey(key: unknown): string {
  if (key === true) return 'True';
  if (key === false) return 'False';
  if (key === null) return 'None';
  return String(key);
}
