import type { HostResult } from '../run/host-result.js';
import type { HostRun } from '../run/host-run.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { checkDescriptorLimit } from '../run/fd-limit.js';
import { OutputWriteError } from './errors.js';
import { writeGatheredRecords } from './gathered-output.js';
import { HostFiles } from './host-files.js';
import { REPORT_EXCERPT_CHARS, writeHtmlReport } from './html-report.js';
import { jsonArrayChunks, writeChunks } from './json-chunks.js';
import { formatNdjsonRecord } from './json-output.js';
import { ProgressLine } from './progress.js';
import { RecordStore } from './record-store.js';
import { ResultsFileWriter } from './results-file.js';
import { formatSummary } from './summary.js';
import { TextOutput } from './text-output.js';
import type { TextOutputStreams, TextSink } from './text-output.js';
import { escapeControlCharacters } from './untrusted-text.js';
import { defaults, OUTPUT_MODES } from '../settings/schema.js';

export { OUTPUT_MODES };
/**
 * - text: each line as it arrives, `host: line` (pdsh)
 * - gathered: at the end, hosts with identical output under one folded header (clush -b)
 * - json: at the end, every record as one JSON array, in host order
 * - ndjson: one record per line as each host finishes
 */
export type OutputMode = (typeof OUTPUT_MODES)[number];

/** What text mode does with live events; `sshpool ping` brings its own. */
export interface LiveOutput {
  /** A chunk of a host's output as it arrives (untrusted: escape it for a terminal). */
  output?(host: string, stream: OutputStreamName, chunk: Buffer): void;
  /** One command's output on the host is complete (its record follows, maybe after the host's other commands). */
  outputEnd?(host: string): void;
  /** A host's record, as it finishes. */
  hostDone(result: HostResult): void;
}

