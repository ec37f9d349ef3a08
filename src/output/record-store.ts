import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostResult } from '../run/host-result.js';

/** Output kept in memory for the whole run before further hosts' output goes to the spill file. */
export const KEPT_OUTPUT_BUDGET_BYTES = 16 * 1024 * 1024;

/** Where a spilled record's stdout and stderr are in the spill file: stdout's bytes, then stderr's. */
interface SpillPlace {
  offset: number;
  stdoutBytes: number;
  stderrBytes: number;
}

interface StoredRecord {
  /** The record; its stdout and stderr are empty when `spilled` says where they went. */
  result: HostResult;
  spilled?: SpillPlace;
}

/** For RecordStore. */
export interface RecordStoreOptions {
  /** Bytes of stdout + stderr kept in memory over the run; default 16 MiB. */
  budgetBytes?: number;
  /** Where the private spill directory is made; default the OS's temporary directory. */
  tmpDir?: string;
  /** Called once, when the first record's output goes to the spill file: the run prints more than the budget. */
  onOverBudget?: () => void;
}

/**
 * A finished run's records in run order (command by command, hosts in input
 * order), with bounded memory: once the records kept hold `budgetBytes` of
 * output, the output of the next ones goes to a private file (in a 0700
 * directory, removed by `close`) and is read back one record at a time.
 * 1000 hosts printing 1 MiB each thus cost the budget, not a gigabyte.
 */
export class RecordStore {
  private readonly byCommand: Map<string, StoredRecord>[] = [];
  private readonly budgetBytes: number;
  private keptBytes = 0;
  private overBudget = false;
  private spill: { dir: string; fd: number; size: number } | undefined;

  constructor(
    private readonly hosts: readonly string[],
    private readonly options: RecordStoreOptions = {},
  ) {
    this.budgetBytes = options.budgetBytes ?? KEPT_OUTPUT_BUDGET_BYTES;
  }

  /** `command`: the command's index in a several-command run. A later record for the same host and command replaces the earlier. */
  add(result: HostResult, command = 0): void {
    const records = (this.byCommand[command] ??= new Map());
    const bytes = Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr);
    if (this.keptBytes + bytes <= this.budgetBytes) {
      this.keptBytes += bytes;
      records.set(result.host, { result: { ...result } });
      return;
    }
    if (!this.overBudget) {
      this.overBudget = true;
      this.options.onOverBudget?.();
    }
    let spilled: SpillPlace;
    try {
      spilled = { offset: this.spillSize(), stdoutBytes: this.write(result.stdout), stderrBytes: this.write(result.stderr) };
    } catch {
      // A full temporary disk must not lose the output: keep it in memory, over the budget.
      records.set(result.host, { result: { ...result } });
      return;
    }
    records.set(result.host, { result: { ...result, stdout: '', stderr: '' }, spilled });
  }

  /** Whole records (output read back where it was spilled), in run order; or only those of one command. */
  *records(command?: number): Generator<HostResult> {
    for (const stored of this.stored(command)) yield this.whole(stored);
  }

  /** One host's whole record for a command, if it was added. */
  record(command: number, host: string): HostResult | undefined {
    const stored = this.byCommand[command]?.get(host);
    return stored && this.whole(stored);
  }

  /** Records without their output (stdout and stderr empty), in run order: for what needs only how hosts ended. */
  outlines(): HostResult[] {
    return [...this.stored()].map(({ result }) => (result.stdout || result.stderr ? { ...result, stdout: '', stderr: '' } : result));
  }

  /** Removes the spill file; the store must not be read afterwards. */
  close(): void {
    if (!this.spill) return;
    closeSync(this.spill.fd);
    rmSync(this.spill.dir, { recursive: true, force: true });
    this.spill = undefined;
  }

  private *stored(command?: number): Generator<StoredRecord> {
    for (const [index, records] of this.byCommand.entries()) {
      if (!records || (command !== undefined && index !== command)) continue;
      for (const host of this.hosts) {
        const stored = records.get(host);
        if (stored) yield stored;
      }
    }
  }

  private whole({ result, spilled }: StoredRecord): HostResult {
    if (!spilled || !this.spill) return result;
    const read = (offset: number, bytes: number): string => {
      const buffer = Buffer.allocUnsafe(bytes);
      readSync(this.spill!.fd, buffer, 0, bytes, offset);
      return buffer.toString('utf8');
    };
    return { ...result, stdout: read(spilled.offset, spilled.stdoutBytes), stderr: read(spilled.offset + spilled.stdoutBytes, spilled.stderrBytes) };
  }

  private spillSize(): number {
    this.spill ??= this.openSpill();
    return this.spill.size;
  }

  /**
   * Synchronous, as HostFiles' writes: they go to the page cache, and no queue
   * means no memory held for it. The string goes to writeSync as it is: no
   * copy of it is made on the heap.
   */
  private write(text: string): number {
    const spill = (this.spill ??= this.openSpill());
    const bytes = writeSync(spill.fd, text, spill.size, 'utf8');
    // A regular file takes a write whole, but for a full disk.
    if (bytes !== Buffer.byteLength(text)) throw new Error('short write to the spill file');
    spill.size += bytes;
    return bytes;
  }

  private openSpill(): { dir: string; fd: number; size: number } {
    const dir = mkdtempSync(path.join(this.options.tmpDir ?? tmpdir(), 'sshpool-output-'));
    return { dir, fd: openSync(path.join(dir, 'spill'), 'w+', 0o600), size: 0 };
  }
}
