import type { HostResult } from '../run/host-result.js';

/** `-o json`: every record, in host order, as one JSON array. */
export function formatJsonResults(results: readonly HostResult[]): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/** `-o ndjson`: one record on one line, written as its host finishes. */
export function formatNdjsonRecord(result: HostResult): string {
  return `${JSON.stringify(result)}\n`;
}
