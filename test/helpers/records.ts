import { PassThrough } from 'node:stream';
import type { HostResult } from '../../src/run/host-result.js';

/** A finished host's record with plausible defaults; tests override what they are about. */
export function record(overrides: Partial<HostResult> = {}): HostResult {
  return {
    host: 'web01',
    command: 'true',
    kind: 'command',
    address: '127.0.0.1',
    port: 22,
    user: 'u',
    status: 'ok',
    exitCode: 0,
    signal: null,
    stdout: '',
    stderr: '',
    truncated: { stdout: false, stderr: false },
    error: null,
    startedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    durationMs: 10,
    attempt: 1,
    slot: 0,
    ...overrides,
  };
}

/** A stream that records what is written to it, terminal or not. */
export function capture(isTTY: boolean, columns?: number) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = columns;
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}
