import { createColors } from 'picocolors';
import type { HostResult } from '../run/host-result.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { LineSplitter } from './line-splitter.js';
import { statusNote } from './status-note.js';
import { escapeControlCharacters, hostOutputFor } from './untrusted-text.js';

/** Where an output mode writes text: a stream, or a wrapper around one. */
export interface TextSink {
  /** Writes text (a stream's write; the result is ignored). */
  write(text: string): unknown;
  /** A terminal: colours on, and host output escaped unless sanitize says otherwise. */
  isTTY?: boolean;
  /** Whether host output written here has its control characters escaped (escapeControlCharacters); default: when isTTY. */
  sanitize?: boolean;
}

/** The two places output goes, as a process has them. */
export interface TextOutputStreams {
  /** Host stdout, gathered groups, JSON. */
  stdout: TextSink;
  /** Host stderr, per-host status lines, summary, progress. */
  stderr: TextSink;
}

/**
 * pdsh-style live output: every line as it arrives, prefixed `host: `, stdout
 * lines to stdout and stderr lines to stderr; host names coloured on a TTY only,
 * output escaped where the stream sanitizes (a terminal, by default). A host
 * that did not end `ok` gets one status line on stderr, and each warning of its
 * record one line there too, always escaped.
 */
export class TextOutput {
  private readonly splitters = new Map<string, LineSplitter>();
  private readonly colors: { stdout: ReturnType<typeof createColors>; stderr: ReturnType<typeof createColors> };
  private readonly shown: { stdout: (text: string) => string; stderr: (text: string) => string };

  constructor(private readonly streams: TextOutputStreams) {
    this.colors = {
      stdout: createColors(Boolean(streams.stdout.isTTY)),
      stderr: createColors(Boolean(streams.stderr.isTTY)),
    };
    this.shown = { stdout: hostOutputFor(streams.stdout), stderr: hostOutputFor(streams.stderr) };
  }

  /** Writes complete lines prefixed with the host (pssh -P style); a partial line waits for its end or the host's. */
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
    const shown = this.shown[stream];
    let text = '';
    for (const line of lines) text += `${prefix}${shown(line.toString('utf8'))}\n`;
    this.streams[stream].write(text);
  }

  /**
   * One command's output on `host` is complete: its unterminated last lines
   * are written now, each ended with a newline, so that the next command's
   * output never continues them.
   */
  outputEnd(host: string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${stream}\0${host}`;
      const rest = this.splitters.get(key)?.flush();
      if (rest) this.streams[stream].write(`${this.prefix(host, stream)}${this.shown[stream](rest.toString('utf8'))}\n`);
      this.splitters.delete(key);
    }
  }

  /** Flushes the host's partial lines, then its warnings and (when not ok) its status on stderr. */
  hostDone(result: HostResult): void {
    this.outputEnd(result.host);
    const c = this.colors.stderr;
    const host = escapeControlCharacters(result.host);
    for (const warning of result.warnings ?? []) this.streams.stderr.write(`${c.bold(c.yellow(host))}: warning: ${escapeControlCharacters(warning)}\n`);
    const note = statusNote(result)?.replace(`: ${result.host}: `, ': ');
    if (note) this.streams.stderr.write(`${c.bold(c.red(host))}: [${result.status}] ${escapeControlCharacters(note)}\n`);
  }

  private prefix(host: string, stream: OutputStreamName): string {
    const c = this.colors[stream];
    const name = escapeControlCharacters(host);
    return `${stream === 'stderr' ? c.yellow(name) : c.cyan(name)}: `;
  }
}
