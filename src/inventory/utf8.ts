import { isUtf8 } from 'node:buffer';
import { InventoryError } from './errors.js';

/**
 * Inventory text is UTF-8, as Ansible reads it: a file in another encoding is
 * refused, naming the first byte that is not UTF-8, rather than read with
 * replacement characters that would end up in host names and vars.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (!isUtf8(bytes)) throw encodingError(bytes, file);
  // ignoreBOM keeps a byte order mark in the text, where the readers decide about it.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** The error for `bytes` (line `firstLine` of `file` onwards) that are not UTF-8, at the first offending byte. */
export function encodingError(bytes: Uint8Array, file: string, firstLine = 1): InventoryError {
  const offset = firstInvalidByte(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let lineEnd = bytes.indexOf(0x0a, offset);
  if (lineEnd < 0) lineEnd = bytes.length;
  let line = firstLine;
  for (let index = 0; index < lineStart; index += 1) if (bytes[index] === 0x0a) line += 1;
  const decoder = new TextDecoder('utf-8');
  const column = decoder.decode(bytes.subarray(lineStart, offset)).length + 1;
  const lineText = decoder.decode(bytes.subarray(lineStart, lineEnd)).replace(/\r$/, '');
  const byte = bytes[offset]!.toString(16).padStart(2, '0');
  return new InventoryError('INVENTORY_ENCODING', `not UTF-8: byte 0x${byte} starts no valid UTF-8 character (save the file as UTF-8)`, {
    file,
    line,
    column,
    lineText,
  });
}

/** Where the first sequence that is not well-formed UTF-8 (shortest form, no surrogates, at most U+10FFFF) starts. */
function firstInvalidByte(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return index;
    for (let k = 1; k < length; k += 1) {
      const next = bytes[index + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return index;
    }
    index += length;
  }
  return -1;
}
