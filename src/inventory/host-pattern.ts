import { parseAddress } from './address.js';
import { NoHostsMatchedError, PatternError } from './errors.js';
import { fnmatchToRegExp, hasWildcard } from './fnmatch.js';

/** What pattern matching needs from an inventory. */
export interface PatternScope<Host extends { readonly name: string }> {
  /** Every host, in inventory order. */
  readonly hosts: readonly Host[];
  /** Every group name, in the order Ansible keeps them (all, ungrouped, then as first read). */
  readonly groupNames: readonly string[];
  host(name: string): Host | undefined;
  /** A group's hosts and its descendants' hosts, in Ansible's order. */
  hostsOfGroup(name: string): readonly Host[];
}

// Ansible's PATTERN_WITH_SUBSCRIPT, plus `[:end]`, which Ansible's documentation shows but its code lacks.
const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]*)([:-])([0-9]*))\]$/;

interface Subscript {
  start: number;
  /** Inclusive; undefined for a single index, Infinity for an open end. */
  end?: number;
}

/**
 * Ansible's split_host_pattern: commas separate patterns; without a comma a
 * single address or range (`web[1:3]`, `::1`) is one pattern, and otherwise
 * colons separate them, keeping bracketed parts whole.
 */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, { allowRanges: true })) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** Unions first, then `&` intersections, then `!` exclusions, wherever they stand; only exclusions means "all but". */
export function orderPatterns(patterns: readonly string[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '&' && p[0] !== '!');
  const intersections = patterns.filter((p) => p[0] === '&');
  const exclusions = patterns.filter((p) => p[0] === '!');
  return [...(regular.length > 0 ? regular : ['all']), ...intersections, ...exclusions];
}

/**
 * Ansible's InventoryManager.get_hosts: the hosts `pattern` selects, in order,
 * without duplicates; none when the parts' combination is empty (`a:&b`). A
 * part that names no host and no group throws NoHostsMatchedError, as Ansible
 * does with `host_pattern_mismatch = error` (its default only warns and drops
 * the part: a typo in `all:!db1` would then run on db1).
 */
export function matchHosts<Host extends { readonly name: string }>(scope: PatternScope<Host>, pattern: string): Host[] {
  let selected = new Set<Host>();
  for (const part of orderPatterns(splitHostPattern(pattern))) {
    const exact = scope.host(part);
    if (exact) {
      selected.add(exact);
      continue;
    }
    const matched = matchOnePattern(scope, part, pattern);
    if (part[0] === '!') {
      const excluded = new Set(matched);
      selected = new Set([...selected].filter((host) => !excluded.has(host)));
    } else if (part[0] === '&') {
      const kept = new Set(matched);
      selected = new Set([...selected].filter((host) => kept.has(host)));
    } else {
      for (const host of matched) selected.add(host);
    }
  }
  return [...selected];
}

function matchOnePattern<Host extends { readonly name: string }>(scope: PatternScope<Host>, part: string, whole: string): readonly Host[] {
  const pattern = part[0] === '&' || part[0] === '!' ? part.slice(1) : part;
  if (pattern === '') throw new PatternError(part, `nothing follows '${part}'`);
  const { expression, subscript } = splitSubscript(pattern);
  const { hosts, groupMatched } = enumerateMatches(scope, expression);
  if (hosts.length === 0 && !groupMatched) {
    throw part === whole.trim()
      ? new NoHostsMatchedError(whole)
      : new NoHostsMatchedError(whole, `no host or group matches '${expression}' in the pattern '${whole}'`);
  }
  return applySubscript(hosts, subscript, pattern);
}

function splitSubscript(pattern: string): { expression: string; subscript?: Subscript } {
  if (pattern[0] === '~') return { expression: pattern };
  const match = SUBSCRIPT.exec(pattern);
  if (!match) return { expression: pattern };
  const [, expression = '', index, start, separator, end] = match;
  if (index !== undefined) return { expression, subscript: { start: Number(index) } };
  if (separator === '-') {
    throw new PatternError(pattern, 'use an inclusive [start:end] subscript; Ansible removed [start-end]');
  }
  if (start === '' && end === '') return { expression: pattern };
  const subscript = { start: Number(start || 0), end: end ? Number(end) : Infinity };
  if (subscript.end < subscript.start) {
    throw new PatternError(pattern, `the subscript ends (${subscript.end}) before it starts (${subscript.start})`);
  }
  return { expression, subscript };
}

function applySubscript<Host>(hosts: readonly Host[], subscript: Subscript | undefined, pattern: string): readonly Host[] {
  if (!subscript || hosts.length === 0) return hosts;
  if (subscript.end !== undefined) return hosts.slice(subscript.start, subscript.end + 1);
  const host = hosts.at(subscript.start);
  if (host === undefined) {
    throw new NoHostsMatchedError(pattern, `no hosts matched the subscripted pattern '${pattern}' (it matches ${hosts.length})`);
  }
  return [host];
}

/**
 * A pattern names groups (all their hosts) and hosts. Hosts are searched too
 * when no group matched, or when the pattern is a regex or glob or has a dot,
 * so `web*` takes both groups and hosts whose names fit.
 */
function enumerateMatches<Host extends { readonly name: string }>(
  scope: PatternScope<Host>,
  pattern: string,
): { hosts: Host[]; groupMatched: boolean } {
  const matches = nameMatcher(pattern);
  const results: Host[] = [];
  const groups = matches ? scope.groupNames.filter(matches) : scope.groupNames.includes(pattern) ? [pattern] : [];
  // Loops, not push(...spread): a spread of a huge group overflows the stack.
  for (const group of groups) for (const host of scope.hostsOfGroup(group)) results.push(host);
  if (groups.length === 0 || matches || pattern.includes('.')) {
    if (matches) {
      for (const host of scope.hosts) if (matches(host.name)) results.push(host);
    } else {
      const host = scope.host(pattern);
      if (host) results.push(host);
    }
  }
  return { hosts: results, groupMatched: groups.length > 0 };
}

/** A matcher for regex and glob patterns; undefined for a plain name, which is looked up instead. */
function nameMatcher(pattern: string): ((name: string) => boolean) | undefined {
  if (pattern[0] === '~') {
    let regex: RegExp;
    try {
      // Sticky: anchored at the start only, as Python's re.match.
      regex = new RegExp(pattern.slice(1), 'y');
    } catch (error) {
      throw new PatternError(pattern, (error as Error).message, { cause: error });
    }
    return (name) => {
      regex.lastIndex = 0;
      return regex.test(name);
    };
  }
  if (!hasWildcard(pattern)) return undefined;
  const regex = fnmatchToRegExp(pattern);
  return (name) => regex.test(name);
}
