/**
 * Splits a byte stream into lines, carrying partial lines across chunks so a
 * prefix goes on every line, not on every read (pssh -P's chunk-boundary bug).
 * A line longer than `maxLineBytes` is emitted in pieces, so one host printing
 * without newlines cannot grow memory.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes = 64 * 1024) {}

  /** Complete lines in `chunk` (plus what was pending), without their newline. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      let segment = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      while (this.pendingBytes + segment.length > this.maxLineBytes) {
        const room = this.maxLineBytes - this.pendingBytes;
        lines.push(this.take(segment.subarray(0, room)));
        segment = segment.subarray(room);
      }
      if (newline === -1) {
        if (segment.length > 0) {
          this.pending.push(segment);
          this.pendingBytes += segment.length;
        }
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

  private take(tail: Buffer): Buffer {
    if (this.pendingBytes === 0) return tail;
    const line = Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}
