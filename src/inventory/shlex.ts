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

/** A line without quotes or backslashes: the words are the runs of non-blanks, up to the first #. */
const PLAIN = /^[^'"\\]*$/;
const PLAIN_WORD = /[^ \t\r\n#]+|#/g;
/** The characters that end a run inside a word, inside '...' and inside "...". */
const IN_WORD = /[ \t\r\n#'"\\]/g;
const IN_SINGLE_QUOTES = /'/g;
const IN_DOUBLE_QUOTES = /["\\]/g;

export function shlexSplit(text: string): ShlexWord[] {
  if (PLAIN.test(text)) return plainWords(text);
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
        } else {
          const end = runEnd(text, index, state === '"' ? IN_DOUBLE_QUOTES : IN_SINGLE_QUOTES);
          value += text.slice(index, end);
          index = end - 1;
        }
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
        } else {
          const end = runEnd(text, index, IN_WORD);
          value += text.slice(index, end);
          index = end - 1;
        }
        break;
    }
  }
  return words;
}

/** Where the run of ordinary characters at `index` ends: taken in one slice, not character by character. */
function runEnd(text: string, index: number, stops: RegExp): number {
  stops.lastIndex = index;
  return stops.exec(text)?.index ?? text.length;
}

/** shlexSplit for the common line with nothing quoted or escaped, without building words character by character. */
function plainWords(text: string): ShlexWord[] {
  const words: ShlexWord[] = [];
  for (const match of text.matchAll(PLAIN_WORD)) {
    if (match[0] === '#') {
      // A comment runs to the end of its line; words may follow on the next one.
      const end = text.indexOf('\n', match.index);
      if (end < 0) break;
      return [...words, ...plainWords(text.slice(end)).map((word) => ({ value: word.value, start: word.start + end }))];
    }
    words.push({ value: match[0], start: match.index });
  }
  return words;
}

/** The index of the line feed ending the comment at `index` (the loop steps past it), or the last index. */
function endOfLine(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end < 0 ? text.length - 1 : end;
}
