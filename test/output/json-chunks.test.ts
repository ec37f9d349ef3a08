import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import { jsonArrayChunks, writeChunks } from '../../src/output/json-chunks.js';

describe('jsonArrayChunks', () => {
  it('gives the text of JSON.stringify(items, null, 2), item by item, also nested in a document', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 6 }), (items) => {
        expect([...jsonArrayChunks(items)].join('')).to.equal(JSON.stringify(items, null, 2));
        expect(`{\n  "items": ${[...jsonArrayChunks(items, 1)].join('')}\n}`).to.equal(JSON.stringify({ items }, null, 2));
      }),
    );
  });

  it('writes chunk by chunk, waiting for drain where a stream asks for it', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const seen: string[] = [];
    const done = writeChunks(stream, ['aaaaaa', 'bb', 'cc']);
    stream.on('data', (chunk: Buffer) => seen.push(chunk.toString()));
    await done;
    expect(seen.join('')).to.equal('aaaaaabbcc');
  });
});
