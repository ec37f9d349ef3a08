/**
 * Characters a terminal acts on instead of showing, or that reorder what it
 * shows: C0 controls but tab and newline (ESC starts OSC 52 clipboard writes,
 * cursor moves, screen clears; `\r` lets a line overwrite itself), DEL, the C1
 * controls U+0080-U+009F (U+009B is a one-character CSI), and the bidi
 * controls that make text display in another order than it reads (Trojan
 * Source, CVE-2021-42574).
 */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from remote hosts (output, server messages) made safe to show on a
 * terminal: every unsafe character becomes a visible escape (`\x1b`, `\r`,
 * `\u009b`, `\u202e`); everything else, tab and newline included, is left as is.
 * For display only: a remote `\x1b` typed as four characters looks the same.
 * sshpool's own lines (status lines, summary, errors) always go through it, as
 * OpenSSH escapes the server text it logs; host output only where
 * escapesHostOutput says.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

function escapeOne(character: string): string {
  if (character === '\r') return '\\r';
  const code = character.charCodeAt(0);
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether host output written to `sink` is escaped: as its `sanitize` says, else when it is a terminal. */
export function escapesHostOutput(sink: { isTTY?: boolean; sanitize?: boolean }): boolean {
  return sink.sanitize ?? Boolean(sink.isTTY);
}

/** How host output is to be written to `sink`: escaped, or exactly as it came. */
export function hostOutputFor(sink: { isTTY?: boolean; sanitize?: boolean }): (text: string) => string {
  return escapingIf(escapesHostOutput(sink));
}

/** escapeControlCharacters when `escape`, else text exactly as it came. */
export function escapingIf(escape: boolean | undefined): (text: string) => string {
  return escape ? escapeControlCharacters : asItCame;
}

function asItCame(text: string): string {
  return text;
}
