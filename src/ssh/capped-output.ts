/**
 * Keeps the first `limit` bytes of a stream and counts the rest, so a host that
 * prints gigabytes costs at most `limit` bytes of memory.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private seen = 0;

  constructor(private readonly limit: number) {}

  /** Keeps what fits under the limit and counts the whole chunk. */
  push(chunk: Buffer): void {
    this.seen += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    const piece = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(piece);
    this.kept += piece.length;
  }

  /** More arrived than was kept. */
  get truncated(): boolean {
    return this.seen > this.kept;
  }

  /** Bytes seen, kept or not. */
  get totalBytes(): number {
    return this.seen;
  }

  /** The kept bytes as UTF-8 (a character cut by the limit becomes U+FFFD). */
  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }
}
