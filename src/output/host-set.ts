/**
 * A set of host names that prints folded, as ClusterShell's NodeSet does:
 * `web01.example.com web02.example.com web03.example.com web07.example.com db1`
 * becomes `db1,web[01-03,07].example.com`. Names fold on their last number
 * (ClusterShell's default for one axis); zero padding is kept, and a number
 * only joins a range whose padding renders it exactly as written, so `web9`
 * and `web09` stay apart while `web09,web10` fold to `web[09-10]`.
 */
export class HostSet implements Iterable<string> {
  private readonly names = new Set<string>();

  constructor(names: Iterable<string> = []) {
    for (const name of names) this.add(name);
  }

  /** Adds a host name (once); returns the set for chaining. */
  add(name: string): this {
    this.names.add(name);
    return this;
  }

  /** Hosts in the set. */
  get size(): number {
    return this.names.size;
  }

  /** The names in folded order: by pattern, then by number. */
  [Symbol.iterator](): Iterator<string> {
    return sortedNames(this.names)[Symbol.iterator]();
  }

  /** The folded form; several patterns are joined with `,`. */
  toString(): string {
    return [...byPattern(this.names)]
      .sort(([a], [b]) => compareText(a, b))
      .map(([, group]) => foldPattern(group))
      .join(',');
  }

  /** The folded text (`web[01-03],db1`), as toString. */
  toJSON(): string {
    return this.toString();
  }
}

/** A name cut around its last number: `rack1-node07.lan` → `rack1-node` + `07` + `.lan`. */
interface SplitName {
  prefix: string;
  digits: string;
  suffix: string;
}

const LAST_NUMBER = /^(.*?)(\d+)(\D*)$/s;

function splitName(name: string): SplitName {
  const match = LAST_NUMBER.exec(name);
  if (!match) return { prefix: name, digits: '', suffix: '' };
  return { prefix: match[1] as string, digits: match[2] as string, suffix: match[3] as string };
}

/** Names grouped by pattern (the name with its last number taken out). */
function byPattern(names: Iterable<string>): Map<string, SplitName[]> {
  const groups = new Map<string, SplitName[]>();
  for (const name of names) {
    const split = splitName(name);
    // NUL cannot occur in a host name, so it keeps `a1b` and `a` + `1b` apart.
    const pattern = split.digits === '' ? name : `${split.prefix}\0${split.suffix}`;
    const group = groups.get(pattern);
    if (group) group.push(split);
    else groups.set(pattern, [split]);
  }
  for (const group of groups.values()) group.sort(compareNumbers);
  return groups;
}

function sortedNames(names: Iterable<string>): string[] {
  return [...byPattern(names)]
    .sort(([a], [b]) => compareText(a, b))
    .flatMap(([, group]) => group.map(({ prefix, digits, suffix }) => prefix + digits + suffix));
}

/** One pattern's names folded: `web[01-03,07].example.com`, or the name itself when alone. */
function foldPattern(group: readonly SplitName[]): string {
  const first = group[0] as SplitName;
  if (group.length === 1) return first.prefix + first.digits + first.suffix;
  return `${first.prefix}[${foldNumbers(group.map((name) => name.digits)).join(',')}]${first.suffix}`;
}

/** Sorted digit strings to ranges (`01-03`, `07`): consecutive values written with the same padding. */
function foldNumbers(sorted: readonly string[]): string[] {
  const ranges: string[] = [];
  let start = sorted[0] as string;
  let end = start;
  const close = (): void => {
    ranges.push(start === end ? start : `${start}-${end}`);
  };
  for (const digits of sorted.slice(1)) {
    if (BigInt(digits) === BigInt(end) + 1n && writtenAsIn(digits, start)) {
      end = digits;
    } else {
      close();
      start = digits;
      end = digits;
    }
  }
  close();
  return ranges;
}

/**
 * Whether `digits` is written as the range started by `start` writes its
 * numbers: a range with a leading zero pads every number to its width (and so
 * never grows past it); a range without one pads nothing.
 */
function writtenAsIn(digits: string, start: string): boolean {
  const padded = start.length > 1 && start.startsWith('0');
  return padded ? digits.length === start.length : !(digits.length > 1 && digits.startsWith('0'));
}

function compareNumbers(a: SplitName, b: SplitName): number {
  const difference = BigInt(a.digits) - BigInt(b.digits);
  return difference < 0n ? -1 : difference > 0n ? 1 : a.digits.length - b.digits.length;
}

/** Code-unit order, as ClusterShell sorts patterns; independent of the locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
