import { createHash } from 'node:crypto';
import { createColors } from 'picocolors';
import type { HostResult } from '../run/host-result.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { HostSet } from './host-set.js';
import { writeChunks } from './json-chunks.js';
import { outcomeLabel } from './status-note.js';
import type { TextOutputStreams } from './text-output.js';
import { escapeControlCharacters, escapesHostOutput, escapingIf } from './untrusted-text.js';
import { unifiedDiffLines } from './unified-diff.js';

/** Hosts whose output (and, for stdout, whose outcome) was identical. */
export interface OutputGroup {
  /** The hosts with this output, folded for display (`web[01-03]`). */
  hosts: HostSet;
  /** The shared (capped) output. */
  text: string;
  /** Whether --max-output cut it (the hosts' outputs were equal up to the cap). */
  truncated: boolean;
  /** For stdout groups: how the hosts ended, when not ok (see outcomeLabel). */
  outcome: string | null;
}

/** A group before its text is fetched: the text is read back from its first host's record. */
interface HostGroup extends Omit<OutputGroup, 'text'> {
  firstHost: string;
}

/**
 * Groups hosts by identical output, as `clush -b` and `dshbak -c` do: stdout
 * groups are keyed on the output and on how the host ended (status, exit code,
 * error code), so a failure never hides among successes; stderr groups on the
 * output alone. Hosts that printed nothing are left out, except on stdout when
 * they did not end ok (and, with `keepSilent`, for --diff, where printing nothing is
 * a difference too). Groups come in the order of their first host. Keys are
 * digests, so grouping holds one record's output at a time.
 */
function groupHosts(results: Iterable<HostResult>, stream: OutputStreamName, keepSilent = false): HostGroup[] {
  const groups = new Map<string, HostGroup>();
  for (const result of results) {
    const text = result[stream];
    const outcome = stream === 'stdout' ? outcomeLabel(result) : null;
    if (text === '' && outcome === null && !keepSilent) continue;
    const truncated = result.truncated[stream];
    const key = createHash('sha256').update(JSON.stringify([truncated, outcome])).update('\0').update(text).digest('base64');
    const group = groups.get(key);
    if (group) group.hosts.add(result.host);
    else groups.set(key, { hosts: new HostSet([result.host]), firstHost: result.host, truncated, outcome });
  }
  return [...groups.values()];
}

/** clush -b's grouping: hosts with identical output on `stream` (and, for stdout, the same outcome) in one group, in order of first host. */
export function gatherOutput(results: readonly HostResult[], stream: OutputStreamName): OutputGroup[] {
  const byHost = new Map(results.map((result) => [result.host, result]));
  return groupHosts(results, stream).map(({ firstHost, ...group }) => ({ ...group, text: byHost.get(firstHost)![stream] }));
}

/**
 * clush -b's layout: a ruled header naming the folded host set and its size,
 * then the output. Control characters are escaped in the header always, in
 * the output with `sanitize` (see escapeControlCharacters).
 */
export function formatGroup(group: OutputGroup, options: { color?: boolean; sanitize?: boolean } = {}): string {
  const c = createColors(options.color ?? false);
  const outcome = group.outcome ? ` ${c.red(escapeControlCharacters(group.outcome))}` : '';
  const header = `${c.bold(c.cyan(escapeControlCharacters(group.hosts.toString())))} (${group.hosts.size})${outcome}`;
  const text = escapingIf(options.sanitize)(group.text);
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  const truncated = group.truncated ? c.yellow('[output truncated: only the first --max-output bytes were kept]\n') : '';
  return `${RULE}\n${header}\n${RULE}\n${body}${truncated}`;
}

export function formatGroups(groups: readonly OutputGroup[], options: { color?: boolean; sanitize?: boolean } = {}): string {
  return groups.map((group) => formatGroup(group, options)).join('');
}

const RULE = '-'.repeat(15);

