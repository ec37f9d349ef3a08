import { expect } from 'chai';
import fc from 'fast-check';
import { escapeControlCharacters, escapesHostOutput, hostOutputFor } from '../../src/output/untrusted-text.js';

/** What a terminal must never receive from a host: C0 but tab and newline, DEL, C1, bidi controls. */
const isUnsafe = (codePoint: number) =>
  (codePoint < 0x20 && codePoint !== 0x09 && codePoint !== 0x0a) ||
  (codePoint >= 0x7f && codePoint <= 0x9f) ||
  [0x061c, 0x200e, 0x200f].includes(codePoint) ||
  (codePoint >= 0x202a && codePoint <= 0x202e) ||
  (codePoint >= 0x2066 && codePoint <= 0x2069);

const codePoints = (text: string) => [...text].map((character) => character.codePointAt(0) as number);

/** Any text, weighted towards the characters that matter here. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code)),
    fc.constantFrom('\u061c', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\\', 'x'),
  ),
  maxLength: 60,
});

describe('escaping untrusted text for a terminal', () => {
  it('shows ESC sequences, carriage returns, DEL, C1 and bidi controls as escapes, keeping tab and newline', () => {
    expect(escapeControlCharacters('copy\x1b]52;c;ZXZpbA==\x07 done')).to.equal('copy\\x1b]52;c;ZXZpbA==\\x07 done');
    expect(escapeControlCharacters('\x1b[2J\x1b[1;1Hforged')).to.equal('\\x1b[2J\\x1b[1;1Hforged');
    expect(escapeControlCharacters('real\rforged\n')).to.equal('real\\rforged\n');
    expect(escapeControlCharacters('\u009b31m \x7f \x00')).to.equal('\\u009b31m \\x7f \\x00');
    expect(escapeControlCharacters('file\u202eexe.txt')).to.equal('file\\u202eexe.txt');
    expect(escapeControlCharacters('a\tb\nc é 中 🎉 \u00a0')).to.equal('a\tb\nc é 中 🎉 \u00a0');
  });

  it('property: the escaped text holds no byte below 0x20 but tab and newline, no DEL, no C1 and no bidi control', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const escaped = escapeControlCharacters(text);
        expect([...Buffer.from(escaped, 'utf8')].filter((byte) => byte < 0x20 && byte !== 0x09 && byte !== 0x0a)).to.deep.equal([]);
        expect(codePoints(escaped).filter(isUnsafe)).to.deep.equal([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: text without unsafe characters is unchanged, and each unsafe one becomes the escape of its own code', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const safe = [...text].filter((character) => !isUnsafe(character.codePointAt(0) as number)).join('');
        expect(escapeControlCharacters(safe)).to.equal(safe);
        for (const character of text) {
          const code = character.codePointAt(0) as number;
          if (!isUnsafe(code)) continue;
          const escaped = escapeControlCharacters(character);
          expect(escaped).to.match(/^\\(r|x[0-9a-f]{2}|u[0-9a-f]{4})$/);
          expect(escaped === '\\r' ? 0x0d : parseInt(escaped.slice(2), 16)).to.equal(code);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('escapes host output on terminals by default; `sanitize` decides when set', () => {
    expect(escapesHostOutput({ isTTY: true })).to.equal(true);
    expect(escapesHostOutput({ isTTY: false })).to.equal(false);
    expect(escapesHostOutput({})).to.equal(false);
    expect(escapesHostOutput({ isTTY: false, sanitize: true })).to.equal(true);
    expect(escapesHostOutput({ isTTY: true, sanitize: false })).to.equal(false);
    expect(hostOutputFor({ isTTY: true })('\x1b[2J')).to.equal('\\x1b[2J');
    expect(hostOutputFor({ isTTY: false })('\x1b[2J')).to.equal('\x1b[2J');
  });
});
