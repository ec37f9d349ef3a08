import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { HostResult } from '../run/host-result.js';
import { writeFileAtomically } from './atomic-file.js';
import { OutputWriteError } from './errors.js';
import { jsonArrayChunks } from './json-chunks.js';
import { RecordStore } from './record-store.js';

/**
 * The `--results` file. Written while the run goes on, so `complete: false`
 * with hosts that have no record yet means the run was still going on, or
 * died, before they finished.
 */
export interface ResultsDocument {
  /** False until the run ended (a crash leaves it false: the records are then in the journal). */
  complete: boolean;
  /** Every host of the run, in host order. */
  hosts: string[];
  /** The records of the hosts that finished, in host order (command by command when there were several). */
  results: HostResult[];
  /** A run through Redis (--redis): its id, which `run --attach` takes to gather what its workers finished. */
  runId?: string;
}

/** The results file cannot be written before the run, or read back for --retry-failed. */
export class ResultsFileError extends InputError<'RESULTS_FILE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RESULTS_FILE', message, options);
  }
}

/**
 * Keeps the results file up to date as hosts finish, in time linear in the
 * hosts: the file itself is written twice, at the start (every host, no
 * records, `complete: false`) and at the end (streamed record by record, then
 * renamed into place); in between each record is appended to a journal beside
 * it, `FILE.journal`, one JSON line each, which readResultsFile merges in when
 * the run did not finish (a crash, a kill): --retry-failed still works then.
 */
export class ResultsFileWriter {
  private journal: number | undefined;
  private failure: OutputWriteError | undefined;
  private finished = false;

  private constructor(
    /** The results file, as given. */
    readonly file: string,
    private readonly hosts: readonly string[],
    private readonly runId: string | undefined,
  ) {}

  /** Writes the file and creates the journal at once, so a path that cannot be written fails before the run. */
  static async create(file: string, hosts: readonly string[], runId?: string): Promise<ResultsFileWriter> {
    const writer = new ResultsFileWriter(file, hosts, runId);
    if ((await stat(file).catch(() => undefined))?.isDirectory()) {
      throw new ResultsFileError(`the results file ${file} is a directory: name a file in it`);
    }
    try {
      await writeFileAtomically(file, documentChunks(false, hosts, [], runId));
      writer.journal = openSync(journalOf(file), 'w');
    } catch (error) {
      throw new ResultsFileError(`cannot write the results file ${file}: ${(error as Error).message}`, { cause: error });
    }
    return writer;
  }

  /** `command`: the command's index in a several-command run. */
  add(result: HostResult, command = 0): void {
    if (this.finished || this.journal === undefined) return;
    try {
      // A string straight to writeSync: no Buffer copy of it on the heap. A regular file takes it whole, but for a full disk.
      const line = `${JSON.stringify({ command, record: result } satisfies JournalEntry)}\n`;
      if (writeSync(this.journal, line) !== Buffer.byteLength(line)) throw new Error('short write (is the disk full?)');
    } catch (error) {
      this.failure ??= new OutputWriteError(`cannot append to ${journalOf(this.file)}: ${(error as Error).message}; records after this are missing there`, { cause: error });
      this.closeJournal();
    }
  }

  /** The last write, with every record (in run order) and `complete: true`, then the journal goes; throws if any write failed. */
  async finish(records: Iterable<HostResult>): Promise<void> {
    this.finished = true;
    try {
      await writeFileAtomically(this.file, documentChunks(true, this.hosts, records, this.runId));
    } catch (error) {
      this.closeJournal();
      throw new OutputWriteError(`cannot write the results file ${this.file}: ${(error as Error).message}; the records so far are in ${journalOf(this.file)}`, { cause: error });
    }
    this.closeJournal();
    await rm(journalOf(this.file), { force: true });
    if (this.failure) throw this.failure;
  }

  private closeJournal(): void {
    if (this.journal === undefined) return;
    closeSync(this.journal);
    this.journal = undefined;
  }
}

interface JournalEntry {
  command: number;
  record: HostResult;
}

function journalOf(file: string): string {
  return `${file}.journal`;
}

/** The same text as `JSON.stringify(document, null, 2)`, one record at a time. */
function* documentChunks(complete: boolean, hosts: readonly string[], records: Iterable<HostResult>, runId: string | undefined): Generator<string> {
  yield `{\n  "complete": ${complete},\n`;
  if (runId !== undefined) yield `  "runId": ${JSON.stringify(runId)},\n`;
  yield '  "hosts": ';
  yield* jsonArrayChunks(hosts, 1);
  yield ',\n  "results": ';
  yield* jsonArrayChunks(records, 1);
  yield '\n}\n';
}

/** Reads a results file; one whose run did not finish gets the records of its journal, in run order. */
export async function readResultsFile(file: string): Promise<ResultsDocument> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ResultsFileError(`cannot read the results file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!isResultsDocument(document)) throw new ResultsFileError(`${file} is not an sshpool results file (written by --results)`);
  if (document.complete) return document;
  const journal = await readFile(journalOf(file), 'utf8').catch(() => undefined);
  return journal === undefined ? document : { ...document, results: journalRecords(file, journal, document.hosts) };
}

/** A crash can cut the last line short: that one is dropped; any other bad line is an error. */
function journalRecords(file: string, text: string, hosts: readonly string[]): HostResult[] {
  const lines = text.split('\n');
  const last = lines.length - 1;
  const store = new RecordStore(hosts, { budgetBytes: Infinity });
  lines.forEach((line, index) => {
    if (line === '') return;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch (error) {
      if (index === last) return;
      throw new ResultsFileError(`${journalOf(file)}:${index + 1}: not a journal line: ${(error as Error).message}`, { cause: error });
    }
    store.add(entry.record, entry.command);
  });
  const records = [...store.records()];
  if (!isResultsDocument({ complete: false, hosts, results: records })) throw new ResultsFileError(`${journalOf(file)} is not an sshpool results journal`);
  return records;
}

function isResultsDocument(value: unknown): value is ResultsDocument {
  if (typeof value !== 'object' || value === null) return false;
  const { complete, hosts, results } = value as Record<string, unknown>;
  return (
    typeof complete === 'boolean' &&
    Array.isArray(hosts) &&
    hosts.every((host) => typeof host === 'string') &&
    Array.isArray(results) &&
    results.every((record: unknown) => {
      const { host, status, attempt } = (record ?? {}) as Record<string, unknown>;
      return typeof host === 'string' && typeof status === 'string' && Number.isInteger(attempt);
    })
  );
}

/**
 * The hosts of an earlier run that did not succeed (a record not ok, or
 * records missing: that run ended before the host finished), each with the attempt
 * number to run it as: its records' attempt + 1, or 2 without a record.
 */
export function attemptsToRetry(document: ResultsDocument): Map<string, number> {
  const byHost = new Map<string, { ok: boolean; attempt: number; records: number }>();
  for (const result of document.results) {
    const seen = byHost.get(result.host) ?? { ok: true, attempt: 0, records: 0 };
    byHost.set(result.host, { ok: seen.ok && result.status === 'ok', attempt: Math.max(seen.attempt, result.attempt), records: seen.records + 1 });
  }
  // One record per command: a host with fewer than the most any host has did not finish them all.
  const commands = [...byHost.values()].reduce((most, outcome) => Math.max(most, outcome.records), 0);
  const attempts = new Map<string, number>();
  for (const host of document.hosts) {
    const outcome = byHost.get(host);
    if (!outcome?.ok || outcome.records < commands) attempts.set(host, (outcome?.attempt ?? 1) + 1);
  }
  return attempts;
}
