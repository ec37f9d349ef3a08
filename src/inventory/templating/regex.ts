import { JinjaError } from './errors.js';

/**
 * Python's `re` where Ansible's regex filters and tests use it, on
 * JavaScript's RegExp: `(?P<name>...)` and `(?P=name)` groups, leading inline
 * flags `(?i)`, `\A` and `\Z`, a `$` that also matches before a final newline,
 * and re.sub's replacement syntax (`\1`, `\g<name>`).
 */
export function pythonRegExp(pattern: string, flags: { ignorecase?: boolean; multiline?: boolean; global?: boolean } = {}): RegExp {
  let source = pattern;
  let jsFlags = (flags.ignorecase ? 'i' : '') + (flags.global ? 'g' : '');
  let multiline = Boolean(flags.multiline);
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const flag of inline[1]!) {
      if (flag === 'x') throw new JinjaError('regular expressions in verbose mode (?x) are not supported');
      if (flag === 'i' && !jsFlags.includes('i')) jsFlags += 'i';
      if (flag === 's') jsFlags += 's';
      if (flag === 'm') multiline = true;
    }
  }
  if (multiline) jsFlags += 'm';
  try {
    return new RegExp(translate(source, multiline), jsFlags);
  } catch (error) {
    throw new JinjaError(`invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

function translate(pattern: string, multiline: boolean): string {
  let out = '';
  let inClass = false;
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '\\') {
      const next = pattern[index + 1] ?? '';
      index += 1;
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?![\\s\\S])';
      else out += `\\${next}`;
    } else if (inClass) {
      if (char === ']') inClass = false;
      out += char;
    } else if (char === '[') {
      inClass = true;
      out += char;
      if (pattern[index + 1] === '^') out += pattern[++index];
      if (pattern[index + 1] === ']') out += `\\${pattern[++index]}`;
    } else if (pattern.startsWith('(?P<', index)) {
      out += '(?<';
      index += 3;
    } else if (pattern.startsWith('(?P=', index)) {
      const end = pattern.indexOf(')', index);
      out += `\\k<${pattern.slice(index + 4, end)}>`;
      index = end;
    } else if (char === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
    } else {
      out += char;
    }
  }
  return out;
}

type ReplacementPart = string | { group: number | string };

/** re.sub's replacement template, parsed once: literal text and group references (an unmatched group gives ''). */
export function pythonReplacement(template: string): (match: RegExpExecArray | string[], groups?: Record<string, string | undefined>) => string {
  const parts: ReplacementPart[] = [];
  let literal = '';
  for (let index = 0; index < template.length; index += 1) {
    const char = template[index]!;
    if (char !== '\\') {
      literal += char;
      continue;
    }
    const rest = template.slice(index + 1);
    const named = /^g<([^>]*)>/.exec(rest);
    const numbered = /^([1-9]\d?)/.exec(rest);
    if (named || numbered) {
      if (literal) parts.push(literal);
      literal = '';
      const name = (named ?? numbered)![1]!;
      parts.push({ group: /^\d+$/.test(name) ? Number(name) : name });
      index += (named ?? numbered)![0].length;
    } else {
      const escape = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', 0: '\x00', '\\': '\\' }[rest[0] as 'n'];
      if (escape === undefined && /^[A-Za-z]/.test(rest)) throw new JinjaError(`bad escape \\${rest[0]} in the replacement`);
      literal += escape ?? `\\${rest[0] ?? ''}`;
      index += 1;
    }
  }
  if (literal) parts.push(literal);
  return (match, groups) =>
    parts.map((part) => (typeof part === 'string' ? part : ((typeof part.group === 'number' ? match[part.group] : groups?.[part.group]) ?? ''))).join('');
}

/** re.sub(pattern, replacement, text), every match. */
export function pythonSub(regex: RegExp, replacement: string, text: string): string {
  const render = pythonReplacement(replacement);
  return text.replace(regex, (...args: unknown[]) => {
    const hasNamed = typeof args[args.length - 1] === 'object';
    const groups = hasNamed ? (args[args.length - 1] as Record<string, string | undefined>) : undefined;
    const match = args.slice(0, hasNamed ? -3 : -2) as string[];
    return render(match, groups);
  });
}
