/**
 * Python's `shlex.split(text, comments=True)` (POSIX mode), which Ansible's INI
 * plugin splits host lines with: words split on space, tab, CR and LF; `'...'`
 * and `"..."` quote (inside `"` only `\"` and `\\` are escapes); `\` escapes
 * the next character outside quotes; `#` starts a comment, also in the middle
 * of a word. Ported from CPython's shlex.read_token so that quoting edge cases
 * come out as Ansible sees them.
 */

export interface ShlexWord {
  value: string;
  /** Offset in the input where the word starts (its first quote or backslash included). */
  start: number;
}

/** An unclosed quote or a trailing backslash; `offset` is where the quote or backslash is. */
export class ShlexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const QUOTES = new Set(["'", '"']);

type State = 'between' | 'word' | "'" | '"' | 'escape';

export function shlexSplit(text: string): ShlexWord[] {
  const words: ShlexWord[] = [];
  let state: State = 'between';
  let value = '';
  let quoted = false;
  let start = 0;
  /** Where an escape returns to: a word, or inside double quotes. */
  let afterEscape: 'word' | '"' = 'word';
  let openedAt = 0;
  const emit = () => {
    if (value !== '' || quoted) words.push({ value, start });
    value = '';
    quoted = false;
  };
  for (let index = 0; index <= text.length; index += 1) {
    const char = index < text.length ? text[index]! : undefined;
    switch (state) {
      case 'between':
        if (char === undefined) break;
        start = index;
        if (WHITESPACE.has(char)) continue;
        if (char === '#') index = endOfLine(text, index);
        else if (char === '\\') {
          afterEscape = 'word';
          openedAt = index;
          state = 'escape';
        } else if (QUOTES.has(char)) {
          openedAt = index;
          state = char as "'" | '"';
        } else {
          value = char;
          state = 'word';
        }
        break;
      case "'":
      case '"':
        quoted = true;
        if (char === undefined) throw new ShlexError('No closing quotation', openedAt);
        if (char === state) state = 'word';
        else if (char === '\\' && state === '"') {
          afterEscape = '"';
          openedAt = index;
          state = 'escape';
        } else value += char;
        break;
      case 'escape':
        if (char === undefined) throw new ShlexError('No escaped character', openedAt);
        // Inside double quotes only the quote and the backslash itself are escaped; others keep the backslash.
        if (afterEscape === '"' && char !== '\\' && char !== '"') value += '\\';
        value += char;
        state = afterEscape;
        break;
      case 'word':
        if (char === undefined) {
          emit();
          break;
        }
        if (WHITESPACE.has(char)) {
          state = 'between';
          emit();
        } else if (char === '#') {
          index = endOfLine(text, index);
          state = 'between';
          emit();
        } else if (QUOTES.has(char)) {
          openedAt = index;
          state = char as "'" | '"';
        } else if (char === '\\') {
          afterEscape = 'word';
          openedAt = index;
          state = 'escape';
        } else value += char;
        break;
    }
  }
  return words;
}

/** The index of the line feed ending the comment at `index` (the loop steps past it), or the last index. */
function endOfLine(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end < 0 ? text.length - 1 : end;
}