/** What formatDiff needs besides the two groups. */
export interface DiffFormatOptions {
  color?: boolean;
  sanitize?: boolean;
}

/**
 * `clush --diff`'s layout: `group`'s output as a unified diff against
 * `reference`'s, each header naming the folded host set, its size when above 1,
 * and, for stdout groups, the outcome when not ok (so a failure never reads as
 * the same output). Equal texts (hosts that ended otherwise, or were cut by
 * --max-output) give the two headers alone, where clush would print nothing:
 * a failure must not vanish from the output. Control characters are escaped
 * in the headers always, in the lines with `sanitize`.
 */
export function formatDiff(reference: OutputGroup, group: OutputGroup, options: DiffFormatOptions = {}): string {
  const c = createColors(options.color ?? false);
  const escape = escapingIf(options.sanitize);
  const from = diffLabel(reference);
  const to = diffLabel(group);
  const diff = unifiedDiffLines({ label: from, text: reference.text }, { label: to, text: group.text });
  return (diff.length > 0 ? diff : [`--- ${from}`, `+++ ${to}`])
    .map((line, index) => {
      if (index < 2) return c.bold(line);
      const text = escape(line);
      if (line.startsWith('@@')) return c.cyan(text);
      if (line.startsWith('+')) return c.green(text);
      if (line.startsWith('-')) return c.red(text);
      return text;
    })
    .map((line) => `${line}\n`)
    .join('');
}

function diffLabel(group: OutputGroup): string {
  const size = group.hosts.size > 1 ? ` (${group.hosts.size})` : '';
  const outcome = group.outcome ? ` ${group.outcome}` : '';
  const truncated = group.truncated ? ' [output truncated]' : '';
  return escapeControlCharacters(`${group.hosts.toString()}${size}${outcome}${truncated}`);
}

/** The group --diff compares the others with: the one of the most hosts, the first of them on a tie (clush sorts largest first). */
function largestGroup<Group extends { hosts: HostSet }>(groups: readonly Group[]): Group | undefined {
  let largest: Group | undefined;
  for (const group of groups) if (!largest || group.hosts.size > largest.hosts.size) largest = group;
  return largest;
}

/** Writes a finished run gathered: stdout groups to stdout, stderr groups to stderr. */
export function writeGathered(results: readonly HostResult[], streams: TextOutputStreams): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const sink = streams[stream];
    const text = formatGroups(gatherOutput(results, stream), { color: Boolean(sink.isTTY), sanitize: escapesHostOutput(sink) });
    if (text) sink.write(text);
  }
}

/**
 * writeGathered for records that are not all in memory: `results` is iterated
 * once per stream, and each group's text is fetched with `recordOf` when it is
 * written, so no more than one group's output is held at once (two with
 * `diff`: the largest group's, which every other group is diffed against, as
 * `clush --diff` does; the largest group itself is not printed).
 */
export async function writeGatheredRecords(
  results: () => Iterable<HostResult>,
  recordOf: (host: string) => HostResult,
  streams: TextOutputStreams,
  { diff = false }: { diff?: boolean } = {},
): Promise<void> {
  for (const stream of ['stdout', 'stderr'] as const) {
    const sink = streams[stream];
    const options = { color: Boolean(sink.isTTY), sanitize: escapesHostOutput(sink) };
    const groups = groupHosts(results(), stream, diff);
    const withText = ({ firstHost, ...group }: HostGroup): OutputGroup => ({ ...group, text: recordOf(firstHost)[stream] });
    const reference = diff ? largestGroup(groups) : undefined;
    const referenceGroup = reference && withText(reference);
    const texts = function* (): Generator<string> {
      for (const group of groups) {
        if (!referenceGroup) yield formatGroup(withText(group), options);
        else if (group !== reference) yield formatDiff(referenceGroup, withText(group), options);
      }
    };
    await writeChunks(sink, texts());
  }
}
