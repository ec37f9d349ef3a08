import { createColors } from 'picocolors';
import type { HostResult, HostStatus } from '../run/host-result.js';
import { HostSet } from './host-set.js';
import { outcomeLabel } from './status-note.js';
import { escapeControlCharacters } from './untrusted-text.js';

const STATUSES: readonly HostStatus[] = ['ok', 'failed', 'unreachable', 'timeout', 'skipped'];

/** For formatSummary. */
export interface SummaryOptions {
  /** ANSI colours (the CLI sets it when stderr is a terminal); default off. */
  color?: boolean;
  /** How many of the slowest hosts to name. */
  slowest?: number;
}

/**
 * The end-of-run summary: counts per status and the run's wall time, the
 * slowest hosts, and the hosts that did not end ok grouped by how they ended
 * (folded host sets, so a thousand failures stay a few lines). Host names and
 * error codes are escaped (escapeControlCharacters).
 */
export function formatSummary(results: readonly HostResult[], options: SummaryOptions = {}): string {
  const c = createColors(options.color ?? false);
  const counts = STATUSES.map((status) => [status, results.filter((r) => r.status === status).length] as const).filter(([, count]) => count > 0);
  const countText = counts.map(([status, count]) => (status === 'ok' ? c.green(`${count} ok`) : c.red(`${count} ${status}`))).join(', ');
  const lines = [`${c.bold('summary')}: ${results.length} host${results.length === 1 ? '' : 's'}: ${countText || 'none'} in ${formatDuration(wallTimeMs(results))}`];
  const slowest = results
    .filter((r) => r.slot >= 0)
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, options.slowest ?? 5);
  if (slowest.length > 0) lines.push(`slowest: ${slowest.map((r) => `${escapeControlCharacters(r.host)} ${formatDuration(r.durationMs)}`).join(', ')}`);
  const failing = new Map<string, HostSet>();
  for (const result of results) {
    const outcome = outcomeLabel(result);
    if (outcome === null) continue;
    const hosts = failing.get(outcome) ?? new HostSet();
    failing.set(outcome, hosts.add(result.host));
  }
  for (const [outcome, hosts] of failing) lines.push(`${c.red(escapeControlCharacters(outcome))}: ${escapeControlCharacters(hosts.toString())} (${hosts.size})`);
  return `${lines.join('\n')}\n`;
}

/** From the first host's start to the last host's end. */
export function wallTimeMs(results: readonly HostResult[]): number {
  const started = results.filter((r) => r.slot >= 0);
  if (started.length === 0) return 0;
  // reduce, not Math.min(...): spreading 100k hosts into arguments overflows the stack.
  const first = started.reduce((min, r) => Math.min(min, Date.parse(r.startedAt)), Infinity);
  const last = started.reduce((max, r) => Math.max(max, Date.parse(r.startedAt) + r.durationMs), -Infinity);
  return last - first;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
