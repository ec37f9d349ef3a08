import type { HostResult } from '../run/host-result.js';
import type { TextOutputStreams } from './text-output.js';

/** `sshpool ping`'s text mode: one line per host on stdout as it finishes, with its time; warnings on stderr. */
export class PingTextOutput {
  constructor(private readonly streams: TextOutputStreams) {}

  hostDone(result: HostResult): void {
    for (const warning of result.warnings ?? []) this.streams.stderr.write(`${result.host}: warning: ${warning}\n`);
    const time = `${result.durationMs} ms`;
    if (result.status === 'ok') this.streams.stdout.write(`${result.host}: ok ${time}\n`);
    else this.streams.stdout.write(`${result.host}: ${result.status} ${time} ${result.error?.code ?? ''}: ${result.error?.message ?? ''}\n`);
  }
}
