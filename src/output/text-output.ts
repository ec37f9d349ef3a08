import { createColors } from 'picocolors';
import type { HostResult } from '../run/host-result.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { LineSplitter } from './line-splitter.js';
import { statusNote } from './status-note.js';

/** Where an output mode writes text: a stream, or a wrapper around one. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface TextOutputStreams {
  stdout: TextSink;
  stderr: TextSink;
}

/**
 * pdsh-style live output: every line as it arrives, prefixed `host: `, stdout
 * lines to stdout and stderr lines to stderr; host names coloured on a TTY only.
 * A host that did not end `ok` gets one status line on stderr, and each warning
 * of its record one line there too.
 */
export class TextOutput {
  private readonly splitters = new Map<string, LineSplitter>();
  private readonly colors: { stdout: ReturnType<typeof createColors>; stderr: ReturnType<typeof createColors> };

  constructor(private readonly streams: TextOutputStreams) {
    this.colors = {
      stdout: createColors(Boolean(streams.stdout.isTTY)),
      stderr: createColors(Boolean(streams.stderr.isTTY)),
    };
  }

  output(host: string, stream: OutputStreamName, chunk: Buffer): void {
    const key = `${stream}\0${host}`;
    let splitter = this.splitters.get(key);
    if (!splitter) {
      splitter = new LineSplitter();
      this.splitters.set(key, splitter);
    }
    const lines = splitter.push(chunk);
    if (lines.length === 0) return;
    // One write per chunk, not per line: with stdout a file or pipe each write is a
    // syscall, and per-line writes were half the client CPU of 1 MiB of output per host.
    const prefix = this.prefix(host, stream);
    let text = '';
    for (const line of lines) text += `${prefix}${line.toString('utf8')}\n`;
    this.streams[stream].write(text);
  }

  hostDone(result: HostResult): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${stream}\0${result.host}`;
      const rest = this.splitters.get(key)?.flush();
      if (rest) this.writeLine(result.host, stream, rest);
      this.splitters.delete(key);
    }
    const c = this.colors.stderr;
    for (const warning of result.warnings ?? []) this.streams.stderr.write(`${c.bold(c.yellow(result.host))}: warning: ${warning}\n`);
    const note = statusNote(result)?.replace(`: ${result.host}: `, ': ');
    if (note) this.streams.stderr.write(`${c.bold(c.red(result.host))}: [${result.status}] ${note}\n`);
  }

  private writeLine(host: string, stream: OutputStreamName, line: Buffer): void {
    this.streams[stream].write(`${this.prefix(host, stream)}${line.toString('utf8')}\n`);
  }

  private prefix(host: string, stream: OutputStreamName): string {
    const c = this.colors[stream];
    return `${stream === 'stderr' ? c.yellow(host) : c.cyan(host)}: `;
  }
}
