/**
 * Splits a byte stream into lines, carrying partial lines across chunks so a
 * prefix goes on every line, not on every read (pssh -P's chunk-boundary bug).
 * A line longer than `maxLineBytes` is emitted in pieces, so one host printing
 * without newlines cannot grow memory; the pieces are cut between UTF-8
 * characters, so each one decodes to the characters that were sent.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly maxLineBytes: number;

  constructor(maxLineBytes = 64 * 1024) {
    // A piece must hold the longest UTF-8 character, or cutting could not advance.
    this.maxLineBytes = Math.max(UTF8_MAX_BYTES, maxLineBytes);
  }

  /** Complete lines in `chunk` (plus what was pending), without their newline. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      let segment = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      while (this.pendingBytes + segment.length > this.maxLineBytes) {
        const room = this.maxLineBytes - this.pendingBytes;
        const piece = this.take(segment.subarray(0, room));
        const cut = piece.length - incompleteTail(piece);
        lines.push(piece.subarray(0, cut));
        this.keep(piece.subarray(cut));
        segment = segment.subarray(room);
      }
      if (newline === -1) {
        this.keep(segment);
        break;
      }
      lines.push(this.take(segment));
      start = newline + 1;
    }
    return lines;
  }

  /** The unterminated last line, if any. */
  flush(): Buffer | null {
    return this.pendingBytes > 0 ? this.take(Buffer.alloc(0)) : null;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
  }

  private take(tail: Buffer): Buffer {
    if (this.pendingBytes === 0) return tail;
    const line = Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}

const UTF8_MAX_BYTES = 4;

/**
 * How many bytes at the end of `bytes` are the start of a UTF-8 character
 * that is not complete yet (0 when it ends on a character boundary, or in
 * bytes that are not UTF-8 at all: those are cut anywhere).
 */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back < UTF8_MAX_BYTES && back <= bytes.length; back += 1) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const length = byte >= 0xf8 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
