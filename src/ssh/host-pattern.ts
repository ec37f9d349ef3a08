/**
 * OpenSSH's pattern lists (ssh_config(5) PATTERNS, sshd(8) known_hosts): `*` is any
 * run of characters, `?` exactly one, a leading `!` negates. Matching is
 * case-insensitive because OpenSSH lowercases host names before matching.
 */
export class HostPatternList {
  private readonly positive = new PatternSet();
  private readonly negative = new PatternSet();

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      if (pattern.startsWith('!')) this.negative.add(pattern.slice(1));
      else this.positive.add(pattern);
    }
  }

  /** The names this list matches when it is only literal names (no wildcard, no negation), for indexing. */
  literalNames(): string[] | undefined {
    return this.negative.isEmpty() ? this.positive.literalNames() : undefined;
  }

  /** A negated match vetoes the list even when a positive pattern matches too. */
  matches(text: string): boolean {
    const name = text.toLowerCase();
    return !this.negative.matches(name) && this.positive.matches(name);
  }
}

/** Literal names are compared as strings: configs generated for big fleets are mostly literals. */
class PatternSet {
  private readonly literals = new Set<string>();
  /** The literal text before the first wildcard rules most names out without running the RegExp. */
  private readonly wildcards: Array<{ prefix: string; regExp: RegExp }> = [];

  add(pattern: string): void {
    const lower = pattern.toLowerCase();
    if (hasWildcard(lower)) this.wildcards.push({ prefix: lower.slice(0, lower.search(/[*?]/)), regExp: patternToRegExp(lower, 'is') });
    else this.literals.add(lower);
  }

  isEmpty(): boolean {
    return this.literals.size === 0 && this.wildcards.length === 0;
  }

  literalNames(): string[] | undefined {
    return this.wildcards.length === 0 ? [...this.literals] : undefined;
  }

  /** `name` is lowercased already. */
  matches(name: string): boolean {
    return this.literals.has(name) || this.wildcards.some(({ prefix, regExp }) => name.startsWith(prefix) && regExp.test(name));
  }
}

/** `flags` is 'is' for host names; file names (ssh_config Include) match case-sensitively with 's'. */
export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export function patternToRegExp(pattern: string, flags: 'is' | 's'): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (character) => {
    if (character === '*') return '.*';
    if (character === '?') return '.';
    return `\\${character}`;
  });
  return new RegExp(`^${source}$`, flags);
}
