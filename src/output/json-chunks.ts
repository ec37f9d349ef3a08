import type { TextSink } from './text-output.js';

/**
 * The text of `JSON.stringify(items, null, 2)`, nested `depth` levels deep, one
 * item at a time: a run's records are never one string (past ~512 MB V8 throws
 * `RangeError: Invalid string length` and the run's results would be lost).
 */
export function* jsonArrayChunks(items: Iterable<unknown>, depth = 0): Generator<string> {
  const outer = '  '.repeat(depth);
  let first = true;
  for (const item of items) {
    yield first ? '[\n' : ',\n';
    yield indented(item, depth + 1);
    first = false;
  }
  yield first ? '[]' : `\n${outer}]`;
}

/** Writes chunk after chunk, waiting for 'drain' where the sink is a stream that asks for it. */
export async function writeChunks(sink: TextSink & { once?: (event: 'drain', listener: () => void) => unknown }, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (sink.write(chunk) === false && sink.once) await new Promise<void>((resolve) => sink.once!('drain', resolve));
  }
}

/**
 * `item` as JSON.stringify(item, null, 2) nested `levels` deep, the first line
 * indented too. Stringified inside as many one-item arrays, then sliced: no
 * second copy of a record that can hold megabytes of output.
 */
function indented(item: unknown, levels: number): string {
  const wrapped = Array.from({ length: levels }).reduce<unknown>((inner) => [inner], item);
  const text = JSON.stringify(wrapped, null, 2);
  // Each level opens with "[\n" plus its indentation and closes with "\n" plus its indentation and "]".
  let head = 0;
  for (let level = 0; level < levels; level += 1) head += 2 + (level < levels - 1 ? 2 * (level + 1) : 0);
  let tail = 0;
  for (let level = 0; level < levels; level += 1) tail += 2 + 2 * level;
  return text.slice(head, text.length - tail);
}
