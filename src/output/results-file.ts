import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { HostResult } from '../run/host-result.js';
import { writeFileAtomically } from './atomic-file.js';

/**
 * The `--results` file. Written while the run goes on, so `complete: false`
 * with hosts that have no record yet means the run was still going on, or
 * died, before they finished.
 */
export interface ResultsDocument {
  complete: boolean;
  /** Every host of the run, in host order. */
  hosts: string[];
  /** The records of the hosts that finished, in host order (command by command when there were several). */
  results: HostResult[];
}

/** The results file cannot be written, or read back for --retry-failed. */
export class ResultsFileError extends InputError<'RESULTS_FILE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RESULTS_FILE', message, options);
  }
}

export interface ResultsFileOptions {
  /** Least time between two rewrites while the run goes on; the final write is never delayed. */
  intervalMs?: number;
}

/**
 * Keeps the results file up to date as hosts finish: each write replaces the
 * whole file atomically, at most once per interval, so a crash loses at most
 * the last interval's records and 1000 hosts do not mean 1000 rewrites.
 */
export class ResultsFileWriter {
  /** Finished records by command index, then host. */
  private readonly records: Map<string, HostResult>[] = [];
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private lastWriteAt = 0;
  private dirty = false;
  private finished = false;
  private failure: unknown;

  private constructor(
    readonly file: string,
    private readonly hosts: readonly string[],
    options: ResultsFileOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 500;
  }

  /** Writes the file once at once (no records yet), so a path that cannot be written fails before the run. */
  static async create(file: string, hosts: readonly string[], options: ResultsFileOptions = {}): Promise<ResultsFileWriter> {
    const writer = new ResultsFileWriter(file, hosts, options);
    await writer.write(false);
    return writer;
  }

  /** `command`: the command's index in a several-command run. */
  add(result: HostResult, command = 0): void {
    if (this.finished) return;
    let records = this.records[command];
    if (!records) {
      records = new Map();
      this.records[command] = records;
    }
    records.set(result.host, result);
    this.dirty = true;
    this.schedule();
  }

  /** The last write, with every record and `complete: true`; throws if any write failed. */
  async finish(results: readonly HostResult[]): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    await this.writing;
    await this.write(true, results);
    if (this.failure !== undefined) throw this.failure;
  }

  private schedule(): void {
    if (this.timer || this.writing || this.finished) return;
    const delay = Math.max(0, this.lastWriteAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dirty = false;
      this.writing = this.write(false).finally(() => {
        this.writing = undefined;
        if (this.dirty) this.schedule();
      });
    }, delay);
  }

  /** Without `results`: the records so far, in the order the run will give them (command by command, hosts in order). */
  private async write(complete: boolean, results?: readonly HostResult[]): Promise<void> {
    const document: ResultsDocument = {
      complete,
      hosts: [...this.hosts],
      results: results ? [...results] : this.records.flatMap((records) => this.hosts.flatMap((host) => records?.get(host) ?? [])),
    };
    try {
      await writeFileAtomically(this.file, `${JSON.stringify(document, null, 2)}\n`);
    } catch (error) {
      const failure = new ResultsFileError(`cannot write the results file ${this.file}: ${(error as Error).message}`, { cause: error });
      if (this.lastWriteAt === 0) throw failure;
      this.failure ??= failure;
    } finally {
      this.lastWriteAt = Date.now();
    }
  }
}

export async function readResultsFile(file: string): Promise<ResultsDocument> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ResultsFileError(`cannot read the results file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!isResultsDocument(document)) throw new ResultsFileError(`${file} is not an sshpool results file (written by --results)`);
  return document;
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
