import type { HostResult } from '../run/host-result.js';
import type { HostRun } from '../run/host-run.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { writeGathered } from './gathered-output.js';
import { HostFiles } from './host-files.js';
import { writeHtmlReport } from './html-report.js';
import { formatJsonResults, formatNdjsonRecord } from './json-output.js';
import { ProgressLine } from './progress.js';
import { ResultsFileWriter } from './results-file.js';
import { formatSummary } from './summary.js';
import { TextOutput } from './text-output.js';
import type { TextOutputStreams, TextSink } from './text-output.js';
import { escapeControlCharacters } from './untrusted-text.js';

export const OUTPUT_MODES = ['text', 'gathered', 'json', 'ndjson'] as const;
/**
 * - text: each line as it arrives, `host: line` (pdsh)
 * - gathered: at the end, hosts with identical output under one folded header (clush -b)
 * - json: at the end, every record as one JSON array, in host order
 * - ndjson: one record per line as each host finishes
 */
export type OutputMode = (typeof OUTPUT_MODES)[number];

/** What text mode does with live events; `sshpool ping` brings its own. */
export interface LiveOutput {
  output?(host: string, stream: OutputStreamName, chunk: Buffer): void;
  /** One command's output on the host is complete (its record follows, maybe after the host's other commands). */
  outputEnd?(host: string): void;
  hostDone(result: HostResult): void;
}

export interface RunOutputOptions {
  /** Default text. */
  mode?: OutputMode;
  /** Text mode's writer; default TextOutput. */
  textOutput?: (streams: TextOutputStreams) => LiveOutput;
  /** Per-host `.out`/`.err` files here, written as output arrives. */
  outDir?: string;
  /** Bounds open files in outDir to forks * 2. */
  forks?: number;
  /** Records as JSON, rewritten atomically as hosts finish and at the end. */
  resultsFile?: string;
  /** Least time between two rewrites of resultsFile while the run goes on (default 500 ms). */
  resultsIntervalMs?: number;
  /** A self-contained HTML timeline of the run, written at the end. */
  reportFile?: string;
  /** The report's title, e.g. the command. */
  reportTitle?: string;
  /** The command lines of a several-command run (records come command by command). */
  commands?: readonly string[];
  /** A progress line on stderr; only ever drawn when stderr is a terminal. */
  progress?: boolean;
  /** The end-of-run summary on stderr. */
  summary?: boolean;
  /**
   * Escape control characters in host output (text and gathered modes): true
   * on every stream, false on none; default: on the streams that are
   * terminals. Status lines and the summary are escaped whatever this says.
   */
  sanitize?: boolean;
}

/**
 * Everything a run writes besides its exit code: the chosen mode on stdout
 * (stderr for text mode's stderr lines), and the optional files, progress and
 * summary. Prepare with `create` (it creates the files, so a bad path fails
 * before any host is touched), `attach` right after creating the run, then
 * `finish` with the records.
 */
export class RunOutput {
  private live: LiveOutput | undefined;
  private readonly streams: TextOutputStreams;
  /** stderr for the run's own messages (Ctrl-C): they clear the progress line first. */
  readonly messages: TextSink;

  private constructor(
    streams: TextOutputStreams,
    private readonly options: RunOutputOptions,
    private readonly progress: ProgressLine | undefined,
    private readonly files: HostFiles | undefined,
    private readonly resultsFile: ResultsFileWriter | undefined,
  ) {
    this.streams = { stdout: sanitizing(streams.stdout, options.sanitize), stderr: sanitizing(streams.stderr, options.sanitize) };
    const guarded = progress ? { stdout: progress.guard(this.streams.stdout), stderr: progress.guard(this.streams.stderr) } : this.streams;
    this.messages = guarded.stderr;
    if ((options.mode ?? 'text') === 'text') this.live = (options.textOutput ?? ((s) => new TextOutput(s)))(guarded);
  }

  static async create(streams: TextOutputStreams & { stderr: { columns?: number } }, hosts: readonly string[], options: RunOutputOptions = {}): Promise<RunOutput> {
    const resultsFile = options.resultsFile ? await ResultsFileWriter.create(options.resultsFile, hosts, { intervalMs: options.resultsIntervalMs }) : undefined;
    const files = options.outDir ? HostFiles.create(options.outDir, { maxOpen: (options.forks ?? 32) * 2 }) : undefined;
    const records = hosts.length * Math.max(1, options.commands?.length ?? 1);
    const progress = options.progress && streams.stderr.isTTY ? new ProgressLine(streams.stderr, records) : undefined;
    return new RunOutput(streams, options, progress, files, resultsFile);
  }

  attach(run: HostRun): void {
    run.on('hostStart', ({ host }) => {
      this.progress?.hostStart(host);
      this.files?.hostStart(host);
    });
    run.on('output', ({ host, stream, chunk }) => {
      this.live?.output?.(host, stream, chunk);
      this.files?.output(host, stream, chunk);
    });
    run.on('outputEnd', ({ host }) => this.live?.outputEnd?.(host));
    run.on('hostDone', (result, { command }) => {
      this.files?.hostDone(result.host);
      this.live?.hostDone(result);
      if (this.options.mode === 'ndjson') this.streams.stdout.write(formatNdjsonRecord(result));
      this.resultsFile?.add(result, command);
      this.progress?.hostDone(result);
    });
  }

  /** Writes what comes at the end; every part is attempted, then the first failure is thrown. */
  async finish(results: readonly HostResult[]): Promise<void> {
    this.progress?.stop();
    if (this.options.mode === 'gathered') this.writeGathered(results);
    if (this.options.mode === 'json') this.streams.stdout.write(formatJsonResults(results));
    const failures: unknown[] = [];
    const attempt = async (action: () => unknown): Promise<void> => {
      try {
        await action();
      } catch (error) {
        failures.push(error);
      }
    };
    await attempt(() => this.files?.close());
    await attempt(() => this.resultsFile?.finish(results));
    await attempt(() => this.options.reportFile && writeHtmlReport(this.options.reportFile, results, { title: this.options.reportTitle }));
    if (this.options.summary) this.streams.stderr.write(formatSummary(results, { color: Boolean(this.streams.stderr.isTTY) }));
    if (failures.length > 0) throw failures[0];
  }

  /** The run failed before it gave its records: the progress line goes, so that the error is not drawn over. */
  abandon(): void {
    this.progress?.stop();
  }

  /** While a prompt has the terminal (the progress line would erase it). */
  suspendProgress(): void {
    this.progress?.suspend();
  }

  resumeProgress(): void {
    this.progress?.resume();
  }

  /** With several commands, each command's records are gathered on their own, under the command line. */
  private writeGathered(results: readonly HostResult[]): void {
    const commands = this.options.commands ?? [];
    if (commands.length <= 1) return writeGathered(results, this.streams);
    const perCommand = results.length / commands.length;
    commands.forEach((command, index) => {
      this.streams.stdout.write(`=== ${escapeControlCharacters(command)}\n`);
      writeGathered(results.slice(index * perCommand, (index + 1) * perCommand), this.streams);
    });
  }
}

/** The sink with `sanitize` set when the option decides it (else the sink decides, by being a terminal). */
function sanitizing(sink: TextSink, sanitize: boolean | undefined): TextSink {
  if (sanitize === undefined) return sink;
  return { isTTY: sink.isTTY, sanitize, write: (text) => sink.write(text) };
}
