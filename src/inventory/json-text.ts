/**
 * JSON as Python's `json.loads` reads an inventory script's output. Not
 * JSON.parse, because the order of an object's keys is the order of the
 * script's groups, and JavaScript objects put integer-like keys ("2024", "10")
 * first; and because a bad document should be reported at its line and
 * column. Objects are Maps in the order their keys first appear (a repeated key
 * keeps its place and takes the last value, as a Python dict); `NaN`,
 * `Infinity` and `-Infinity` are accepted, as Python accepts them.
 */

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based. */
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
  }
}

export type JsonValue = null | boolean | number | string | JsonValue[] | Map<string, JsonValue>;

/** Nesting past this is no inventory, and would overflow the stack. */
const MAX_DEPTH = 1000;
const STRING_STOP = /["\\\x00-\x1f]/g;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const LITERALS: Array<[string, JsonValue]> = [['true', true], ['false', false], ['null', null], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]];

export function parseJson(text: string): JsonValue {
  const reader = new JsonReader(text);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (!reader.atEnd()) throw reader.error('extra data after the JSON value');
  return value;
}

/** A JSON value with its Maps turned into plain objects, for vars. */
export function plainJson(value: JsonValue): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, plainJson(item)]));
  if (Array.isArray(value)) return value.map(plainJson);
  return value;
}

class JsonReader {
  private index = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  skipSpace(): void {
    while (this.index < this.text.length && ' \t\n\r'.includes(this.text[this.index]!)) this.index += 1;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw this.error(`nested more than ${MAX_DEPTH} deep`);
    const char = this.text[this.index];
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    if (char === '"') return this.string();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.index;
    const number = NUMBER.exec(this.text);
    if (number) {
      this.index += number[0].length;
      return Number(number[0]);
    }
    throw this.error(char === undefined ? 'expected a value, found the end of the output' : `expected a value, found ${JSON.stringify(char)}`);
  }

  error(reason: string): JsonSyntaxError {
    const before = this.text.slice(0, this.index);
    const lineStart = before.lastIndexOf('\n') + 1;
    return new JsonSyntaxError(reason, (before.match(/\n/g)?.length ?? 0) + 1, this.index - lineStart + 1);
  }

  private object(depth: number): Map<string, JsonValue> {
    const object = new Map<string, JsonValue>();
    this.index += 1;
    this.skipSpace();
    if (this.text[this.index] === '}') {
      this.index += 1;
      return object;
    }
    for (;;) {
      if (this.text[this.index] !== '"') throw this.error('expected a property name in double quotes');
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      object.set(key, this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.index] === '}') {
        this.index += 1;
        return object;
      }
      this.expect(',');
      this.skipSpace();
    }
  }

  private array(depth: number): JsonValue[] {
    const array: JsonValue[] = [];
    this.index += 1;
    this.skipSpace();
    if (this.text[this.index] === ']') {
      this.index += 1;
      return array;
    }
    for (;;) {
      array.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.index] === ']') {
        this.index += 1;
        return array;
      }
      this.expect(',');
      this.skipSpace();
    }
  }

  private string(): string {
    let value = '';
    this.index += 1;
    for (;;) {
      STRING_STOP.lastIndex = this.index;
      const stop = STRING_STOP.exec(this.text);
      if (!stop) {
        this.index = this.text.length;
        throw this.error('unterminated string');
      }
      value += this.text.slice(this.index, stop.index);
      this.index = stop.index;
      const char = this.text[this.index]!;
      if (char === '"') {
        this.index += 1;
        return value;
      }
      if (char !== '\\') throw this.error('a control character must be escaped inside a string');
      const escape = this.text[this.index + 1];
      if (escape === 'u') {
        const hex = this.text.slice(this.index + 2, this.index + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.error('\\u needs four hex digits');
        value += String.fromCharCode(parseInt(hex, 16));
        this.index += 6;
      } else if (escape !== undefined && ESCAPES[escape] !== undefined) {
        value += ESCAPES[escape];
        this.index += 2;
      } else throw this.error(`invalid escape \\${escape ?? ''}`);
    }
  }

  private expect(char: string): void {
    if (this.text[this.index] !== char) throw this.error(`expected '${char}'`);
    this.index += 1;
  }
}
