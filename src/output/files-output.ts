import type { HostResult } from '../run/host-result.js';
import type { FileTransferDetail } from '../tasks/index.js';
import { formatBytes } from './progress.js';
import type { TextOutputStreams } from './text-output.js';
import { escapeControlCharacters } from './untrusted-text.js';

/**
 * `sshpool copy` and `fetch` in text mode: one line per host on stdout as it
 * finishes (files, bytes, unchanged), then one line per failed file on stderr;
 * paths and server text escaped.
 */
export class FilesTextOutput {
  constructor(
    private readonly streams: TextOutputStreams,
    /** `sent` or `received`. */
    private readonly verb: string,
  ) {}

  hostDone(result: HostResult): void {
    for (const warning of result.warnings ?? []) this.streams.stderr.write(`${result.host}: warning: ${escapeControlCharacters(warning)}\n`);
    const detail = result.detail as Partial<FileTransferDetail> | undefined;
    const counts = detail ? [`${detail.files ?? 0} files ${this.verb} (${formatBytes(detail.bytes ?? 0)})`] : [];
    if (detail?.unchanged) counts.push(`${detail.unchanged} unchanged`);
    if (detail?.skipped) counts.push(`${detail.skipped} skipped (not regular files)`);
    this.streams.stdout.write(`${escapeControlCharacters(`${result.host}: ${result.status}${counts.length > 0 ? ` ${counts.join(', ')}` : ''}, ${result.durationMs} ms`)}\n`);
    const fileErrors = detail?.errors ?? [];
    for (const error of fileErrors) this.streams.stderr.write(`${escapeControlCharacters(`${result.host}: ${error.code}: ${error.message}`)}\n`);
    if (fileErrors.length === 0 && result.error) this.streams.stderr.write(`${escapeControlCharacters(`${result.host}: ${result.error.code}: ${result.error.message}`)}\n`);
  }
}
