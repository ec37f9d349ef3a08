import type { HostResult } from '../run/host-result.js';
import type { TextOutputStreams } from './text-output.js';
import { describeTrust } from '../ssh/trust.js';
import type { ConnectionTrust } from '../ssh/trust.js';
import { escapeControlCharacters } from './untrusted-text.js';

/** `sshpool ping`'s text mode: one line per host on stdout as it finishes, with its time; warnings on stderr; server text in both escaped. */
export class PingTextOutput {
  /** `verbose` (ping -v): under each host, how its key was verified and what logged in (`detail.trust`). */
  constructor(
    private readonly streams: TextOutputStreams,
    private readonly verbose = false,
  ) {}

  hostDone(result: HostResult): void {
    for (const warning of result.warnings ?? []) this.streams.stderr.write(`${result.host}: warning: ${warning}\n`);
    const time = `${result.durationMs} ms`;
    const line =
      result.status === 'ok'
        ? `${result.host}: ok ${time}`
        : `${result.host}: ${result.status} ${time} ${result.error?.code ?? ''}: ${result.error?.message ?? ''}`;
    this.streams.stdout.write(`${escapeControlCharacters(line)}\n`);
    const trust = result.detail?.trust as ConnectionTrust | undefined;
    if (!this.verbose || trust === undefined) return;
    // A certificate's key ID and principals are the server's words: escaped like its output.
    for (const detail of describeTrust(trust)) this.streams.stdout.write(`${escapeControlCharacters(`${result.host}:   ${detail}`)}\n`);
  }
}
