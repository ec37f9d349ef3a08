import type { HostResult } from '../run/host-result.js';
import type { TextOutputStreams } from './text-output.js';
import { escapeControlCharacters } from './untrusted-text.js';

/** `sshpool ping`'s text mode: one line per host on stdout as it finishes, with its time; warnings on stderr; server text in both escaped. */
export class PingTextOutput {
  constructor(private readonly streams: TextOutputStreams) {}

  hostDone(result: HostResult): void {
    for (const warning of result.warnings ?? []) this.streams.stderr.write(`${result.host}: warning: ${warning}\n`);
    const time = `${result.durationMs} ms`;
    const line =
      result.status === 'ok'
        ? `${result.host}: ok ${time}`
        : `${result.host}: ${result.status} ${time} ${result.error?.code ?? ''}: ${result.error?.message ?? ''}`;
    this.streams.stdout.write(`${escapeControlCharacters(line)}\n`);
  }
}