/** What RunOutput writes besides the chosen mode; all off by default. */
export interface RunOutputOptions {
  /** Default text. */
  mode?: OutputMode;
  /** Gathered mode only: each group's output as a unified diff against the largest group's (clush --diff). */
  diff?: boolean;
  /** Text mode's writer; default TextOutput. */
  textOutput?: (streams: TextOutputStreams) => LiveOutput;
  /** Per-host `.out`/`.err` files here, written as output arrives. */
  outDir?: string;
  /** Bounds open files in outDir to forks * 2. */
  forks?: number;
  /** Records as JSON: journaled as hosts finish, the whole document written at the end. */
  resultsFile?: string;
  /** A run through Redis: its id, kept in the results file (`run --attach` takes it). */
  runId?: string;
  /** Bytes of output kept in memory for the end of the run (gathered, json, results, report); beyond, it goes to a private temporary file. */
  keptOutputBudgetBytes?: number;
  /** Called once, when the run's output passes that budget (the CLI then has V8 favour memory over speed). */
  onOutputOverBudget?: () => void;
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
 * summary. Prepare with `create` (it checks and creates the files, so a bad
 * path fails before any host is touched), `attach` right after creating the
 * run, then `finish`. The records are taken from the run's events and kept in
 * a RecordStore, so memory stays bounded whatever the hosts print.
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
    private readonly store: RecordStore,
  ) {
    this.streams = { stdout: sanitizing(streams.stdout, options.sanitize), stderr: sanitizing(streams.stderr, options.sanitize) };
    const guarded = progress ? { stdout: progress.guard(this.streams.stdout), stderr: progress.guard(this.streams.stderr) } : this.streams;
    this.messages = guarded.stderr;
    if ((options.mode ?? 'text') === 'text') this.live = (options.textOutput ?? ((s) => new TextOutput(s)))(guarded);
  }

  /**
   * Opens everything that can fail (results file, output directory, descriptor limit) before any host starts.
   * @throws ResultsFileError, HostFilesError, or an InputError: OUTPUT_PATH for a report file that cannot be written,
   * or forks beyond the descriptor limit.
   */
  static async create(streams: TextOutputStreams & { stderr: { columns?: number } }, hosts: readonly string[], options: RunOutputOptions = {}): Promise<RunOutput> {
    const forks = options.forks ?? defaults.forks;
    // Each running host holds its socket and, with --out-dir, its two files.
    checkDescriptorLimit(Math.min(forks, hosts.length), options.outDir ? 3 : 1);
    if (options.reportFile) await checkWritableFile(options.reportFile, '--report');
    const resultsFile = options.resultsFile ? await ResultsFileWriter.create(options.resultsFile, hosts, options.runId) : undefined;
    const files = options.outDir ? HostFiles.create(options.outDir, { maxOpen: forks * 2 }) : undefined;
    const records = hosts.length * Math.max(1, options.commands?.length ?? 1);
    const progress = options.progress && streams.stderr.isTTY ? new ProgressLine(streams.stderr, records) : undefined;
    const store = new RecordStore(hosts, { budgetBytes: options.keptOutputBudgetBytes, onOverBudget: options.onOutputOverBudget });
    return new RunOutput(streams, options, progress, files, resultsFile, store);
  }

  /** Follows a run's events: live output, files, journal and progress as hosts go. */
  attach(run: HostRun): void {
    run.on('batchStart', ({ batch, of }) => this.progress?.batchStart(batch, of));
    run.on('hostStart', ({ host }) => {
      this.progress?.hostStart(host);
      this.files?.hostStart(host);
    });
    run.on('output', ({ host, stream, chunk }) => {
      this.live?.output?.(host, stream, chunk);
      this.files?.output(host, stream, chunk);
    });
    run.on('outputEnd', ({ host }) => this.live?.outputEnd?.(host));
    run.on('transfer', ({ bytes }) => this.progress?.transferred(bytes));
    run.on('hostDone', (result, { command }) => {
      this.files?.hostDone(result.host);
      this.live?.hostDone(result);
      if (this.options.mode === 'ndjson') this.streams.stdout.write(formatNdjsonRecord(result));
      this.store.add(result, command);
      this.resultsFile?.add(result, command);
      this.progress?.hostDone(result);
    });
  }

  /**
   * Writes what comes at the end, every part attempted whatever the others do,
   * and returns the local files that could not be written (the run itself
   * happened: the caller reports them, it is not a usage error).
   */
  async finish(): Promise<OutputWriteError[]> {
    this.progress?.stop();
    if (this.options.mode === 'gathered') await this.writeGathered();
    if (this.options.mode === 'json') {
      await writeChunks(this.streams.stdout, chunksThen(jsonArrayChunks(this.store.records()), '\n'));
    }
    const failures: OutputWriteError[] = [];
    const attempt = async (action: () => unknown): Promise<void> => {
      try {
        await action();
      } catch (error) {
        failures.push(error instanceof OutputWriteError ? error : new OutputWriteError((error as Error).message, { cause: error }));
      }
    };
    await attempt(() => this.files?.close());
    await attempt(() => this.resultsFile?.finish(this.store.records()));
    await attempt(() => this.options.reportFile && writeHtmlReport(this.options.reportFile, this.reportRecords(), { title: this.options.reportTitle }));
    const outlines = this.store.outlines();
    if (this.options.summary) this.streams.stderr.write(formatSummary(outlines, { color: Boolean(this.streams.stderr.isTTY) }));
    this.store.close();
    return failures;
  }

  /** The report shows the first lines of each host's output: no more is kept for it. */
  private reportRecords(): HostResult[] {
    const excerpt = (text: string) => (text.length > REPORT_EXCERPT_CHARS ? text.slice(0, REPORT_EXCERPT_CHARS + 1) : text);
    return [...this.store.records()].map((result) => ({ ...result, stdout: excerpt(result.stdout), stderr: excerpt(result.stderr) }));
  }

  /** The run failed before it gave its records: the progress line goes, so that the error is not drawn over. */
  abandon(): void {
    this.progress?.stop();
    this.store.close();
  }

  /** While a prompt has the terminal (the progress line would erase it). */
  suspendProgress(): void {
    this.progress?.suspend();
  }

  /** Ends suspendProgress (the prompt is answered). */
  resumeProgress(): void {
    this.progress?.resume();
  }

  /** With several commands, each command's records are gathered on their own, under the command line. */
  private async writeGathered(): Promise<void> {
    const commands = this.options.commands ?? [];
    const gather = (command: number) =>
      writeGatheredRecords(() => this.store.records(command), (host) => this.store.record(command, host)!, this.streams, { diff: this.options.diff });
    if (commands.length <= 1) return gather(0);
    for (const [index, command] of commands.entries()) {
      this.streams.stdout.write(`=== ${escapeControlCharacters(command)}\n`);
      await gather(index);
    }
  }
}

function* chunksThen(chunks: Iterable<string>, last: string): Generator<string> {
  yield* chunks;
  yield last;
}

/** A file the run will write at its end: fail now, before any host is touched, if it cannot be. */
async function checkWritableFile(file: string, option: string): Promise<void> {
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw new InputError('OUTPUT_PATH', `${option} ${file} is a directory: name a file`);
  const dir = path.dirname(file);
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new InputError('OUTPUT_PATH', `${option} ${file} cannot be written: ${(error as Error).message}`, { cause: error });
  }
}

/** The sink with `sanitize` set when the option decides it (else the sink decides, by being a terminal). */
function sanitizing(sink: TextSink, sanitize: boolean | undefined): TextSink {
  if (sanitize === undefined) return sink;
  return { isTTY: sink.isTTY, sanitize, write: (text) => sink.write(text) };
}
