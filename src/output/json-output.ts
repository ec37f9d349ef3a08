import type { HostResult } from '../run/host-result.js';
import { jsonArrayChunks } from './json-chunks.js';

/** `-o json`: every record, in host order, as one JSON array (the CLI streams the same text record by record). */
export function formatJsonResults(results: readonly HostResult[]): string {
  return `${[...jsonArrayChunks(results)].join('')}\n`;
}

/** `-o ndjson`: one record on one line, written as its host finishes. */
export function formatNdjsonRecord(result: HostResult): string {
  return `${JSON.stringify(result)}\n`;
}
