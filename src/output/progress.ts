import { createColors } from 'picocolors';
import type { HostResult } from '../run/host-result.js';
import type { TextSink } from './text-output.js';

/** For ProgressLine; the defaults suit a terminal. */
export interface ProgressOptions {
  /** How often the line is redrawn. */
  intervalMs?: number;
  /** Width to cut the line to; default the stream's columns, else 100. */
  columns?: number;
  /** The clock, in ms; default Date.now (tests pass a controlled one). */
  now?: () => number;
}

/**
 * A one-line progress display on a terminal, redrawn in place: the batch, done / failed /
 * running counts, hosts per second and the time left. Other text written
 * through `guard(sink)` clears the line first; the next tick draws it again
 * below that text, so streamed lines and the progress line never share a line.
 * While suspended (a prompt has the terminal) it is not drawn.
 */
export class ProgressLine {
  private readonly running = new Set<string>();
  private done = 0;
  private failed = 0;
  /** `batch 2/5` in a run of several batches (--batch). */
  private batch: string | undefined;
  private bytes = 0;
  private startedAt: number | undefined;
  private drawn = false;
  private suspensions = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly columns: number;
  private readonly colors;

  constructor(
    private readonly stream: TextSink & { columns?: number },
    /** Records expected: hosts × commands. */
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    // A pty that was never sized reports 0 columns: treat it as unknown.
    this.columns = options.columns ?? (stream.columns || 100);
    this.colors = createColors(Boolean(stream.isTTY));
    this.timer = setInterval(() => this.draw(), options.intervalMs ?? 200);
    this.timer.unref();
  }

  /** Counts the host as running. */
  hostStart(host: string): void {
    this.startedAt ??= this.now();
    this.running.add(host);
  }

  /** A batch of a run of several started: the line says which. */
  batchStart(batch: number, of: number): void {
    this.batch = `batch ${batch}/${of}`;
  }

  /** Counts the host as done, and failed unless its status is ok. */
  hostDone(result: HostResult): void {
    this.running.delete(result.host);
    this.done += 1;
    if (result.status !== 'ok') this.failed += 1;
  }

  /** Counts file bytes a copy or fetch sent or received. */
  transferred(bytes: number): void {
    this.startedAt ??= this.now();
    this.bytes += bytes;
  }

  /** The line as it is drawn now (without colours when the stream has none). */
  render(): string {
    const c = this.colors;
    const elapsedS = this.startedAt === undefined ? 0 : (this.now() - this.startedAt) / 1000;
    const rate = elapsedS > 0 ? this.done / elapsedS : 0;
    const parts = [
      ...(this.batch ? [this.batch] : []),
      `${this.done}/${this.total} done`,
      this.failed > 0 ? c.red(`${this.failed} failed`) : `${this.failed} failed`,
      `${this.running.size} running`,
      `${rate.toFixed(1)}/s`,
    ];
    // Only a run that moves files has bytes to count.
    if (this.bytes > 0) parts.push(`${formatBytes(this.bytes)} ${formatBytes(elapsedS > 0 ? this.bytes / elapsedS : 0)}/s`);
    if (rate > 0 && this.done < this.total) parts.push(`ETA ${formatSeconds((this.total - this.done) / rate)}`);
    return cut(parts.join(' · '), this.columns - 1);
  }

  /** A sink whose writes clear the progress line first. */
  guard(sink: TextSink): TextSink {
    return {
      isTTY: sink.isTTY,
      sanitize: sink.sanitize,
      write: (text: string) => {
        this.clear();
        return sink.write(text);
      },
    };
  }

  /** Erases the line (it comes back at the next redraw), so other text can be written there. */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** Stops redrawing and leaves no line behind. */
  stop(): void {
    clearInterval(this.timer);
    this.clear();
  }

  /**
   * Takes the line off the terminal until the matching resume(), e.g. while a
   * passphrase prompt waits there: a redraw would erase the prompt.
   */
  suspend(): void {
    this.clear();
    this.suspensions += 1;
  }

  /** Ends one suspend(); the line is drawn again when none is left. */
  resume(): void {
    this.suspensions = Math.max(0, this.suspensions - 1);
  }

  private draw(): void {
    if (this.suspensions > 0) return;
    this.stream.write(`\r\x1b[2K${this.render()}`);
    this.drawn = true;
  }
}

/** Binary units, as ls -h: 512 B, 1.5 KiB, 20.0 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatSeconds(seconds: number): string {
  const whole = Math.ceil(seconds);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/** Cuts visible characters only, so a colour code is never split. */
function cut(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (const part of line.split(/(\x1b\[[\d;]*m)/)) {
    if (part.startsWith('\x1b[')) {
      out += part;
      continue;
    }
    const room = Math.max(0, width - visible);
    out += part.slice(0, room);
    visible += Math.min(part.length, room);
  }
  return out;
}
