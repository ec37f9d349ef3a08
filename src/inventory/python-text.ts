/**
 * Python's notion of lines and whitespace in a `str`, which decide what
 * Ansible's INI plugin sees as a line and where a name ends: `str.splitlines`
 * breaks on more than `\n` and `\r`, and `str.strip` and the `\s` of `re`
 * remove more than JavaScript's `trim` (and not U+FEFF, which `trim` removes).
 */

/** The characters for which Python's `str.isspace()` is true; `\s` in a Python `str` pattern matches the same. */
export const PYTHON_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LINE_BREAK = /\r\n|[\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029]/;
const SPACE = new RegExp(`[${PYTHON_WHITESPACE}]`);

/** `text.splitlines()`: no empty last line after a final line break. */
export function pythonSplitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `text.strip()`, and where the stripped text starts in `text` (for columns). */
export function pythonStrip(text: string): { text: string; start: number } {
  // Character by character: a regex anchored at the end would rescan long runs of spaces.
  let start = 0;
  while (start < text.length && SPACE.test(text[start]!)) start += 1;
  let end = text.length;
  while (end > start && SPACE.test(text[end - 1]!)) end -= 1;
  return { text: text.slice(start, end), start };
}
